"""A bounded command load whose clients retry with the same command id until they get a final reply."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import nats.errors
from nats.aio.client import Client as NATS

from services.catalog import context_of
from shared.commands import Command, Reply
from shared.subjects import command_subject

# Replies that say "not applied this time": the client retries them with the same command id.
RETRIED_CODES = frozenset({"internal_error", "conflict", "unavailable"})


@dataclass
class Ledger:
    """Every command sent and its final reply; `retries` counts the attempts that got no final reply."""

    replies: dict[str, Reply] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    retries: int = 0

    @property
    def acknowledged(self) -> dict[str, Reply]:
        return {cid: r for cid, r in self.replies.items() if r.ok}


async def send_until_replied(
    nc: NATS, cmd: Command, ledger: Ledger, *, timeout_s: float = 3.0, give_up_s: float = 90.0
) -> Reply:
    """Send `cmd` (same command id every time) until a final reply; fails after `give_up_s`."""
    subject = command_subject(context_of(type(cmd).__name__), type(cmd).__name__)
    data = cmd.model_dump_json().encode()
    ledger.commands[cmd.command_id] = cmd
    deadline = time.monotonic() + give_up_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            msg = await nc.request(subject, data, timeout=timeout_s)
            reply = Reply.model_validate_json(msg.data)
        except (nats.errors.Error, OSError) as exc:  # no responders, timeout, reconnecting
            last = exc
        else:
            if reply.ok or reply.error is None or reply.error.code not in RETRIED_CODES:
                ledger.replies[cmd.command_id] = reply
                return reply
            last = reply.error
        ledger.retries += 1
        await asyncio.sleep(0.1)
    raise AssertionError(f"{type(cmd).__name__} {cmd.command_id} got no final reply in {give_up_s}s; last: {last!r}")


def must_be_ok(reply: Reply, what: str) -> Reply:
    assert reply.ok, f"{what} refused: {reply.error}"
    return reply
