"""The command server on a real NATS server: bounded concurrency, one reply per request, a clean stop."""

from __future__ import annotations

import asyncio
import json

from nats.aio.client import Client as NATS

from services.pledges.commands import SubmitPledge
from shared.commands import Reply
from shared.commandserver import CommandRoute, CommandServer
from shared.ids import new_id
from tests.support.pledges import submit


async def test_commands_run_at_most_concurrency_at_a_time_and_each_gets_its_reply(nc: NATS) -> None:
    pattern = f"ps.cmd.test-{new_id()}.{{organisation}}.SubmitPledge"
    subject = pattern.replace("{organisation}", "default")
    running, most, full, release = 0, 0, asyncio.Event(), asyncio.Event()

    async def slow(cmd: SubmitPledge) -> Reply:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 3:
            full.set()
        await release.wait()
        running -= 1
        return Reply.accepted([])

    server = CommandServer(nc, "test", concurrency=3)
    await server.start([CommandRoute.of(pattern, slow)])
    requests = [asyncio.create_task(nc.request(subject, submit().model_dump_json().encode(), 10)) for _ in range(8)]
    await full.wait()
    await asyncio.sleep(0.1)  # room for a fourth command to start, were the bound not kept
    release.set()

    replies = [json.loads((await r).data) for r in requests]
    await server.stop(grace_s=1)

    assert most == 3
    assert [r["ok"] for r in replies] == [True] * 8


async def test_a_stopped_server_lets_commands_in_flight_reply(nc: NATS) -> None:
    pattern = f"ps.cmd.test-{new_id()}.{{organisation}}.SubmitPledge"
    subject = pattern.replace("{organisation}", "default")
    started, release = asyncio.Event(), asyncio.Event()

    async def held(cmd: SubmitPledge) -> Reply:
        started.set()
        await release.wait()
        return Reply.accepted([])

    server = CommandServer(nc, "test", concurrency=4)
    await server.start([CommandRoute.of(pattern, held)])
    request = asyncio.create_task(nc.request(subject, submit().model_dump_json().encode(), 10))
    await started.wait()

    stopping = asyncio.create_task(server.stop(grace_s=10))
    release.set()
    await stopping

    assert json.loads((await request).data)["ok"] is True
