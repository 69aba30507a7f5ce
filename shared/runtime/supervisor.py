"""Service processes of a stack: each `python -m <module>` with its own log file, and the restart policy."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One service process: its name (also its health subject's last token) and the module `-m` runs."""

    name: str
    module: str


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """When to restart a service that died: a simple bounded policy rather than tenacity.

    tenacity retries one call; here each restart is a new process whose failures are spread over time, so
    the rule is stated directly: wait base, 2*base, 4*base, … (capped at max_delay_s) and give up after
    max_restarts restarts within window_s, so a crash loop ends the stack loudly instead of spinning.
    """

    max_restarts: int = 5
    window_s: float = 300.0
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def next_delay(self, restarts: list[float], now: float) -> float | None:
        """Seconds to wait before the next restart, or None to give up; `restarts` are earlier restart times."""
        recent = [t for t in restarts if now - t < self.window_s]
        if len(recent) >= self.max_restarts:
            return None
        return float(min(self.max_delay_s, self.base_delay_s * 2 ** len(recent)))


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the service gets SIGTERM if `up` dies without stopping it (kill -9), so no orphan lingers."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ServiceProcess:
    """A running (or stopped) service process; its stdout and stderr go to `log_path`."""

    spec: ServiceSpec
    env: Mapping[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    restarts: list[float] = field(default_factory=list, init=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self) -> None:
        """Spawn `python -m <module>` in its own session (Ctrl-C reaches `up` only, which stops it in order)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- pacesetter up: starting {self.spec.module} at {datetime.now(UTC).isoformat()}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.spec.module],
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def returncode(self) -> int | None:
        """The exit code if the process has ended, else None."""
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        """Ask the process to stop (SIGTERM); `reap` waits for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def reap(self, timeout: float = 10.0) -> None:
        """Wait for the process to end, SIGKILL it after `timeout` seconds."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 12) -> str:
        """The last lines of the log, to show beside an error."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 8192))
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
