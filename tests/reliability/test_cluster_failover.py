"""Cluster failover: SIGKILL the stream leader of a 3-node cluster (replicas 3) under a load of appends."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from nats.aio.client import Client as NATS

from services.pledges.domain import pledge_decider
from shared.commands import Reply
from shared.eventstore import EventStore
from shared.natsauth import client_options
from shared.runtime.provision import provision
from shared.shell import CommandShell
from tests.integration.projections_support import eventually
from tests.reliability.checks import assert_each_acknowledged_command_once
from tests.reliability.cluster import Cluster, cluster
from tests.reliability.conftest import STREAM, connect
from tests.reliability.load import Ledger
from tests.support.builders import make_pledge

WORKERS = 8
BEFORE, AFTER = 150, 150  # acknowledged commands before the kill, and after it
GIVE_UP_S = 60.0


class Appender:
    """Clients of the command shell that retry a failed append with the same command (so the same event ids)."""

    def __init__(self, store: EventStore) -> None:
        self.shell = CommandShell(store, "pledges", pledge_decider)
        self.ledger = Ledger()
        self.errors: Counter[str] = Counter()
        self.stop = asyncio.Event()

    async def one(self) -> None:
        cmd = make_pledge()
        self.ledger.commands[cmd.command_id] = cmd
        deadline = time.monotonic() + GIVE_UP_S
        while True:
            try:
                reply: Reply = await self.shell.execute(cmd.pledge_id, cmd)
            except Exception as exc:  # timeouts, no responders, "JetStream not ready" while a leader is elected
                self.errors[type(exc).__name__] += 1
                assert time.monotonic() < deadline, f"no append of {cmd.command_id} in {GIVE_UP_S}s: {self.errors}"
                await asyncio.sleep(0.1)
                continue
            self.ledger.replies[cmd.command_id] = reply
            return

    async def run(self) -> None:
        async def worker() -> None:
            while not self.stop.is_set():
                await self.one()

        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    async def acked(self, at_least: int, what: str) -> None:
        await eventually(lambda: _count(self), lambda n: n >= at_least, what, within_s=GIVE_UP_S)


async def _count(appender: Appender) -> int:
    return len(appender.ledger.acknowledged)


async def leader_of(conn: NATS) -> str:
    info = await conn.jetstream(timeout=5).stream_info(STREAM)
    assert info.cluster is not None and info.cluster.leader, f"no leader: {info.cluster}"
    return str(info.cluster.leader)


def local_state(c: Cluster, name: str) -> tuple[int, int]:
    """(messages, last seq) of the stream as node `name` stores it."""
    jsz = c.nodes[name].monitoring("/jsz?streams=true")
    for account in jsz.get("account_details") or []:
        for stream in account.get("stream_detail") or []:
            if stream["name"] == STREAM:
                return int(stream["state"]["messages"]), int(stream["state"]["last_seq"])
    return (0, 0)


@pytest.mark.slow
async def test_killing_the_stream_leader_loses_no_acknowledged_event_and_the_node_catches_up(tmp_path: Path) -> None:
    started = time.monotonic()
    with cluster(tmp_path / "cluster") as c:
        await provision(c.operator().model_copy(update={"stream_name": STREAM, "stream_replicas": 3}))
        conn = await _operator(c)
        try:
            store = EventStore(conn, STREAM)
            appender = Appender(store)
            load = asyncio.create_task(appender.run())
            try:
                await appender.acked(BEFORE, f"{BEFORE} appends before the kill")
                leader = await leader_of(conn)
                c.kill(leader)
                killed_at = len(appender.ledger.acknowledged)
                await appender.acked(killed_at + AFTER, f"{AFTER} appends after killing leader {leader}")
                new_leader = await leader_of(conn)
                assert new_leader != leader
            finally:
                appender.stop.set()
                await load
            c.start(leader)
            c.wait_ready((leader,))
            end = int((await conn.jetstream().stream_info(STREAM)).state.last_seq)
            expected = (end, end)  # nothing deleted: messages == last seq
            await eventually(
                lambda: asyncio.to_thread(local_state, c, leader), lambda s: s == expected, f"{leader} catching up"
            )
            events = await assert_each_acknowledged_command_once(conn, STREAM, appender.ledger)
        finally:
            await conn.close()
    print(
        f"\n{events} events, {len(appender.ledger.acknowledged)} acknowledged; killed leader {leader}, "
        f"new leader {new_leader}; retried errors {dict(appender.errors)}; {time.monotonic() - started:.1f}s"
    )


async def _operator(c: Cluster) -> NATS:
    conn = await connect(c.urls(), **client_options(c.operator()))
    return conn
