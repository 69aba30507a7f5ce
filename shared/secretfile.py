"""Secrets kept in files under the data folder: created once with mode 0600, never in the repository."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def new_secret() -> str:
    """A random, URL-safe secret with 256 bits of entropy, starting with a letter: nats-server reads a `$VARIABLE`
    whose value starts with a digit or '-' as a number and refuses the whole config."""
    return "s" + secrets.token_urlsafe(32)


def write_secret_file(path: Path, text: str, *, replace: bool = False) -> None:
    """Write `text` to `path` readable by its owner only (folder 0700); raises FileExistsError unless `replace`."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    if replace:
        path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def read_or_create(path: Path) -> str:
    """The secret stored at `path`, generated and stored first if the file does not exist."""
    with contextlib.suppress(FileExistsError):
        write_secret_file(path, new_secret() + "\n")
    return path.read_text(encoding="utf-8").strip()
