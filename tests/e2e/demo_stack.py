"""A running stack (`pacesetter up` on the session's servers, its own read schema) with the demo loaded."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Servers
from tests.e2e.test_up import PACESETTER, ROOT, Up, env_with, running_up, without_urls


@dataclass
class DemoStack:
    up: Up
    env: dict[str, str]  # for the CLI: finds the stack through DATA_DIR/stack.json
    schema: str

    @property
    def http(self) -> str:
        return str(self.up.info["http_url"])

    @property
    def database_url(self) -> str:
        return str(self.up.info["database_url"])

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PACESETTER, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)  # fmt: skip

    def settled(self) -> int:
        """Waits until every projection (and the score policy) reached the log's end twice in a row; the end."""
        deadline, last = time.monotonic() + 90, -1
        while time.monotonic() < deadline:
            infos: list[dict[str, Any]] = httpx.get(f"{self.http}/projections", timeout=5).json()
            ends = {i["log_end"] for i in infos}
            if infos and all(i["lag"] == 0 for i in infos) and len(ends) == 1:
                end = ends.pop()
                if end == last:
                    return int(end)
                last = end
            time.sleep(0.3)
        raise AssertionError(f"projections did not catch up: {infos}")


@contextmanager
def demo_stack(servers: Servers, tmp: Path) -> Iterator[DemoStack]:
    data_dir = tmp / "var"
    schema = f"demo_{uuid.uuid4().hex[:10]}"
    env = env_with(data_dir, servers.env(), READ_SCHEMA=schema, LOG_JSON="false")
    with running_up(env, data_dir) as up:
        stack = DemoStack(up, {**without_urls(env), "COLUMNS": "200"}, schema)
        done = stack.cli("demo")
        assert done.returncode == 0, done.stdout + done.stderr
        stack.settled()
        yield stack
