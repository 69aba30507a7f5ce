"""A projector killed with SIGKILL in the middle of a long catch-up resumes to exactly a clean rebuild."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import pledge_board
from services.projections.runner import ProjectionRunner
from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import drop_schema, eventually, new_schema
from tests.support.builders import pending, pledge_made

STREAM = "PACESETTER"
PLEDGES = 25_000
NOISE_EVERY = 5  # one event of a type the pledge board does not read after every 5 pledges
KILLS = 3


@pytest.fixture
def crash_log(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A log of its own: 30k events would slow every other test that reads the whole session log."""
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def crash_nc(crash_log: EmbeddedNats) -> AsyncIterator[NATS]:
    conn = await nats.connect(crash_log.url)
    yield conn
    await conn.close()


async def populate(conn: NATS) -> int:
    """Publish the pledges and the noise pipelined (no per-event round trip); the last sequence."""
    await EventStore(conn, STREAM).ensure_stream()
    js = conn.jetstream(publish_async_max_pending=2000)
    for i in range(PLEDGES):
        made = pledge_made()
        await js.publish_async(Boundary("pledges", made.pledge_id).subject("PledgeMade"), pending(made).encode())
        if i % NOISE_EVERY == 0:
            await js.publish_async(f"ps.evt.other.default.n{i}.NoiseHappened", b'{"ignored": true}')
    await js.publish_async_completed()
    return int((await js.stream_info(STREAM)).state.last_seq)


def start_build(servers: Servers, url: str, schema: str, until: int) -> subprocess.Popen[bytes]:
    env = {**servers.env(), "NATS_URL": url, "STREAM_NAME": STREAM, "LOG_LEVEL": "WARNING"}
    command = ["-m", "services.projections.build", "--schema", schema, "--until", str(until), "--batch", "100"]
    return subprocess.Popen([sys.executable, *command, "pledge_board"], env=env, stdout=subprocess.PIPE)


async def checkpoint(pool: asyncpg.Pool, schema: str) -> int:
    try:
        seq = await pool.fetchval(f"select last_seq from {schema}.checkpoints where projection = 'pledge_board'")
    except asyncpg.UndefinedTableError:
        return 0
    return int(seq or 0)


IN_A_WRITE = """
select count(*) from pg_stat_activity
where application_name = $1 and state <> 'idle' and backend_xid is not null
"""


async def kill_when_past(pool: asyncpg.Pool, schema: str, proc: subprocess.Popen[bytes], seq: int) -> int:
    """SIGKILL the projector inside a write transaction once its checkpoint reaches `seq`; that checkpoint."""

    async def progress() -> tuple[int, int | None]:
        return await checkpoint(pool, schema), proc.poll()

    reached, code = await eventually(progress, lambda p: p[0] >= seq or p[1] is not None, f"checkpoint {seq}")
    assert code is None, f"the projector exited ({code}) before it could be killed"
    async with pool.acquire() as con:  # a tight loop: a batch's transaction lasts milliseconds
        for _ in range(2000):
            if await con.fetchval(IN_A_WRITE, f"projector {schema}.pledge_board"):
                break
    proc.kill()
    proc.wait(10)
    return reached


@pytest.mark.slow
async def test_a_projector_killed_mid_catch_up_resumes_to_exactly_a_clean_rebuild(
    crash_log: EmbeddedNats, crash_nc: NATS, servers: Servers, pg_pool: asyncpg.Pool
) -> None:
    started = time.monotonic()
    target = await populate(crash_nc)
    populated = time.monotonic()
    killed, clean = new_schema("killed"), new_schema("clean")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        kill_points: list[int] = []
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        for _ in range(KILLS):
            kill_at = await checkpoint(pg_pool, killed) + rng.randint(1, target // (3 * KILLS))
            proc = start_build(servers, crash_log.url, killed, target)
            procs.append(proc)
            seq = await kill_when_past(pg_pool, killed, proc, kill_at)
            assert seq < target, f"the catch-up finished before it could be killed (seed {seed}): publish more"
            kill_points.append(seq)

        proc = start_build(servers, crash_log.url, killed, target)
        procs.append(proc)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
        assert json.loads(out.splitlines()[-1])["outcomes"] == {"pledge_board": "finished"}
        resumed = time.monotonic()

        async with await nats.connect(crash_log.url) as conn:
            rebuild = ProjectionRunner(pledge_board.projection, conn, servers.database_url, STREAM, clean, batch=1000)
            rebuild.until = target
            assert await rebuild.run() == "finished"
        rebuilt = time.monotonic()

        assert await checkpoint(pg_pool, killed) == await checkpoint(pg_pool, clean) == target
        assert await pg_pool.fetchval(f"select count(*) from {killed}.pledges") == PLEDGES
        for a, b in ((killed, clean), (clean, killed)):
            diff = await pg_pool.fetch(f"select * from {a}.pledges except all select * from {b}.pledges limit 5")
            assert diff == [], f"rows in {a} but not in {b}: {diff}"
        print(
            f"\n{target} events: populate {populated - started:.1f}s, killed at {kill_points}, "
            f"resumed to the end {resumed - populated:.1f}s, clean rebuild {rebuilt - resumed:.1f}s "
            f"({target / (rebuilt - resumed):.0f} events/s)"
        )
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        await drop_schema(pg_pool, killed)
        await drop_schema(pg_pool, clean)
