"""`pacesetter up`, `send` and `status` as a user runs them: real processes, real servers, SIGTERM at the end."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from shared.events import Actor, Role
from shared.events.pledges import Pledger
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.runtime.stackfile import stack_path
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.support.builders import ledger_line, make_pledge

ROOT = Path(__file__).resolve().parents[2]
PACESETTER = str(Path(sys.executable).parent / "pacesetter")
HEAD = Actor(member_id="m-head", role=Role.unit_head, unit_id="u-service")
HAS_PROJECTIONS = importlib.util.find_spec("services.projections.__main__") is not None
START_TIMEOUT_S = 120.0
URL_VARS = ("NATS_URL", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gone(pid: int) -> bool:
    """The process has exited (a zombie counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")


@dataclass
class Up:
    proc: subprocess.Popen[bytes]
    data_dir: Path
    output: Path
    info: dict[str, Any]

    def all_pids(self) -> list[int]:
        return [*self.info["services"].values(), *self.info["servers"].values()]


def _await_stack(proc: subprocess.Popen[bytes], data_dir: Path, output: Path) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"up exited with {proc.returncode}:\n{output.read_text()}"
        with suppress(FileNotFoundError, ValueError):
            info: dict[str, Any] = json.loads(stack_path(data_dir).read_text())
            if info["pid"] == proc.pid:
                return info
        time.sleep(0.2)
    raise AssertionError(f"up wrote no stack.json within {START_TIMEOUT_S}s:\n{output.read_text()}")


@contextmanager
def running_up(env: dict[str, str], data_dir: Path, *only: str) -> Iterator[Up]:
    """`pacesetter up` until the block ends; on the way out everything it started is stopped, also on failure."""
    output = data_dir.parent / f"up-{time.monotonic_ns()}.out"
    args = [PACESETTER, "up", *(a for name in only for a in ("--only", name))]
    with output.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    up = Up(proc, data_dir, output, {"services": {}, "servers": {}})
    try:
        up.info = _await_stack(proc, data_dir, output)
        yield up
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in up.all_pids():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def stop(up: Up) -> None:
    """SIGTERM `up`, as Ctrl-C or a service manager would, and check that it and its children are gone."""
    up.proc.send_signal(signal.SIGTERM)
    assert up.proc.wait(60) == 0, up.output.read_text()
    assert [pid for pid in up.all_pids() if not gone(pid)] == []
    assert not stack_path(up.data_dir).exists()


def send(env: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """`pacesetter send MakePledge` with the actor given by options and no command_id (the CLI adds one)."""
    args = ["send", "MakePledge", json.dumps(body), "--actor-member", HEAD.member_id, "--actor-role", "unit_head"]
    args += ["--actor-unit", str(HEAD.unit_id)]
    done = subprocess.run([PACESETTER, *args], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert done.stdout, done.stderr.decode()
    return done.returncode, json.loads(done.stdout)


def status(env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run([PACESETTER, "status"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode() + done.stderr.decode()


def unit_pledge() -> dict[str, Any]:
    cmd = make_pledge(
        actor=HEAD,
        pledger=Pledger(kind="unit", id=str(HEAD.unit_id)),
        lines=(ledger_line(responsible_member_id=HEAD.member_id),),
    )
    return cmd.model_dump(mode="json", exclude={"command_id", "actor", "correlation_id", "causation_id"})


def env_with(data_dir: Path, base: dict[str, str], **extra: str) -> dict[str, str]:
    return {**base, "DATA_DIR": str(data_dir), "HTTP_PORT": str(free_port()), "LOG_JSON": "true", **extra}


def without_urls(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in URL_VARS}


def await_pledge(http_url: str, pledge_id: str) -> dict[str, Any]:
    """Polls the read API until the projection shows the pledge (bounded)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(f"{http_url}/pledges/{pledge_id}", timeout=5)
        if response.status_code == 200:
            return dict(response.json())
        assert response.status_code == 404, response.text
        time.sleep(0.2)
    raise AssertionError(f"pledge {pledge_id} never appeared at {http_url}")


async def test_up_runs_every_service_on_given_servers_and_stops_them_all(
    servers: Servers, store: EventStore, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    env = env_with(data_dir, servers.env(), READ_SCHEMA=f"up_{uuid.uuid4().hex[:12]}")  # apart from other tests
    only = () if HAS_PROJECTIONS else ("pledges",)
    with running_up(env, data_dir, *only) as up:
        assert up.info["servers"] == {}, "with both URLs set, up starts no server"
        assert up.info["nats_url"] == servers.nats_url
        body = unit_pledge()
        code, reply = send(without_urls(env), body)  # finds the stack through DATA_DIR/stack.json
        assert (code, reply["ok"]) == (0, True), reply
        [appended] = reply["events"]
        [recorded] = await store.load(Boundary("pledges", body["pledge_id"]))
        assert (recorded.seq, recorded.envelope.type) == (appended["seq"], "PledgeMade")
        assert recorded.envelope.actor == HEAD
        assert uuid.UUID(recorded.envelope.command_id).version == 7
        code, table = status(without_urls(env))
        assert code == 0, table
        if not HAS_PROJECTIONS:
            pytest.skip("services/projections has no __main__ yet: the read API part is not checked")
        shown = await_pledge(up.info["http_url"], body["pledge_id"])
        assert (shown["title"], shown["last_seq"]) == (body["title"], appended["seq"])
        stop(up)


async def test_up_without_urls_starts_embedded_servers_and_a_second_up_reuses_their_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = env_with(data_dir, without_urls(dict(os.environ)))
    body, marker = unit_pledge(), f"marker_{new_id().replace('-', '_')}"
    with running_up(env, data_dir) as first:
        assert set(first.info["servers"]) == {"nats", "postgres"}
        code, reply = send(env, body)
        assert (code, reply["ok"]) == (0, True), reply
        conn = await asyncpg.connect(first.info["database_url"])
        await conn.execute(f"create table {marker} (x int)")
        await conn.close()
        stop(first)
    env["HTTP_PORT"] = str(free_port())
    with running_up(env, data_dir) as second:
        nc = await nats.connect(second.info["nats_url"])
        try:
            [recorded] = await EventStore(nc, second.info["stream"]).load(Boundary("pledges", body["pledge_id"]))
        finally:
            await nc.close()
        assert recorded.seq == reply["events"][0]["seq"]
        conn = await asyncpg.connect(second.info["database_url"])
        assert await conn.fetchval("select to_regclass($1) is not null", marker)
        await conn.close()
        stop(second)
