"""Refusals the user can act on: a message key and its parameters, never exception text."""

from __future__ import annotations


class UserFacingError(Exception):
    """A polite refusal. ``key`` names a message in i18n.messages; nothing was changed."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
