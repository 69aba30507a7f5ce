"""Service crash: SIGKILL each service process in turn under load; clients retry with the same command ids."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from shared.runtime.embedded import EmbeddedNats
from tests.conftest import Servers
from tests.reliability.procs import Fleet
from tests.reliability.scenario import run_with_fault
from tests.reliability.workload import Load

KILL_ORDER = ("pledges-0", "evaluation-0", "projections", "pledges-1", "evaluation-1")


async def kill_each_in_turn(fleet: Fleet, load: Load) -> None:
    for name in KILL_ORDER:
        fleet.kill(name)
        await load.progressed(20, f"with {name} killed")
        fleet.restart(name)
        await fleet.wait_healthy(load.nc, [name])
        await load.progressed(20, f"after {name} restarted")


@pytest.mark.slow
async def test_killed_services_lose_nothing_apply_nothing_twice_and_projections_equal_a_rebuild(
    servers: Servers,
    private_nats: EmbeddedNats,
    private_nc: NATS,
    pg_pool: asyncpg.Pool,
    read_schema: str,
    tmp_path: Path,
) -> None:
    await run_with_fault(servers, private_nats, private_nc, pg_pool, read_schema, tmp_path, kill_each_in_turn)
