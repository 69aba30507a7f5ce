"""Helpers for the projection tests: appending pledges, throwaway schemas, bounded polling."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg
from nats.aio.client import Client as NATS

from services.pledges.commands import MakePledge
from services.pledges.domain import pledge_decider
from services.projections import bookkeeping
from services.projections.projection import Projection
from services.projections.runner import ProjectionRunner
from services.scores.runner import score_policy
from shared.eventstore import EventStore
from shared.shell import CommandShell
from tests.conftest import Servers

T = TypeVar("T")


def new_schema(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def drop_schema(pool: asyncpg.Pool, schema: str) -> None:
    await pool.execute(await pool.fetchval("select format('drop schema if exists %I cascade', $1::text)", schema))


async def append_pledge(store: EventStore, cmd: MakePledge) -> int:
    """Append through the command shell, as the pledges service does; the event's sequence."""
    reply = await CommandShell(store, "pledges", pledge_decider).execute(cmd.pledge_id, cmd)
    assert reply.ok and len(reply.events) == 1, reply
    return reply.events[0].seq


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], what: str, within_s: float = 20.0
) -> T:
    """Poll `probe` until `accept` holds; fail naming `what` and the last value seen."""
    deadline = time.monotonic() + within_s
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within_s}s waiting for {what}; last seen: {value!r}")
        await asyncio.sleep(0.05)


async def log_end(store: EventStore) -> int:
    """The log's last sequence now."""
    return int((await store.js.stream_info(store.stream)).state.last_seq)


async def start_after(pool: asyncpg.Pool, schema: str, seq: int, *projections: Projection) -> None:
    """Create the projections' tables in `schema` with their checkpoints at `seq`.

    Tests on the shared session log read only the events after `seq`, which they appended themselves.
    """
    async with pool.acquire() as con:
        await con.execute("select set_config('search_path', $1, false)", schema)
        try:
            for p in projections:
                await bookkeeping.prepare(con, schema, p)
                await con.execute("update checkpoints set last_seq = $2 where projection = $1", p.name, seq)
        finally:
            await con.execute("reset search_path")


async def policy_then(
    store: EventStore, nc: NATS, servers: Servers, schema: str, read_models: Sequence[Projection], batch: int = 500
) -> int:
    """Run the score policy to the log's end, then each read model to the (new) end; the end."""
    policy = ProjectionRunner(
        score_policy(store), nc, servers.database_url, servers.stream, schema, until=await log_end(store)
    )
    assert await policy.run() == "finished"
    end = await log_end(store)
    for p in read_models:
        runner = ProjectionRunner(p, nc, servers.database_url, servers.stream, schema, batch=batch, until=end)
        assert await runner.run() == "finished"
    return end
