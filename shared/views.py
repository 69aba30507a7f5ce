"""Folded state of a boundary, read through a cache that the subject-indexed last-sequence lookup confirms.

The command shell uses it for its own boundaries; any service uses it to read another context's
boundary (a member's enrolment, a campaign's rules) as of the log's latest event, never a lagging projection.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shared.events import Event
from shared.eventstore import EventStore
from shared.records import AppendedEvent, RecordedEvent
from shared.subjects import Boundary

S = TypeVar("S")


@dataclass
class Folded(Generic[S]):
    """A boundary's state after the event at `seq`, and the events each command id produced.

    Once cached, its state and seq never change: changes go into a copy. The copy shares `outcomes`, which
    only ever gains commands whose events are in the log (facts, true of every version), so an older copy
    seeing them stays right, and a command costs no copy of its boundary's whole history.
    """

    state: S
    seq: int = 0
    outcomes: dict[str, list[AppendedEvent]] = field(default_factory=dict)

    def copy(self) -> Folded[S]:
        return Folded(self.state, self.seq, self.outcomes)


class BoundaryView(Generic[S]):
    """The current state of boundaries of one context, folded with `evolve` from `initial`."""

    def __init__(
        self, store: EventStore, context: str, initial: S, evolve: Callable[[S, Event], S], size: int = 10_000
    ) -> None:
        self.store, self.context, self.initial, self.evolve = store, context, initial, evolve
        self._cache: OrderedDict[str, Folded[S]] = OrderedDict()
        self._size = size

    async def state(self, boundary_id: str) -> S:
        """The boundary's state as of its last event in the log."""
        return (await self.current(boundary_id)).state

    def known(self, boundary_id: str) -> Folded[S]:
        """The cached state, or the initial one for a boundary this process has not seen: not confirmed.

        Only for a decision whose append guards it (expected sequence = its `seq`): a moved boundary
        makes the append fail, and the caller decides again on `current`.
        """
        cached = self._cache.get(boundary_id)
        return cached if cached is not None else Folded(self.initial)

    async def current(self, boundary_id: str) -> Folded[S]:
        """One subject-indexed lookup when the cache is current; otherwise loads only the newer events."""
        boundary = Boundary(self.context, boundary_id)
        cached = self._cache.get(boundary_id)
        last = await self.store.last_sequence(boundary)
        if cached is not None and cached.seq == last:
            self._cache.move_to_end(boundary_id)
            return cached
        folded = cached.copy() if cached is not None else Folded(self.initial)
        if last:
            for rec in await self.store.load(boundary, after=folded.seq):
                self._fold(folded, rec)
        self.remember(boundary_id, folded)
        return folded

    def remember(self, boundary_id: str, folded: Folded[S]) -> None:
        """Cache a newer state (an older one, from a slower concurrent load, is ignored)."""
        known = self._cache.get(boundary_id)
        if known is not None and known.seq > folded.seq:
            return
        self._cache[boundary_id] = folded
        self._cache.move_to_end(boundary_id)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)

    def _fold(self, folded: Folded[S], rec: RecordedEvent) -> None:
        folded.state = self.evolve(folded.state, rec.event)
        folded.seq = rec.seq
        appended = AppendedEvent(
            event_id=rec.envelope.event_id, type=rec.envelope.type, subject=rec.subject, seq=rec.seq
        )
        # concurrent loads fold the same events into the shared outcomes: record each event once, in a new list
        known = folded.outcomes.get(rec.envelope.command_id, [])
        if not known or known[-1].seq < rec.seq:
            folded.outcomes[rec.envelope.command_id] = [*known, appended]
