"""One read of the log shared by a process's readers (SharedLog), and runners sharing it, against real servers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import nats
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.cli.audit_verify import Verdict, verify
from services.projections import audit, pledge_board
from services.projections.runner import ProjectionRunner
from shared.eventstore import EventStore
from shared.logfanout import SharedLog
from shared.runtime.embedded import EmbeddedNats
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import drop_schema, eventually, new_schema
from tests.integration.test_logreader import append_some
from tests.support.builders import pending, pledge_made


async def read(log: SharedLog, after: int, until: int, taps_seen: list[int] | None = None) -> list[list[int]]:
    batches: list[list[int]] = []
    async for batch in log.batches(after, until):
        if taps_seen is not None:
            taps_seen.append(len(log.taps))
        if batch:
            batches.append([r.seq for r in batch])
    return batches


async def verified(pool: asyncpg.Pool, nc: NATS, schema: str) -> Verdict:
    """`audit verify` over the audit trail in `schema`."""
    async with pool.acquire() as con:
        await con.execute("select set_config('search_path', $1, false)", schema)
        try:
            return await verify(nc, "PACESETTER", con)
        finally:
            await con.execute("reset search_path")


async def test_readers_at_one_place_share_one_read_and_each_get_every_event_once(store: EventStore, nc: NATS) -> None:
    seqs = await append_some(store, 30)
    start, end = seqs[0] - 1, seqs[-1]
    log = SharedLog(nc, store.stream, batch=7)
    taps: list[int] = []

    first, second = await asyncio.gather(read(log, start, end, taps), read(log, start, end, taps))

    for batches in (first, second):
        assert [s for b in batches for s in b] == list(range(start + 1, end + 1))
        assert all(len(b) <= 7 for b in batches)
    assert set(taps) == {1}, "the two readers read the log twice"
    assert log.taps == [], "the read outlived its readers"


async def test_a_reader_behind_reads_on_its_own_then_joins_the_readers_ahead(store: EventStore, nc: NATS) -> None:
    behind = await append_some(store, 40)
    end = behind[-1]
    log = SharedLog(nc, store.stream, batch=5, ahead=5, lookback=10, idle_wait_s=0.2)
    seen: dict[str, list[int]] = {"ahead": [], "behind": []}
    taps: list[int] = []

    async def follow(name: str, after: int, stop_at: asyncio.Event) -> None:
        async for batch in log.batches(after):
            seen[name].extend(r.seq for r in batch)
            taps.append(len(log.taps))
            if stop_at.is_set() and seen[name] and seen[name][-1] >= final:
                return

    final = end + 3
    done = asyncio.Event()
    ahead = asyncio.create_task(follow("ahead", end, done))
    await eventually(lambda: _count(log), lambda n: n == 1, "the reader ahead to open its read")
    lagging = asyncio.create_task(follow("behind", behind[0] - 1, done))
    try:
        await eventually(lambda: _last(seen["behind"]), lambda s: s >= end, "the reader behind to catch up")
        await eventually(lambda: _count(log), lambda n: n == 1, "the two reads to become one")
        more = await append_some(store, 3)
        final = more[-1]
        done.set()
        await asyncio.wait_for(asyncio.gather(ahead, lagging), 20)
    finally:
        for t in (ahead, lagging):
            t.cancel()
        await asyncio.gather(ahead, lagging, return_exceptions=True)

    assert seen["behind"] == list(range(behind[0], final + 1))
    assert seen["ahead"] == list(range(end + 1, final + 1))
    assert max(taps) == 2 and taps[-1] == 1


async def _count(log: SharedLog) -> int:
    return len(log.taps)


async def _last(seqs: list[int]) -> int:
    return seqs[-1] if seqs else 0


# --- runners sharing one read, on a log of their own (it holds a poison event) -----------------------------


@pytest_asyncio.fixture
async def own_nc(tmp_path: Path) -> AsyncIterator[NATS]:
    server = EmbeddedNats(tmp_path / "nats")
    url = server.start()
    try:
        conn = await nats.connect(url)
        await EventStore(conn, "PACESETTER").ensure_stream()
        yield conn
        await conn.close()
    finally:
        server.stop()


@pytest_asyncio.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = new_schema()
    yield name
    await drop_schema(pg_pool, name)


async def test_runners_sharing_one_read_keep_their_own_outcome_and_the_build_indexes_its_tables_at_the_end(
    own_nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    js = own_nc.jetstream()
    good, bad, after = pledge_made(), pledge_made(), pledge_made()
    for made in (good,):
        await js.publish(Boundary("pledges", made.pledge_id).subject("PledgeMade"), pending(made).encode())
    envelope = json.loads(pending(bad).encode())
    del envelope["data"]["title"]  # a valid envelope whose PledgeMade the pledge board cannot decode
    poison = Boundary("pledges", bad.pledge_id).subject("PledgeMade")
    poison_seq = (await js.publish(poison, json.dumps(envelope).encode())).seq
    last = (await js.publish(Boundary("pledges", after.pledge_id).subject("PledgeMade"), pending(after).encode())).seq

    log = SharedLog(own_nc, "PACESETTER", batch=2)
    runners = [
        ProjectionRunner(p, own_nc, servers.database_url, "PACESETTER", schema, until=last, log=log)
        for p in (pledge_board.projection, audit.projection)
    ]
    outcomes = await asyncio.gather(*(r.run() for r in runners))

    assert outcomes == ["stopped", "finished"]
    stop = runners[0].stopped_at
    assert stop is not None and (stop.seq, stop.subject) == (poison_seq, poison)
    pledges = await pg_pool.fetch(f"select pledge_id from {schema}.pledges")
    assert [r["pledge_id"] for r in pledges] == [good.pledge_id]
    assert await pg_pool.fetchval(f"select count(*) from {schema}.audit_trail") == last
    verdict = await verified(pg_pool, own_nc, schema)
    assert (verdict.checked, verdict.mismatch) == (last, None)
    indexes = {
        r["indexname"] for r in await pg_pool.fetch("select indexname from pg_indexes where schemaname = $1", schema)
    }
    assert {"audit_by_actor", "audit_by_time", "pledges_by_campaign"} <= indexes


async def test_the_audit_trail_records_an_envelope_this_code_would_refuse_and_audit_verify_passes(
    own_nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    js = own_nc.jetstream()
    made = pledge_made()
    await js.publish(Boundary("pledges", made.pledge_id).subject("PledgeMade"), pending(made).encode())
    newer = json.loads(pending(made).encode())
    newer["type"], newer["tenant"], newer["actor"]["role"] = "SomethingNew", "t-1", "auditor"  # a newer producer
    newer_seq = (await js.publish("ps.evt.other.default.x1.SomethingNew", json.dumps(newer).encode())).seq

    runner = ProjectionRunner(audit.projection, own_nc, servers.database_url, "PACESETTER", schema, until=newer_seq)
    assert await runner.run() == "finished"

    row = await pg_pool.fetchrow(f"select type, actor_role, data from {schema}.audit_trail where seq = $1", newer_seq)
    assert (row["type"], row["actor_role"], json.loads(row["data"])) == ("SomethingNew", "auditor", newer["data"])
    verdict = await verified(pg_pool, own_nc, schema)
    assert (verdict.checked, verdict.mismatch) == (newer_seq, None)
