"""Services as their own processes on the session's servers: started, ready once healthy, always stopped."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from nats.aio.client import Client as NATS

from shared.subjects import health_subject

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running(env: dict[str, str], logs: Path, services: list[str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`python -m services.<name>` for each name (repeat a name for replicas), logs in `logs`; stopped on exit."""
    logs.mkdir(parents=True, exist_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=env,
            stdout=(logs / f"{name}-{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, name in enumerate(services)
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
                    body = json.loads(msg.data) if msg.data.startswith(b"{") else {}  # no responders: empty
                    if body.get("ok"):
                        ready.add(body["pid"])
            except TimeoutError:
                pass
            finally:
                await sub.unsubscribe()
        if ready >= {p.pid for p in procs}:
            return
    raise AssertionError(f"services ready: {ready} of {[p.pid for p in procs]}")


@asynccontextmanager
async def healthy(
    env: dict[str, str], logs: Path, services: list[str], nc: NATS
) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    """`running` services, yielded once every one of them is healthy."""
    with running(env, logs, services) as procs:
        await wait_healthy(nc, procs, services)
        yield procs
