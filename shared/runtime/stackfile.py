"""Where the running stack is: `<DATA_DIR>/stack.json`, written by `pacesetter up`, read by the other verbs."""

from __future__ import annotations

import contextlib
import fcntl
import os
from datetime import datetime
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from shared.settings import Settings

NO_STACK = "no running stack: start it with `make run`"


class StackInfo(BaseModel):
    """What `up` started: the URLs to reach it, and the process ids (`pid` is `up` itself)."""

    nats_url: str
    database_url: str
    http_url: str
    stream: str
    data_dir: str
    pid: int
    started_at: datetime
    services: dict[str, int]
    servers: dict[str, int]


class NoRunningStack(RuntimeError):
    """Neither the environment nor a live `<DATA_DIR>/stack.json` says where the stack is."""


class StackAlreadyRunning(RuntimeError):
    """Another `up` holds the data folder."""


def stack_path(data_dir: Path) -> Path:
    return data_dir / "stack.json"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_stack(info: StackInfo, data_dir: Path) -> None:
    """Replace stack.json atomically, so a reader never sees half a file."""
    tmp = stack_path(data_dir).with_suffix(".json.tmp")
    tmp.write_text(info.model_dump_json(indent=2))
    tmp.replace(stack_path(data_dir))


def remove_stack(data_dir: Path) -> None:
    stack_path(data_dir).unlink(missing_ok=True)


def read_stack(data_dir: Path) -> StackInfo:
    """The running stack's info; raises NoRunningStack if there is no file or its `up` is gone."""
    path = stack_path(data_dir)
    try:
        info = StackInfo.model_validate_json(path.read_text())
    except FileNotFoundError:
        raise NoRunningStack(f"{NO_STACK} (no {path})") from None
    except ValueError as exc:
        raise NoRunningStack(f"{NO_STACK} ({path} is unreadable: {exc})") from None
    if not pid_alive(info.pid):
        raise NoRunningStack(f"{NO_STACK} ({path} is left over from pid {info.pid}, which has exited)")
    return info


def resolve_nats_url(settings: Settings) -> str:
    """NATS_URL if set, else the running stack's; raises NoRunningStack."""
    return settings.nats_url or read_stack(settings.data_dir).nats_url


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL if set, else the running stack's; raises NoRunningStack."""
    return settings.database_url or read_stack(settings.data_dir).database_url


def lock_data_dir(data_dir: Path) -> IO[str]:
    """An exclusive lock on the data folder for one `up`; released when the returned file closes or `up` dies."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / "up.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise StackAlreadyRunning(f"a stack is already running from {data_dir} (pid {holder}); stop it first") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def unlock_data_dir(handle: IO[str]) -> None:
    with contextlib.suppress(OSError):
        handle.close()
