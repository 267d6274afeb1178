"""FakeStatistics: what was counted (each event once, however often it is reported)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.convening import Convening
from domain.meeting import Meeting


@dataclass
class FakeStatistics:
    """The StatisticsRecorder port: the ids counted as convened and held, and the feedback responses."""

    convened_ids: set[str] = field(default_factory=set)
    held_ids: set[str] = field(default_factory=set)
    feedback: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)

    async def convened(self, convening: Convening) -> None:
        """A meeting was booked."""
        self.convened_ids.add(convening.id)

    async def held(self, meeting: Meeting) -> None:
        """A meeting was finalized."""
        self.held_ids.add(meeting.id)

    async def feedback_given(self, meeting: Meeting, scores: Mapping[str, int]) -> None:
        """One feedback response."""
        self.feedback[(meeting.id, meeting.feedback.responses)] = dict(scores)
