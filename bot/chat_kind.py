"""Whether an activity comes from a user's personal chat with the bot: the one place that decides it.

A personal chat is where the bot shows a family's reference, and the chat it keeps for reaching a worker
later (reminders, notices). Taking a group or meeting chat for one would show that to everyone in it.
"""

from __future__ import annotations

from microsoft_agents.activity import ConversationAccount

PERSONAL = "personal"


def is_personal_chat(conversation: ConversationAccount | None) -> bool:
    """True only when Teams says so: ``conversationType: personal`` (and not ``isGroup: true``), or no type at
    all with an explicit ``isGroup: false``.

    Anything else is not personal: another or unknown type, and a missing type with ``isGroup`` true or absent
    (a meeting-start event carries only ``isGroup: true``). A chat wrongly taken for a group chat costs a
    polite "use the personal chat"; the other way round would show a family's reference to a group.
    """
    if conversation is None:
        return False
    kind, is_group = conversation.conversation_type, conversation.is_group
    if kind is None:
        return is_group is False
    return kind == PERSONAL and is_group is not True
