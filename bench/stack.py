"""A fresh stack for one benchmark run: embedded NATS and PostgreSQL in a temp dir, each service its own process.

Built from the pieces `pacesetter up` uses (Servers, ServiceProcess, health over NATS), without its supervision
loop: a service that dies during a benchmark is an error to report, not something to restart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

from nats.aio.client import Client as NATS

from services.catalog import SERVICES
from shared.eventstore import EventStore
from shared.runtime.health import ask_health, connect, healthy
from shared.runtime.servers import Servers
from shared.runtime.stack import free_port
from shared.runtime.supervisor import ServiceProcess, ServiceSpec
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
HEALTH_TIMEOUT_S = 90.0


class BenchStack:
    """Start with `await start()`, always `await stop()` (idempotent)."""

    def __init__(self, keep: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pacesetter-bench-"))
        os.chmod(self.root, 0o755)  # embedded PostgreSQL runs as its own user and must reach its folder
        self.keep = keep
        self.settings = Settings(
            data_dir=self.root,
            nats_url=None,
            database_url=None,
            http_port=free_port("127.0.0.1"),
            log_level="WARNING",
            _env_file=None,  # type: ignore[call-arg]
        )
        self.servers = Servers(self.settings)
        self.procs: list[ServiceProcess] = []
        self.nc: NATS | None = None

    @property
    def nats_url(self) -> str:
        return self.servers.nats_url

    @property
    def dsn(self) -> str:
        return self.servers.database_url

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def stream(self) -> str:
        return self.settings.stream_name

    async def start(self) -> None:
        self.servers.start(lambda _msg: None)
        self.nc = await connect(self.nats_url, self.settings)
        await EventStore(self.nc, self.stream).ensure_stream(1, self.settings.duplicate_window_s)
        for spec in SERVICES:
            await self.spawn(spec)

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "NATS_URL": self.nats_url,
            "DATABASE_URL": self.dsn,
            "DATA_DIR": str(self.root),
            "STREAM_NAME": self.stream,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.settings.http_port),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    async def spawn(self, spec: ServiceSpec, replica: int = 1) -> ServiceProcess:
        """Start one process of `spec` and wait until it answers its health request."""
        label = spec.name if replica == 1 else f"{spec.name}-{replica}"
        proc = ServiceProcess(spec, self._env(), self.root / "logs" / f"{label}.log")
        proc.start()
        self.procs.append(proc)
        assert self.nc is not None
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            code = proc.returncode()
            if code is not None:
                raise RuntimeError(f"{label} exited with {code}:\n{proc.log_tail()}")
            replies = await ask_health(self.nc, spec.name, 0.5, healthy(proc.pid))
            if any(healthy(proc.pid)(r) for r in replies):
                return proc
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{label} not healthy within {HEALTH_TIMEOUT_S:.0f}s:\n{proc.log_tail()}")

    async def scale(self, name: str, replicas: int) -> None:
        """Run `replicas` processes of service `name` (starting or stopping the extra ones)."""
        spec = next(s for s in SERVICES if s.name == name)
        mine = [p for p in self.procs if p.spec.name == name]
        for r in range(len(mine) + 1, replicas + 1):
            await self.spawn(spec, r)
        for p in mine[replicas:]:
            p.terminate()
            p.reap()
            self.procs.remove(p)

    def pids(self) -> dict[str, int]:
        """Service label → pid of every running service process."""
        out: dict[str, int] = {}
        for p in self.procs:
            if p.pid is not None and p.returncode() is None:
                label = p.log_path.stem
                out[label] = p.pid
        return out

    def dead(self) -> list[str]:
        return [f"{p.log_path.stem} (exit {p.returncode()})" for p in self.procs if p.returncode() is not None]

    async def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.reap()
        self.procs = []
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.close()
        self.servers.stop()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
