"""Service processes for fault tests: `python -m <module>` per replica, SIGKILL and restart, all stopped at the end."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats.errors
from nats.aio.client import Client as NATS

from shared.runtime.health import ask_health, healthy

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Fleet:
    """Named processes (`pledges-0`, `projections`, …) on one environment, each logging to `<root>/<name>.log`."""

    env: dict[str, str]
    root: Path
    modules: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, module: str) -> subprocess.Popen[bytes]:
        self.modules[name] = module
        with (self.root / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", module], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, self.modules[name])

    def service(self, name: str) -> str:
        """The health subject's service name: the module's last part."""
        return self.modules[name].rsplit(".", 1)[-1]

    def log(self, name: str, tail: int = 3000) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-tail:]

    def stop_all(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    async def wait_healthy(self, nc: NATS, names: list[str] | None = None, within_s: float = 60.0) -> None:
        """Returns once each named process (all when None) answers its service's health request with ok."""
        pending = set(names or self.procs)
        deadline = time.monotonic() + within_s
        while pending:
            for name in sorted(pending):
                proc = self.procs[name]
                assert proc.poll() is None, f"{name} exited ({proc.returncode}):\n{self.log(name)}"
                try:
                    replies = await ask_health(nc, self.service(name), wait=0.3, done=healthy(proc.pid))
                except nats.errors.Error:  # our own connection is reconnecting
                    continue
                if any(healthy(proc.pid)(r) and r.get("pid") == proc.pid for r in replies):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise AssertionError(f"no healthy reply within {within_s}s from {sorted(pending)}")
            await asyncio.sleep(0.1)


@contextmanager
def fleet(env: dict[str, str], root: Path) -> Iterator[Fleet]:
    """A fleet whose processes are all stopped on exit, also when the test fails."""
    root.mkdir(parents=True, exist_ok=True)
    f = Fleet(env, root)
    try:
        yield f
    finally:
        f.stop_all()
