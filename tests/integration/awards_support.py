"""Running services for the awards tests: subprocesses on the session's servers, ready when healthy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nats.aio.client import Client as NATS

from shared.commands import Command, Reply
from shared.eventstore import EventStore
from shared.subjects import Boundary, command_subject, health_subject
from tests.conftest import Servers

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running(servers: Servers, root: Path, modules: list[str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`python -m <module>` for each module (repeat a module for replicas); all stopped on exit."""
    env = {**servers.env(), "DATA_DIR": str(root / "data")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env=env,
            stdout=(root / f"{module}-{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, module in enumerate(modules)
    ]
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


async def wait_healthy(nc: NATS, procs: list[subprocess.Popen[bytes]], services: list[str]) -> None:
    """Returns once every process answers its service's health check as connected to the log."""
    ready: set[int] = set()
    for _ in range(300):
        assert all(p.poll() is None for p in procs), "a service exited during start-up"
        for name in set(services):
            inbox = nc.new_inbox()
            sub = await nc.subscribe(inbox)
            await nc.publish(health_subject(name), b"", reply=inbox)
            try:
                while True:
                    msg = await sub.next_msg(timeout=0.1)
                    body = json.loads(msg.data) if msg.data else {}
                    if body.get("ok"):
                        ready.add(body["pid"])
            except TimeoutError:
                pass
            finally:
                await sub.unsubscribe()
        if ready >= {p.pid for p in procs}:
            return
    raise AssertionError(f"services ready: {ready} of {[p.pid for p in procs]}")


async def send(nc: NATS, context: str, body: Command | bytes, name: str | None = None) -> Reply:
    data = body if isinstance(body, bytes) else body.model_dump_json().encode()
    msg = await nc.request(command_subject(context, name or type(body).__name__), data, timeout=60)
    return Reply.model_validate_json(msg.data)


async def ok(nc: NATS, context: str, body: Command) -> Reply:
    reply = await send(nc, context, body)
    assert reply.ok, (type(body).__name__, reply.error)
    return reply


async def boundary_seq(store: EventStore, context: str, boundary_id: str) -> int:
    return await store.last_sequence(Boundary(context, boundary_id))
