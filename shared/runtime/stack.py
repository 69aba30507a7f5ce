"""`pacesetter up`: servers (embedded unless URLs are set), then every service as its own process, supervised."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from nats.aio.client import Client as NATS
from nats.errors import NoServersError

from shared.eventstore import EventStore, ServerTooOld, StreamConfigDrift
from shared.runtime.embedded import EmbeddedServerError
from shared.runtime.health import ask_health, connect, healthy
from shared.runtime.secure import as_operator, service_credentials
from shared.runtime.servers import Servers
from shared.runtime.stackfile import StackInfo, lock_data_dir, remove_stack, unlock_data_dir, write_stack
from shared.runtime.supervisor import RestartPolicy, ServiceProcess, ServiceSpec
from shared.settings import Settings
from shared.subjects import health_subject

Level = Literal["info", "warning", "error"]
Notify = Callable[[Level, str], None]


class StackError(RuntimeError):
    """The stack could not start, or could not keep running; the message names the service and its log."""


def free_port(host: str) -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class Stack:
    """One running stack: `run()` starts it, supervises it and stops it (services first, then servers)."""

    def __init__(
        self,
        settings: Settings,
        services: Sequence[ServiceSpec],
        notify: Notify,
        *,
        health_timeout: float = 60.0,
        policy: RestartPolicy | None = None,
    ) -> None:
        port = settings.http_port or free_port(settings.http_host)
        self.settings = as_operator(
            settings.model_copy(update={"data_dir": settings.data_dir.resolve(), "http_port": port})
        )
        self.specs = tuple(services)
        self.notify = notify
        self.health_timeout = health_timeout
        self.policy = policy or RestartPolicy()
        self.servers = Servers(self.settings)
        self.procs: list[ServiceProcess] = []
        self._failure: str | None = None
        self._started_at = datetime.now(UTC)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def http_url(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}"

    async def run(self, on_ready: Callable[[StackInfo], None]) -> None:
        """Start everything, call `on_ready`, supervise until SIGINT/SIGTERM, stop everything; raises StackError."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        lock = lock_data_dir(self.data_dir)
        nc: NATS | None = None
        try:
            self.servers.start(lambda msg: self.notify("info", msg))
            nc = await connect(self.servers.nats_url, self.settings, keep_trying=True)
            await self._prepare_stream(nc)
            self._spawn_all()
            if await self._await_all_healthy(nc, stop):
                on_ready(self._write_info())
                await self._supervise(nc, stop)
        except (
            EmbeddedServerError,
            NoServersError,
            ServerTooOld,
            StreamConfigDrift,
            OSError,
            subprocess.SubprocessError,
        ) as exc:
            self._failure = f"{type(exc).__name__}: {exc}"
        finally:
            await self._shutdown(nc)
            unlock_data_dir(lock)
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        if self._failure is not None:
            raise StackError(self._failure)

    async def _prepare_stream(self, nc: NATS) -> None:
        """Refuse a too-old server and create the log's stream once, before services race to do it."""
        store = EventStore(nc, self.settings.stream_name, self.settings.command_timeout_s)
        await store.ensure_stream(self.settings.stream_replicas, self.settings.duplicate_window_s)

    def _service_env(self) -> dict[str, str]:
        s = self.settings
        return {
            **os.environ,
            "NATS_URL": self.servers.nats_url,
            "DATABASE_URL": self.servers.database_url,
            "DATA_DIR": str(s.data_dir),
            "STREAM_NAME": s.stream_name,
            "HTTP_HOST": s.http_host,
            "HTTP_PORT": str(s.http_port),
            "PYTHONUNBUFFERED": "1",
        }

    def _log(self, spec: ServiceSpec) -> Path:
        return self.data_dir / "logs" / f"{spec.name}.log"

    def _spawn_all(self) -> None:
        env = self._service_env()
        for spec in self.specs:
            proc = ServiceProcess(spec, {**env, **service_credentials(self.settings, spec.name)}, self._log(spec))
            proc.start()
            self.procs.append(proc)
            self.notify("info", f"started {spec.name} (pid {proc.pid}, log {proc.log_path})")

    async def _await_all_healthy(self, nc: NATS, stop: asyncio.Event) -> bool:
        """True once every service answered; False if a stop was requested first; raises StackError."""
        for proc in self.procs:
            if not await self._await_healthy(nc, proc, stop):
                return False
        return True

    async def _await_healthy(self, nc: NATS, proc: ServiceProcess, stop: asyncio.Event) -> bool:
        """True once `proc` answers its health request; False on a stop request; raises StackError."""
        deadline = time.monotonic() + self.health_timeout
        while not stop.is_set():
            code = proc.returncode()
            if code is not None:
                raise StackError(
                    f"{proc.name} exited with code {code} before it became healthy; see {proc.log_path}\n"
                    f"{proc.log_tail()}"
                )
            replies = await ask_health(nc, proc.name, 0.5, healthy(proc.pid))
            if any(healthy(proc.pid)(r) for r in replies):
                return True
            if time.monotonic() > deadline:
                raise StackError(
                    f"{proc.name} (pid {proc.pid}) did not answer {health_subject(proc.name)} within "
                    f"{self.health_timeout:.0f}s; see {proc.log_path}"
                )
            await _sleep_unless(stop, 0.2)
        return False

    async def _supervise(self, nc: NATS, stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as tasks:
            for proc in self.procs:
                tasks.create_task(self._watch(nc, proc, stop))

    async def _watch(self, nc: NATS, proc: ServiceProcess, stop: asyncio.Event) -> None:
        """Report a dead service loudly and restart it under the policy; give up by stopping the stack."""
        while not await _sleep_unless(stop, 0.5):
            code = proc.returncode()
            if code is None:
                continue
            self.notify("error", f"{proc.name} (pid {proc.pid}) died with exit code {code}; see {proc.log_path}")
            delay = self.policy.next_delay(proc.restarts, time.monotonic())
            if delay is None:
                self._failure = (
                    f"{proc.name} died {len(proc.restarts) + 1} times within {self.policy.window_s:.0f}s; "
                    f"stopping the stack. See {proc.log_path}\n{proc.log_tail()}"
                )
                stop.set()
                return
            self.notify("warning", f"restarting {proc.name} in {delay:.0f}s")
            if await _sleep_unless(stop, delay):
                return
            proc.restarts.append(time.monotonic())
            proc.start()
            try:
                if await self._await_healthy(nc, proc, stop):
                    self.notify("info", f"{proc.name} is healthy again (pid {proc.pid})")
                    self._write_info()
            except StackError as exc:
                self.notify("error", str(exc))

    def _write_info(self) -> StackInfo:
        info = StackInfo(
            nats_url=self.servers.nats_url,
            database_url=self.servers.database_url,
            http_url=self.http_url,
            stream=self.settings.stream_name,
            data_dir=str(self.data_dir),
            pid=os.getpid(),
            started_at=self._started_at,
            services={p.name: p.pid for p in self.procs if p.pid is not None},
            servers=self.servers.pids(),
        )
        write_stack(info, self.data_dir)
        return info

    async def _shutdown(self, nc: NATS | None) -> None:
        """Services first (SIGTERM to all, then wait), then the connection, then the embedded servers."""
        remove_stack(self.data_dir)
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.reap()
        if self.procs:
            self.notify("info", "services stopped")
        if nc is not None:
            await nc.close()
        self.servers.stop()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True if `stop` was set (at once or meanwhile)."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
