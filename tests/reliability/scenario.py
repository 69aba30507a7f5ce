"""One fault scenario: services and projections on a private NATS, a steady load, a fault, then the checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from nats.aio.client import Client as NATS

from shared.runtime.embedded import EmbeddedNats
from shared.settings import Settings
from tests.conftest import Servers
from tests.reliability.checks import (
    assert_each_acknowledged_command_once,
    assert_equals_clean_rebuild,
    last_seq,
    wait_caught_up,
)
from tests.reliability.conftest import STREAM
from tests.reliability.procs import Fleet, fleet
from tests.reliability.workload import Load, ballots, mixed, open_ballot_round, pledge_lives

# Two replicas of each write service under load, one projections process.
PROCESSES = {
    "pledges-0": "services.pledges",
    "pledges-1": "services.pledges",
    "evaluation-0": "services.evaluation",
    "evaluation-1": "services.evaluation",
    "projections": "services.projections",
}
VOTERS = 400


def stack_env(servers: Servers, nats_url: str, schema: str, root: Path) -> dict[str, str]:
    env = {
        **servers.env(),
        "NATS_URL": nats_url,
        "STREAM_NAME": STREAM,
        "READ_SCHEMA": schema,
        "HTTP_PORT": "0",
        "DATA_DIR": str(root / "data"),
        "COMMAND_TIMEOUT_S": "2",
        "PROJECTION_BATCH": "200",
    }
    env.pop("BALLOT_SECRET", None)
    return env


Fault = Callable[[Fleet, Load], Awaitable[None]]


async def run_with_fault(
    servers: Servers, nats: EmbeddedNats, nc: NATS, pool: asyncpg.Pool, schema: str, root: Path, fault: Fault
) -> dict[str, float]:
    """Start the stack, run the load with `fault` in its middle, then check the log and the projections."""
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    with fleet(stack_env(servers, nats.url, schema, root), root / "logs") as f:
        for name, module in PROCESSES.items():
            f.start(name, module)
        await f.wait_healthy(nc)
        load = Load(nc)
        rid, voter_ids = await open_ballot_round(nc, load.ledger, VOTERS)
        running = asyncio.create_task(load.run(mixed(pledge_lives(), ballots(rid, voter_ids))))
        try:
            await load.progressed(50, "before the fault")
            await fault(f, load)
            await load.progressed(50, "after the fault")
        finally:
            load.stop.set()
            await running
        timings["load+fault"] = time.monotonic() - t0
        end = await last_seq(nc, STREAM)
        await wait_caught_up(pool, schema, end)
        events = await assert_each_acknowledged_command_once(nc, STREAM, load.ledger)
        settings = Settings(nats_url=nats.url, database_url=servers.database_url, stream_name=STREAM)
        await assert_equals_clean_rebuild(pool, settings, schema, end)
        await f.wait_healthy(nc)
    timings["total"] = time.monotonic() - t0
    print(
        f"\n{len(load.ledger.replies)} commands ({len(load.ledger.acknowledged)} acknowledged, "
        f"{load.ledger.retries} retried attempts), {events} events; {timings}"
    )
    return timings
