"""Reads a round's online ballots back from the log, between its opening and its cut-off."""

from __future__ import annotations

from shared.events.evaluation import BallotCast, RoundOpened
from shared.eventstore import EventStore
from shared.logreader import LogReader
from shared.records import decode
from shared.subjects import EVENTS_ROOT, Boundary

BALLOTS = "ballots"
_BALLOT_PREFIX = f"{EVENTS_ROOT}.{BALLOTS}."


async def opened_at(store: EventStore, context: str, round_id: str) -> int:
    """The stream sequence of the round's RoundOpened event (0 if it was never opened)."""
    for rec in await store.load(Boundary(context, round_id)):
        if isinstance(rec.event, RoundOpened):
            return rec.seq
    return 0


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


async def last_stream_seq(store: EventStore) -> int:
    """The log's last sequence: a close's cut-off."""
    info = await store.js.stream_info(store.stream)
    return int(info.state.last_seq)
