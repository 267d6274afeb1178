"""Conversation references on the document store: each user's personal chat with the bot (keyed by Entra
object id, listed by e-mail address) and the group and meeting chats the bot's shared cards are in.

What may re-point a personal chat is the bot's rule (bot.proactive.ConversationBook); this only keeps them.
A personal chat also notes whether the user last wrote from a Teams phone app (a key of ours beside the
reference's own, which the reference model ignores): cards sent there later carry Action.Submit.
"""

from __future__ import annotations

import json

from microsoft_agents.activity import ConversationReference

from state.document_store import Document, DocumentStore

_PERSONAL = "conversation"
_CHATS = "chat"
_PHONE = "yaPhone"


def _encode(reference: ConversationReference, *, phone: bool = False) -> str:
    body = reference.model_dump_json(by_alias=True, exclude_none=True)
    return json.dumps({**json.loads(body), _PHONE: True}) if phone else body


def _on_phone(doc: Document | None) -> bool:
    return bool(doc and json.loads(doc.body).get(_PHONE) is True)


def _decode(doc: Document | None) -> ConversationReference | None:
    return ConversationReference.model_validate_json(doc.body) if doc else None


class ConversationStore:
    """Personal chats by user, group and meeting chats by conversation id."""

    def __init__(self, documents: DocumentStore) -> None:
        self._docs = documents

    async def personal_on_phone(self, user_id: str) -> tuple[ConversationReference | None, bool]:
        """The personal chat kept for an Entra object id, and whether the user last wrote from a phone."""
        doc = await self._docs.get(_PERSONAL, user_id)
        return _decode(doc), _on_phone(doc)

    async def find_personal(self, user: str) -> ConversationReference | None:
        """The personal chat of an Entra object id or an e-mail address (the latest kept for that address)."""
        return (await self.find_personal_on_phone(user))[0]

    async def find_personal_on_phone(self, user: str) -> tuple[ConversationReference | None, bool]:
        """``find_personal``, and whether the user last wrote from a Teams phone app."""
        doc = await self._docs.get(_PERSONAL, user)
        if doc is None and "@" in user:
            docs = await self._docs.by_owner(_PERSONAL, user.lower())
            doc = docs[-1] if docs else None
        return _decode(doc), _on_phone(doc)

    async def keep_personal(self, user_id: str, reference: ConversationReference, email: str | None, *,
                            phone: bool = False) -> None:
        """Keeps (or replaces) the user's personal chat; ``email`` lists it under the user's address; ``phone``:
        the user wrote from a Teams phone app."""
        await self._docs.put(_PERSONAL, user_id, _encode(reference, phone=phone), if_match="*",
                             owner=email.lower() if email else None)

    async def chat(self, conversation_id: str) -> ConversationReference | None:
        """A group or meeting chat's reference."""
        return _decode(await self._docs.get(_CHATS, conversation_id))

    async def keep_chat(self, conversation_id: str, reference: ConversationReference) -> None:
        """Keeps a group or meeting chat's reference the first time the bot hears from it."""
        if await self._docs.get(_CHATS, conversation_id) is None:
            await self._docs.put(_CHATS, conversation_id, _encode(reference), if_match="*")
