"""The command shell: load the boundary (cached, confirmed by its last sequence), decide, append."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

import structlog

from shared.commands import Command, Reply
from shared.errors import Conflict
from shared.events import Envelope, Event
from shared.eventstore import EventStore, PendingEvent, WrongExpectedSequence
from shared.ids import event_id_for
from shared.records import AppendedEvent, RecordedEvent
from shared.subjects import Boundary

S = TypeVar("S")
C = TypeVar("C", bound=Command)

log = structlog.get_logger("shell")


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    """The decider of one kind of boundary: pure functions and the state before any event."""

    initial: S
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]


@dataclass
class _Folded(Generic[S]):
    state: S
    seq: int = 0
    outcomes: dict[str, list[AppendedEvent]] = field(default_factory=dict)

    def copy(self) -> _Folded[S]:
        return _Folded(self.state, self.seq, dict(self.outcomes))


class CommandShell(Generic[C, S]):
    """Runs commands against one context's boundaries with optimistic concurrency and idempotency."""

    def __init__(
        self,
        store: EventStore,
        context: str,
        decider: Decider[C, S],
        max_attempts: int = 8,
        cache: int = 10_000,
    ) -> None:
        self.store, self.context, self.decider, self.max_attempts = store, context, decider, max_attempts
        self._cache: OrderedDict[str, _Folded[S]] = OrderedDict()
        self._cache_size = cache

    async def execute(self, boundary_id: str, command: C) -> Reply:
        """Decide and append; a retried command id replies its original events. Raises DomainError."""
        boundary = Boundary(self.context, boundary_id)
        for _ in range(self.max_attempts):
            folded = await self._current(boundary)
            done = folded.outcomes.get(command.command_id)
            if done is not None:
                return Reply.accepted(done, duplicate=True)
            events = self.decider.decide(command, folded.state)
            if not events:
                return Reply.accepted([])
            pending = [_pending(command, e, i) for i, e in enumerate(events)]
            try:
                appended = await self.store.append(boundary, pending, expected=folded.seq)
            except WrongExpectedSequence as exc:
                log.info("boundary moved; deciding again", boundary=boundary.filter, reason=exc.description)
                continue
            self._remember(boundary_id, folded, command.command_id, events, appended)
            return Reply.accepted(appended)
        raise Conflict(f"{boundary.filter} kept changing; gave up after {self.max_attempts} attempts")

    async def _current(self, boundary: Boundary) -> _Folded[S]:
        cached = self._cache.get(boundary.id)
        last = await self.store.last_sequence(boundary)
        if cached is not None and cached.seq == last:
            self._cache.move_to_end(boundary.id)
            return cached
        # a fresh copy: other commands of this process may hold the cached one across an await
        folded = cached.copy() if cached is not None else _Folded(self.decider.initial)
        if last:
            for rec in await self.store.load(boundary, after=folded.seq):
                self._fold(folded, rec)
        self._put(boundary.id, folded)
        return folded

    def _fold(self, folded: _Folded[S], rec: RecordedEvent) -> None:
        folded.state = self.decider.evolve(folded.state, rec.event)
        folded.seq = rec.seq
        appended = AppendedEvent(
            event_id=rec.envelope.event_id, type=rec.envelope.type, subject=rec.subject, seq=rec.seq
        )
        folded.outcomes.setdefault(rec.envelope.command_id, []).append(appended)

    def _remember(
        self,
        boundary_id: str,
        folded: _Folded[S],
        command_id: str,
        events: Sequence[Event],
        appended: list[AppendedEvent],
    ) -> None:
        after = folded.copy()
        for e in events:
            after.state = self.decider.evolve(after.state, e)
        after.seq = appended[-1].seq
        after.outcomes[command_id] = appended
        self._put(boundary_id, after)

    def _put(self, boundary_id: str, folded: _Folded[S]) -> None:
        known = self._cache.get(boundary_id)
        if known is not None and known.seq > folded.seq:
            return
        self._cache[boundary_id] = folded
        self._cache.move_to_end(boundary_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _pending(command: Command, event: Event, index: int) -> PendingEvent:
    now = datetime.now(UTC)
    campaign_id = getattr(event, "campaign_id", None) or getattr(command, "campaign_id", None)
    return PendingEvent(
        Envelope(
            event_id=event_id_for(command.command_id, index),
            type=event.type_name,
            schema_version=event.schema_version,
            occurred_at=now,
            recorded_at=now,
            actor=command.actor,
            command_id=command.command_id,
            campaign_id=campaign_id,
            correlation_id=command.correlation_id or command.command_id,
            causation_id=command.causation_id,
            data=event.model_dump(mode="json"),
        )
    )
