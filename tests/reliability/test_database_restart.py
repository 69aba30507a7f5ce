"""Database restart: PostgreSQL restarted (pg_ctl) in the middle of a projection catch-up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS
from structlog.testing import capture_logs

from services.projections import catalog
from services.projections.build import build
from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedPostgres
from shared.settings import Settings
from shared.subjects import Boundary
from tests.integration.projections_support import eventually
from tests.reliability.checks import assert_equals_clean_rebuild, checkpoints
from tests.reliability.conftest import STREAM
from tests.support.builders import pending, pledge_made

EVENTS = 12_000
BATCH = 100


@pytest.fixture
def private_pg(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert not (tmp_path / "pg" / "postmaster.pid").exists(), "the restarted PostgreSQL was left running"


@pytest_asyncio.fixture
async def private_pool(private_pg: EmbeddedPostgres) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(private_pg.dsn, min_size=1, max_size=3)
    yield pool
    await pool.close()


async def populate(nc: NATS, n: int) -> int:
    """`n` pledges published pipelined; the log's last sequence."""
    js = nc.jetstream(publish_async_max_pending=2000)
    for _ in range(n):
        made = pledge_made()
        await js.publish_async(Boundary("pledges", made.pledge_id).subject("PledgeMade"), pending(made).encode())
    await js.publish_async_completed()
    return int((await js.stream_info(STREAM)).state.last_seq)


async def wait_progress(pool: asyncpg.Pool, schema: str, past: int) -> int:
    async def lowest() -> int:
        cps = await checkpoints(pool, schema)
        return min(cps.values()) if len(cps) == len(catalog.PROJECTIONS) else 0

    return await eventually(lowest, lambda seq: seq > past, f"every projection past seq {past}", within_s=60)


@pytest.mark.slow
async def test_a_postgres_restart_during_catch_up_is_backed_off_and_the_result_equals_a_clean_rebuild(
    private_nc: NATS, private_nats_url: str, private_pg: EmbeddedPostgres, private_pool: asyncpg.Pool
) -> None:
    started = time.monotonic()
    await EventStore(private_nc, STREAM).ensure_stream()
    end = await populate(private_nc, EVENTS)
    settings = Settings(nats_url=private_nats_url, database_url=private_pg.dsn, stream_name=STREAM)
    with capture_logs() as logs:
        building = asyncio.create_task(build(settings, "live", end, BATCH))
        try:
            at = await wait_progress(private_pool, "live", EVENTS // 6)
            assert at < end, "the catch-up finished before the restart: publish more events"
            # -W: pg_ctl's own wait was seen to miss a server that was up; the runners' retries are the wait
            await asyncio.to_thread(private_pg.pg_ctl, "restart", "-m", "fast", "-W")
            built, outcomes = await asyncio.wait_for(building, 120)
        finally:
            building.cancel()
    assert (built, set(outcomes.values())) == (end, {"finished"}), outcomes
    backoffs = [e for e in logs if e["event"] == "transient failure; resuming from the checkpoint"]
    assert backoffs, "no runner backed off: the restart did not hit the catch-up"
    await assert_equals_clean_rebuild(private_pool, settings, "live", end)
    print(f"\n{end} events, restart at seq {at}, {len(backoffs)} back-offs; {time.monotonic() - started:.1f}s")
