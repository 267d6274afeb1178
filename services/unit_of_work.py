"""The unit of work: the records one use-case call reads and writes, each saved only if unchanged since.

A store hands a record out with the eTag it was read at (``services.ports.Stored``, ``StoredMeeting``).
The use cases never carry eTags themselves: a :class:`Tracked` store remembers the eTag each record was
read (or last saved) at, and every save is conditional on it, so a change another click or instance saved
meanwhile is refused, never overwritten. A use case makes one per call (``ConveningRecords(store)``): the
eTags are that call's and die with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Generic, Protocol, TypeVar

from domain.convening import Convening
from domain.meeting import Meeting
from services.caller import Caller
from services.errors import ConveningRefusedError, MeetingRefusedError, StaleWriteError, UserFacingError
from services.ports import ConveningStore, MeetingStore

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Versioned(Protocol[R_co]):
    """A record with the eTag it was read at (what a store's ``get`` returns)."""

    @property
    def record(self) -> R_co:
        """The record."""
        ...

    @property
    def etag(self) -> str:
        """The version it was read at."""
        ...


class VersionedStore(Protocol[R]):
    """What ConveningStore and MeetingStore have in common: conditional writes on eTags."""

    async def get(self, key: str, /) -> Versioned[R] | None:
        """The record and its eTag, or None."""
        ...

    async def add(self, record: R, /) -> str:
        """Stores a new record; its eTag (StaleWriteError when it exists)."""
        ...

    async def replace(self, record: R, etag: str, /) -> str:
        """Saves if still at ``etag``; the new eTag (StaleWriteError otherwise)."""
        ...


class Tracked(Generic[R]):
    """One store as one use-case call sees it: reads remember eTags, saves are conditional on them."""

    def __init__(self, store: VersionedStore[R], key: Callable[[R], str]) -> None:
        self._store = store
        self._key = key
        self._etags: dict[str, str] = {}
        self._read: dict[str, R] = {}  # each record as it was at its eTag

    async def get(self, key: str) -> R | None:
        """The record as stored now (its eTag remembered), or None."""
        versioned = await self._store.get(key)
        if versioned is None:
            self._etags.pop(key, None)
            self._read.pop(key, None)
            return None
        self._etags[key] = versioned.etag
        self._read[key] = versioned.record
        return versioned.record

    async def add(self, record: R) -> R:
        """Stores a new record; StaleWriteError when one with its key exists."""
        self._etags[self._key(record)] = await self._store.add(record)
        return record

    async def save(self, record: R) -> R:
        """Saves ``record`` over the version this call read or saved last; StaleWriteError when someone else
        saved it since (nothing is overwritten)."""
        key = self._key(record)
        etag = self._etags.get(key)
        if etag is None:
            raise LookupError("a record is saved only after this unit of work has read it")
        self._etags[key] = await self._store.replace(record, etag)
        self._read[key] = record
        return record

    async def save_or_refuse(self, record: R) -> R:
        """Like ``save``, but a change made meanwhile is a polite refusal ("changed meanwhile, try again")
        carrying the record as it is stored now (see ``_refusal``)."""
        key = self._key(record)
        try:
            return await self.save(record)
        except StaleWriteError as err:
            base = self._read.get(key)
            current = await self.get(key)
            if base is not None and current is not None:
                merged = self._merged(base, record, current)
                if merged is not None:
                    try:
                        return await self.save(merged)
                    except StaleWriteError:
                        current = await self.get(key)
            raise self._refusal(UserFacingError("convening.changed_meanwhile"), current) from err

    def _merged(self, base: R, mine: R, theirs: R) -> R | None:
        """``mine`` (made from ``base``) with ``theirs`` (saved meanwhile from ``base``) when the two changes
        cannot contradict each other; None to refuse. The record kinds below say which changes those are."""
        return None

    def _refusal(self, refusal: UserFacingError, current: R | None) -> UserFacingError:
        """The refusal as raised: the record kinds below attach ``current``."""
        return refusal

    async def claim(self, key: str, already: Callable[[R], bool], change: Callable[[R], R]) -> bool:
        """Sets a bookkeeping flag unless ``already`` set; True when this call set it.

        Of several instances claiming at once exactly one wins (the others' saves are stale): whoever
        wins sends the reminder or notice, and a failed send gives the claim back the same way.
        """
        record = await self.get(key)
        if record is None or already(record):
            return False
        try:
            await self.save(change(record))
        except StaleWriteError:
            return False
        return True


class ConveningRecords(Tracked[Convening]):
    """Convenings for one use-case call."""

    def __init__(self, store: ConveningStore) -> None:
        super().__init__(store, lambda c: c.id)

    def _refusal(self, refusal: UserFacingError, current: Convening | None) -> UserFacingError:
        return refusal if current is None else ConveningRefusedError(refusal, current)

    def _merged(self, base: Convening, mine: Convening, theirs: Convening) -> Convening | None:
        """Outlook's answers recorded meanwhile (a change notification, in the background) do not refuse a
        worker's click: when that is all that changed, the click is saved over it, keeping the answers unless
        the click itself changed the booking or the answers (a move asks everyone again)."""
        if not answers_only(base, theirs):
            return None
        asked_again = mine.responses != base.responses or mine.booking != base.booking
        return mine if asked_again else with_answers_of(mine, theirs)

    async def own(self, convening_id: str, caller: Caller) -> Convening:
        """The caller's convening; others' convenings look the same as missing ones."""
        convening = await self.get(convening_id)
        if convening is None or convening.convener_id != caller.user_id:
            raise UserFacingError("convening.not_found")
        return convening


class MeetingRecords(Tracked[Meeting]):
    """Meetings for one use-case call."""

    def __init__(self, store: MeetingStore) -> None:
        super().__init__(store, lambda m: m.id)

    def _refusal(self, refusal: UserFacingError, current: Meeting | None) -> UserFacingError:
        return refusal if current is None else MeetingRefusedError(refusal, current)

    async def own(self, meeting_id: str, caller: Caller) -> Meeting:
        """The meeting, if the caller runs it; anyone else sees it as missing."""
        meeting = await self.get(meeting_id)
        if meeting is None or meeting.convener_id != caller.user_id:
            raise UserFacingError("meeting.not_found")
        return meeting



def with_answers_of(record: Convening, theirs: Convening) -> Convening:
    """``record`` with ``theirs``' Outlook answers: the responses and whether the room declined."""
    booking = record.booking
    if booking is not None and theirs.booking is not None:
        booking = replace(booking, room_declined=theirs.booking.room_declined)
    return replace(record, responses=theirs.responses, booking=booking)


def answers_only(base: Convening, theirs: Convening) -> bool:
    """Whether Outlook's answers are all that ``theirs`` changed from ``base``."""
    return with_answers_of(base, theirs) == theirs
