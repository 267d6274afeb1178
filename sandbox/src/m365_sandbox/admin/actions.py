"""What the admin API and the admin page both do: answer invitations, change fault settings, move the clock.

The JSON endpoints (``POST /_admin/respond``, ``PUT /_admin/faults``, ``PUT /_admin/clock``) and the
page's HTML forms call the same functions, so an answer given on the page changes the calendars and
sends change notifications exactly as one sent with curl (or through Graph's accept/decline) does.
"""

from __future__ import annotations

from typing import Any

from m365_sandbox.calendar.service import RESPONSES, CalendarService
from m365_sandbox.core.clock import ClockError, SandboxClock
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.faults import FaultConfigError, FaultInjector
from m365_sandbox.subscriptions.service import SubscriptionService

MAX_COMMENT_LENGTH = 2000


class AdminActionError(Exception):
    """An admin request that cannot be carried out: HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, Any]:
        """The admin API's error body."""
        return {"error": {"code": self.code, "message": self.message}}


def _bad_request(message: str) -> AdminActionError:
    return AdminActionError(400, "BadRequest", message)


def answer_invitation(calendar: CalendarService, body: dict[str, Any]) -> dict[str, Any]:
    """Answer an invitation as the attendee ``user``; returns what ``POST /_admin/respond`` answers (202).

    ``body``: ``user``, ``transactionId`` or ``eventICalUId`` (``iCalUId``), ``response`` (accept,
    tentativelyAccept, decline), optional ``comment`` and ``sendResponse`` (default true, as Outlook sends
    answers). As in Graph, the comment only travels in the reply mail: with ``sendResponse`` it arrives in
    the organizer's Inbox as an eventMessageResponse (``GET /users/{organizer}/messages``), and it is echoed.
    """
    action = body.get("response")
    if action not in RESPONSES:
        raise _bad_request("'response' must be accept, decline or tentativelyAccept.")
    ical_uid = body.get("eventICalUId") or body.get("iCalUId")
    transaction_id = body.get("transactionId")
    if not isinstance(body.get("user"), str) or not (ical_uid or transaction_id):
        raise _bad_request("Give 'user' and 'eventICalUId' or 'transactionId'.")
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH):
        raise _bad_request(f"'comment' must be a string of at most {MAX_COMMENT_LENGTH} characters.")
    send = body.get("sendResponse", True)
    if not isinstance(send, bool):
        raise _bad_request("'sendResponse' must be true or false.")
    try:
        box = calendar.mailbox(str(body["user"]))
        event = calendar.find_copy(box, ical_uid and str(ical_uid), transaction_id and str(transaction_id))
        calendar.respond(box, event.id, str(action), send_response=send, comment=comment or "")
    except GraphError as exc:
        raise AdminActionError(exc.status, exc.code, exc.message) from exc
    result: dict[str, Any] = {"user": box.mail, "eventId": event.id, "iCalUId": event.ical_uid, "response": action}
    if comment:
        result["comment"] = comment
    return result


def change_faults(injector: FaultInjector, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the given fault settings (others keep their values); returns the settings now in force."""
    try:
        injector.configure(injector.config.merged(changes))
    except FaultConfigError as exc:
        raise _bad_request(str(exc)) from exc
    return injector.config.to_json()


def change_clock(clock: SandboxClock, subscriptions: SubscriptionService, change: dict[str, Any]) -> dict[str, Any]:
    """Set, move or reset the sandbox clock; returns the clock and the subscriptions that expired."""
    before = {record.id for record in subscriptions.active()}
    try:
        clock.apply(change)
    except ClockError as exc:
        raise _bad_request(str(exc)) from exc
    after = {record.id for record in subscriptions.active()}
    return {**clock.to_json(), "expiredSubscriptions": sorted(before - after)}
