"""One batch of the log into one transaction with the checkpoint: runs of same-type events, set-based."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import asyncpg

from services.projections import bookkeeping
from services.projections.faults import ProjectionStopped, describe, is_transient
from services.projections.projection import On, Projection
from shared.records import RawEvent, RecordedEvent, UndecodableEvent, decode


class _RunFailed(Exception):
    def __init__(self, index: int, cause: Exception) -> None:
        super().__init__(str(cause))
        self.index, self.cause = index, cause


async def apply_batch(con: asyncpg.Connection, projection: Projection, raws: Sequence[RawEvent], last: int) -> int:
    """Apply the batch after checkpoint `last` and move the checkpoint with it; the new checkpoint.

    Raises ProjectionStopped at an event that cannot be decoded or applied, after committing the events
    before it (so the checkpoint stops right before it); CheckpointMoved if another runner moved it.
    """
    if projection.every is not None:
        return await _apply_every(con, projection, raws, last)
    recs, poison = _decode(projection, raws)
    upto = raws[-1].seq if poison is None else poison.seq - 1
    try:
        if upto > last:
            async with con.transaction():
                await _handle(con, projection, recs)
                await bookkeeping.advance(con, projection.name, last, upto)
    except _RunFailed as failed:
        raise await _salvage(con, projection, recs, last, failed) from failed.cause
    if poison is not None:
        raise poison
    return upto


async def _apply_every(con: asyncpg.Connection, projection: Projection, raws: Sequence[RawEvent], last: int) -> int:
    """The batch through `every`; on a failure, one event at a time to commit what precedes the failing one."""
    every = projection.every
    assert every is not None
    try:
        async with con.transaction():
            await every(con, raws)
            await bookkeeping.advance(con, projection.name, last, raws[-1].seq)
        return raws[-1].seq
    except Exception as exc:
        if is_transient(exc):
            raise
        cause = exc
    stop = ProjectionStopped(raws[0].seq, raws[0].subject, f"{describe(cause)} (the batch as a whole)")
    async with con.transaction():
        for raw in raws:
            try:
                async with con.transaction():  # a savepoint
                    await every(con, [raw])
            except Exception as exc:
                if is_transient(exc):
                    raise
                if raw.seq - 1 > last:
                    await bookkeeping.advance(con, projection.name, last, raw.seq - 1)
                stop = ProjectionStopped(raw.seq, raw.subject, describe(exc))
                break
        else:
            raise stop  # each event applies alone, only the batch as a whole fails: roll everything back
    raise stop


def _decode(projection: Projection, raws: Sequence[RawEvent]) -> tuple[list[RecordedEvent], ProjectionStopped | None]:
    """The events the projection has a handler for, decoded, up to the first undecodable one."""
    recs: list[RecordedEvent] = []
    for raw in raws:
        if projection.handler(raw.type) is None:
            continue
        try:
            recs.append(decode(raw))
        except UndecodableEvent as exc:
            return recs, ProjectionStopped(exc.seq, exc.subject, exc.reason)
    return recs, None


async def _handle(con: asyncpg.Connection, projection: Projection, recs: Sequence[RecordedEvent]) -> None:
    for index, run in enumerate(_runs(recs)):
        try:
            await _handler(projection, run[0]).run(con, run)
        except Exception as exc:
            if is_transient(exc):
                raise
            raise _RunFailed(index, exc) from exc


async def _salvage(
    con: asyncpg.Connection, projection: Projection, recs: Sequence[RecordedEvent], last: int, failed: _RunFailed
) -> ProjectionStopped:
    """Find the failing event of a failed run one event at a time; commit what precedes it."""
    runs = _runs(recs)
    bad_run = runs[failed.index]
    async with con.transaction():
        for run in runs[: failed.index]:
            await _handler(projection, run[0]).run(con, run)
        for rec in bad_run:
            try:
                async with con.transaction():  # a savepoint
                    await _handler(projection, rec).run(con, [rec])
            except Exception as exc:
                if is_transient(exc):
                    raise
                if rec.seq - 1 > last:
                    await bookkeeping.advance(con, projection.name, last, rec.seq - 1)
                return ProjectionStopped(rec.seq, rec.subject, describe(exc))
        first, end = bad_run[0], bad_run[-1].seq
        # each event applies alone, only the run as a whole fails: roll everything back
        raise ProjectionStopped(first.seq, first.subject, f"{describe(failed.cause)} (the run {first.seq}..{end})")


def _handler(projection: Projection, rec: RecordedEvent) -> On[Any]:
    handler = projection.handler(_type_of(rec))
    assert handler is not None, "only events with a handler are decoded"
    return handler


def _type_of(rec: RecordedEvent) -> str:
    return rec.subject.rsplit(".", 1)[-1]


def _runs(recs: Sequence[RecordedEvent]) -> list[list[RecordedEvent]]:
    return [list(run) for _, run in itertools.groupby(recs, key=_type_of)]
