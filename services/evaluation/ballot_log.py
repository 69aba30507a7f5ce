"""Reads a round's online ballots back from the log, between its opening and its close."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.evaluation import BallotCast, RoundClosed, RoundOpened
from shared.eventstore import EventStore
from shared.logreader import LogReader
from shared.records import decode
from shared.subjects import EVENTS_ROOT, Boundary

BALLOTS = "ballots"
_BALLOT_PREFIX = f"{EVENTS_ROOT}.{BALLOTS}."


@dataclass(frozen=True, slots=True)
class RoundMarks:
    """Where a round opened and closed in the log (0: not yet): its online ballots lie between."""

    opened: int
    closed: int


async def round_marks(store: EventStore, context: str, round_id: str) -> RoundMarks:
    """The stream sequences of the round's RoundOpened and RoundClosed events."""
    opened = closed = 0
    for rec in await store.load(Boundary(context, round_id)):
        if isinstance(rec.event, RoundOpened):
            opened = rec.seq
        elif isinstance(rec.event, RoundClosed):
            closed = rec.seq
    return RoundMarks(opened, closed)


async def ballots_between(store: EventStore, round_id: str, after: int, until: int) -> list[tuple[int, BallotCast]]:
    """The round's BallotCast events with after < seq <= until, with their sequences.

    Ballot boundaries are (round, voter) tokens, so no subject filter selects one round: the reader
    scans the range of the log (a whole-log read is the fast one) and decodes only ballots.
    """
    out: list[tuple[int, BallotCast]] = []
    if until <= after:
        return out
    async for batch in LogReader(store.nc, store.stream).batches(after=after, until=until):
        for raw in batch:
            if not raw.subject.startswith(_BALLOT_PREFIX) or raw.type != BallotCast.type_name:
                continue
            event = decode(raw).event
            if isinstance(event, BallotCast) and event.round_id == round_id:
                out.append((raw.seq, event))
    return out
