"""The JSON body of `pacesetter send`: read from an argument, stdin or a file, then completed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from shared.ids import new_id


class PayloadError(ValueError):
    """The body is missing, unreadable or not a JSON object; the message says which."""


def read_payload(source: str, stdin: TextIO) -> dict[str, Any]:
    """`source` is JSON text, `-` for stdin, or `@path` for a file; raises PayloadError."""
    where = "the JSON argument"
    if source == "-":
        text, where = stdin.read(), "stdin"
    elif source.startswith("@"):
        path = Path(source[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PayloadError(f"cannot read {path}: {exc.strerror or exc}") from None
        where = str(path)
    else:
        text = source
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(body, dict):
        raise PayloadError(f"{where} must be a JSON object, not {type(body).__name__}")
    return body


def complete(
    body: dict[str, Any], actor_member: str | None, actor_role: str | None, actor_unit: str | None
) -> dict[str, Any]:
    """The body with a fresh `command_id` (UUIDv7) if it has none, and `actor` from the options if it has none."""
    done = dict(body)
    done.setdefault("command_id", new_id())
    if "actor" not in done and actor_member is not None:
        actor: dict[str, str] = {"member_id": actor_member, "role": actor_role or "member"}
        if actor_unit is not None:
            actor["unit_id"] = actor_unit
        done["actor"] = actor
    return done
