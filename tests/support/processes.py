"""Run a service as its own process on the session's servers, healthy before use, stopped after."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from shared.subjects import health_subject

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def running_service(name: str, env: dict[str, str], nc: NATS) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`python -m services.<name>`, yielded once it answers health with its own pid; raises if it never does."""
    proc = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, not awaited here
        [sys.executable, "-m", f"services.{name}"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        await _await_health(name, proc, nc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _await_health(name: str, proc: subprocess.Popen[bytes], nc: NATS) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise RuntimeError(f"{name} exited with {proc.returncode}: {err}")
        try:
            inbox = nc.new_inbox()
            sub = await nc.subscribe(inbox)
            await nc.publish(health_subject(name), b"{}", reply=inbox)
            deadline = asyncio.get_running_loop().time() + 1
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                data = (await sub.next_msg(timeout=left)).data
                body = json.loads(data) if data.startswith(b"{") else {}
                if body.get("pid") == proc.pid and body.get("ok"):
                    await sub.unsubscribe()
                    return
        except (NoRespondersError, NatsTimeout, TimeoutError):
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} never became healthy")
