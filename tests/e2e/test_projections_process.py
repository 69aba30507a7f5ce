"""`python -m services.projections` as its own process: health over NATS, a pledge over HTTP, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from shared.eventstore import EventStore
from shared.subjects import health_subject
from tests.conftest import Servers
from tests.integration.projections_support import append_pledge, eventually, new_schema
from tests.support.builders import make_pledge


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def projections(servers: Servers, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """The process on a free port, building into a schema of its own; killed at the end if still alive."""
    port, log = free_port(), tmp_path / "projections.log"
    env = {**servers.env(), "HTTP_PORT": str(port), "READ_SCHEMA": new_schema("e2e")}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.projections"], env=env, stdout=out, stderr=out)
    try:
        yield proc, f"http://127.0.0.1:{port}", log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


async def health_of(nc: NATS, pid: int) -> dict[str, object] | None:
    """Our process's health reply among every instance's replies within half a second, or None."""
    replies: list[dict[str, object]] = []

    async def collect(msg: Msg) -> None:
        if msg.data:  # an empty message is the server's "no responders"
            replies.append(json.loads(msg.data))

    sub = await nc.subscribe(nc.new_inbox(), cb=collect)
    try:
        await nc.publish(health_subject("projections"), b"", reply=sub.subject)
        await asyncio.sleep(0.5)
    finally:
        await sub.unsubscribe()
    return next((r for r in replies if r.get("pid") == pid), None)


async def pledge_over_http(url: str) -> int | dict[str, object]:
    async with httpx.AsyncClient(timeout=2) as http:
        try:
            reply = await http.get(url)
        except httpx.TransportError:
            return 0
    return reply.json() if reply.status_code == 200 else reply.status_code


async def test_the_process_answers_health_serves_a_new_pledge_and_stops_on_sigterm(
    projections: tuple[subprocess.Popen[bytes], str, Path], nc: NATS, store: EventStore
) -> None:
    proc, base, log = projections

    health = await eventually(lambda: health_of(nc, proc.pid), bool, f"a health reply (log: {log})", within_s=30)
    assert health is not None and health["ok"] is True and health["http"] == base
    cmd = make_pledge()
    seq = await append_pledge(store, cmd)

    pledge = await eventually(
        lambda: pledge_over_http(f"{base}/pledges/{cmd.pledge_id}"), lambda r: isinstance(r, dict), "the pledge"
    )
    assert isinstance(pledge, dict) and (pledge["title"], pledge["last_seq"]) == (cmd.title, seq)
    states = (await httpx.AsyncClient().get(f"{base}/health")).json()["projections"]
    assert states == dict.fromkeys(("pledge_board", "scores_board", "boards", "audit_trail", "score_policy"), "active")

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0, log.read_text()[-2000:]
    assert '"stopped"' in log.read_text()
