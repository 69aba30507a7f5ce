"""An in-memory stand-in for the EventStore's append/load surface, for wiring tests without a server."""

from __future__ import annotations

from collections.abc import Sequence

from shared.eventstore import PendingEvent, StoredEvent, WrongExpectedSequence
from shared.records import AppendedEvent, RawEvent, RecordedEvent, decode
from shared.subjects import Boundary, subject_matches


class MemoryStore:
    """One ordered log; the same expected-sequence rule per boundary as the real store."""

    def __init__(self) -> None:
        self.log: list[RawEvent] = []

    def of(self, boundary: Boundary) -> list[RawEvent]:
        return [r for r in self.log if subject_matches(boundary.filter, r.subject)]

    async def last_sequence(self, boundary: Boundary) -> int:
        mine = self.of(boundary)
        return mine[-1].seq if mine else 0

    async def last_event(self, boundary: Boundary) -> StoredEvent | None:
        mine = self.of(boundary)
        return StoredEvent(mine[-1], None) if mine else None

    async def newer(self, boundary: Boundary, after: int, last: StoredEvent) -> list[RecordedEvent]:
        return await self.load(boundary, after)

    async def load(self, boundary: Boundary, after: int = 0) -> list[RecordedEvent]:
        return [decode(r) for r in self.of(boundary) if r.seq > after]

    async def append(self, boundary: Boundary, events: Sequence[PendingEvent], expected: int) -> list[AppendedEvent]:
        if await self.last_sequence(boundary) != expected:
            raise WrongExpectedSequence(10071, "wrong last sequence")
        out = []
        for e in events:
            raw = RawEvent(len(self.log) + 1, boundary.subject(e.envelope.type), e.encode())
            self.log.append(raw)
            out.append(AppendedEvent(event_id=e.envelope.event_id, type=raw.type, subject=raw.subject, seq=raw.seq))
        return out
