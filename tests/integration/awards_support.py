"""Running services for the awards tests: subprocesses on the session's servers, ready when healthy."""

from __future__ import annotations

from pathlib import Path

from nats.aio.client import Client as NATS

from shared.commands import Command, Reply
from shared.eventstore import EventStore
from shared.subjects import Boundary, command_subject

ROOT = Path(__file__).resolve().parents[2]


async def send(nc: NATS, context: str, body: Command | bytes, name: str | None = None) -> Reply:
    data = body if isinstance(body, bytes) else body.model_dump_json().encode()
    msg = await nc.request(command_subject(context, name or type(body).__name__), data, timeout=60)
    return Reply.model_validate_json(msg.data)


async def ok(nc: NATS, context: str, body: Command) -> Reply:
    reply = await send(nc, context, body)
    assert reply.ok, (type(body).__name__, reply.error)
    return reply


async def boundary_seq(store: EventStore, context: str, boundary_id: str) -> int:
    return await store.last_sequence(Boundary(context, boundary_id))
