"""Broker restart: nats-server killed and started again on its store and port under load; everyone reconnects."""

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


def restarting(server: EmbeddedNats) -> object:
    async def restart_broker(fleet: Fleet, load: Load) -> None:
        server.kill()  # SIGKILL: acknowledged writes must survive a crash of the process
        assert server.start() == server.url, "the broker came back on another address"
        await fleet.wait_healthy(load.nc, within_s=90)

    return restart_broker


@pytest.mark.slow
async def test_after_a_broker_restart_services_and_projectors_reconnect_and_nothing_is_lost(
    servers: Servers,
    private_nats: EmbeddedNats,
    private_nc: NATS,
    pg_pool: asyncpg.Pool,
    read_schema: str,
    tmp_path: Path,
) -> None:
    fault = restarting(private_nats)
    await run_with_fault(servers, private_nats, private_nc, pg_pool, read_schema, tmp_path, fault)  # type: ignore[arg-type]
