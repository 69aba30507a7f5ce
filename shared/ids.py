"""Dot-free identifiers: new ones are UUIDv7, event ids derive from the boundary and the command id."""

from __future__ import annotations

import uuid
from typing import Annotated

import uuid6
from pydantic import StringConstraints

# A NATS subject token: ids (and organisations) become subject tokens, so no dots, wildcards or spaces.
TOKEN = r"[A-Za-z0-9_-]{1,64}"
Id = Annotated[str, StringConstraints(pattern=rf"^{TOKEN}$")]

_EVENT_NAMESPACE = uuid.UUID("8d3f4a52-6c1e-4c61-9d8e-3b1f0f6a7c21")


def new_id() -> str:
    """A fresh, time-ordered id (UUIDv7)."""
    return str(uuid6.uuid7())


def event_id_for(command_id: str, index: int) -> str:
    """A stable id from a key and an index: the same on every call (policies' command ids, score adjustments)."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{command_id}/{index}"))


def boundary_event_id(context: str, boundary_id: str, command_id: str, index: int) -> str:
    """The id of the index-th event a command appends to a boundary: the same on every retry of that command,
    and another on every other boundary, so a command id a client reuses elsewhere never makes two events
    with one id (the log's duplicate window would drop the second, and consumers key on event ids)."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{context}/{boundary_id}/{command_id}/{index}"))
