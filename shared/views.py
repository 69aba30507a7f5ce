"""Folded state of a boundary, read through a cache that the subject-indexed last-sequence lookup confirms.

The command shell uses it for its own boundaries; any service uses it to read another context's
boundary (a member's enrolment, a campaign's rules) as of the log's latest event, never a lagging projection.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shared import tenancy
from shared.errors import OtherOrganisation
from shared.events import Event
from shared.eventstore import EventStore
from shared.records import AppendedEvent, RecordedEvent
from shared.subjects import Boundary

S = TypeVar("S")


@dataclass(slots=True)
class Outcome:
    """What one command appended to a boundary, and the member who sent it: only they may retry it."""

    sender: str
    events: list[AppendedEvent]


@dataclass
class Folded(Generic[S]):
    """A boundary's state after the event at `seq`, the events each command id produced and who sent it, and the
    organisation that wrote them (None before the first event).

    Once cached, its state and seq never change: changes go into a copy. The copy shares `outcomes`, which
    only ever gains commands whose events are in the log (facts, true of every version), so an older copy
    seeing them stays right, and a command costs no copy of its boundary's whole history.
    """

    state: S
    seq: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    organisation: str | None = None

    def copy(self) -> Folded[S]:
        return Folded(self.state, self.seq, self.outcomes, self.organisation)


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
        makes the append fail, and the caller decides again on `current`. Raises OtherOrganisation at once for a
        cached boundary of another organisation: its append would pass the guard, which spans organisations.
        """
        cached = self._cache.get(boundary_id)
        return Folded(self.initial) if cached is None else self._ours(boundary_id, cached)

    async def current(self, boundary_id: str) -> Folded[S]:
        """One subject-indexed lookup when the cache is current; otherwise loads only the newer events.

        Raises OtherOrganisation if another organisation than the current one (`shared.tenancy`) wrote it.
        """
        return self._ours(boundary_id, await self._current(Boundary(self.context, boundary_id, tenancy.current())))

    def _ours(self, boundary_id: str, folded: Folded[S]) -> Folded[S]:
        """`folded` if the current organisation wrote it (or nobody yet); raises OtherOrganisation otherwise."""
        if folded.organisation is not None and folded.organisation != tenancy.current():
            raise OtherOrganisation(self.context, boundary_id)
        return folded

    async def _current(self, boundary: Boundary) -> Folded[S]:
        cached = self._cache.get(boundary.id)
        last = await self.store.last_event(boundary)
        if cached is not None and cached.seq == (last.raw.seq if last is not None else 0):
            self._cache.move_to_end(boundary.id)
            return cached
        folded = cached.copy() if cached is not None else Folded(self.initial)
        if last is not None and last.raw.seq > folded.seq:
            # usually the one event another replica appended: it came with the lookup, nothing more to read
            for rec in await self.store.newer(boundary, folded.seq, last):
                self._fold(folded, rec)
        self.remember(boundary.id, folded)
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
        if folded.organisation is None:
            folded.organisation = rec.organisation
        folded.state = self.evolve(folded.state, rec.event)
        folded.seq = rec.seq
        appended = AppendedEvent(
            event_id=rec.envelope.event_id, type=rec.envelope.type, subject=rec.subject, seq=rec.seq
        )
        # concurrent loads fold the same events into the shared outcomes: record each event once, in a new list
        known = folded.outcomes.get(rec.envelope.command_id)
        if known is None:
            folded.outcomes[rec.envelope.command_id] = Outcome(rec.envelope.actor.member_id, [appended])
        elif known.events[-1].seq < rec.seq:
            folded.outcomes[rec.envelope.command_id] = Outcome(known.sender, [*known.events, appended])
