"""Poison events: the projections process stops a projection at an undecodable event, loudly, never skipping it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
from nats.aio.client import Client as NATS

from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats
from shared.runtime.health import HealthReply, ask_health
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import eventually
from tests.reliability.conftest import STREAM
from tests.reliability.procs import ROOT, fleet
from tests.reliability.scenario import stack_env
from tests.support.builders import pending, pledge_made

POISON = b'{"event_id": "not-an-envelope", "data": '


async def stopped_reply(nc: NATS, pid: int) -> HealthReply:
    replies = await ask_health(nc, "projections", wait=0.5)
    return next((r for r in replies if r.get("pid") == pid), {})


async def test_an_undecodable_event_stops_the_pledge_board_with_its_sequence_and_reason_in_health_and_status(
    servers: Servers,
    private_nats: EmbeddedNats,
    private_nc: NATS,
    pg_pool: asyncpg.Pool,
    read_schema: str,
    tmp_path: Path,
) -> None:
    js = private_nc.jetstream()
    good = pledge_made()
    await js.publish(Boundary("pledges", good.pledge_id).subject("PledgeMade"), pending(good).encode())
    poison_seq = (await js.publish(Boundary("pledges", "p-poison").subject("PledgeMade"), POISON)).seq
    after = pledge_made()
    await js.publish(Boundary("pledges", after.pledge_id).subject("PledgeMade"), pending(after).encode())
    env = stack_env(servers, private_nats.url, read_schema, tmp_path)

    with fleet(env, tmp_path / "logs") as f:
        proc = f.start("projections", "services.projections")
        reply = await eventually(
            lambda: stopped_reply(private_nc, proc.pid),
            lambda r: "pledge_board" in (r.get("stopped") or {}),
            "the pledge board reported stopped",
            within_s=30,
        )
        stop = reply["stopped"]["pledge_board"]
        assert reply["projections"]["pledge_board"] == "stopped"
        assert stop["seq"] == poison_seq and stop["subject"].endswith("p-poison.PledgeMade"), stop
        assert stop["reason"], stop
        row = await pg_pool.fetchrow(
            f"select state, seq, error from {read_schema}.projection_status where projection = 'pledge_board'"
        )
        assert (row["state"], row["seq"]) == ("stopped", poison_seq) and row["error"] == stop["reason"]
        checkpoint = await pg_pool.fetchval(
            f"select last_seq from {read_schema}.checkpoints where projection = 'pledge_board'"
        )
        assert checkpoint == poison_seq - 1, "the projection moved past the poison event"
        pledges = await pg_pool.fetch(f"select pledge_id from {read_schema}.pledges")
        assert [r["pledge_id"] for r in pledges] == [good.pledge_id], "an event after the poison was applied"

        status = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "services.cli", "status"],
            cwd=ROOT,
            env={**env, "DATA_DIR": str(tmp_path / "no-stack"), "COLUMNS": "400"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert f"pledge_board stopped at seq {poison_seq}" in status.stdout, status.stdout + status.stderr
        log = f.log("projections", tail=200_000)
        assert "projection stopped" in log and f'"seq": {poison_seq}' in log, log[-2000:]
    assert await EventStore(private_nc, STREAM).last_sequence(Boundary("pledges", "p-poison")) == poison_seq
