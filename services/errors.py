"""The errors that cross the service layer's edges, declared once.

- :class:`UserFacingError`: a polite refusal (a message key and its parameters, never exception text);
  :class:`ConveningRefusedError` and :class:`MeetingRefusedError` also carry the record as it is now, so a handler
  can show the card again without reading it a second time.
- :class:`ServiceUnavailableError`: an outside service behind a port (Graph) could not be reached or failed;
  adapters raise it or a subclass of it (``graph.errors.GraphUnavailableError``).
- :class:`StaleWriteError`: a store refused a write because the record changed since it was read (eTags).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain.convening import Convening
from domain.meeting import Meeting


class UserFacingError(Exception):
    """A polite refusal. ``key`` names a message in i18n.messages; nothing was changed."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class ConveningRefusedError(UserFacingError):
    """A refusal about the caller's own convening, carrying it as stored now (unchanged by the refusal)."""

    def __init__(self, refusal: UserFacingError, convening: Convening) -> None:
        super().__init__(refusal.key, **refusal.params)
        self.convening = convening


class MeetingRefusedError(UserFacingError):
    """A refusal about the caller's own meeting, carrying it as stored now (unchanged by the refusal)."""

    def __init__(self, refusal: UserFacingError, meeting: Meeting) -> None:
        super().__init__(refusal.key, **refusal.params)
        self.meeting = meeting


@contextmanager
def refusals_carry(record: Convening | Meeting) -> Iterator[None]:
    """Within the block, a plain refusal leaves as ConveningRefusedError / MeetingRefusedError carrying ``record``: the
    record as this call read it, unchanged by the refusal (the card can be shown again from it)."""
    try:
        yield
    except (ConveningRefusedError, MeetingRefusedError):
        raise
    except UserFacingError as err:
        if isinstance(record, Convening):
            raise ConveningRefusedError(err, record) from err
        raise MeetingRefusedError(err, record) from err


class ServiceUnavailableError(Exception):
    """An outside service could not be reached or failed, after the adapter's own retries.

    ``status`` is the HTTP status when there was one (404: the thing asked for is gone), ``code`` the
    service's error code, ``retry_after`` the seconds the service asked to wait, when it said. Nothing
    else: the service's messages may echo request data.
    """

    def __init__(self, status: int | None, code: str | None, retry_after: float | None = None) -> None:
        super().__init__(f"service failure status={status} code={code}")
        self.status = status
        self.code = code
        self.retry_after = retry_after


class StaleWriteError(Exception):
    """Someone else saved the record since it was read (eTag mismatch)."""
