"""Send the demo's steps over NATS: chains concurrently (bounded), each command retried on a lost reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from services.cli.demo.steps import Chain, Step
from shared.commands import Command, Reply
from shared.events.awards import NomineesEvaluated
from shared.eventstore import EventStore
from shared.subjects import Boundary, command_subject

ATTEMPTS = 5


@dataclass
class Tally:
    applied: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)


class DemoFailed(RuntimeError):
    """A service refused a demo command, or never answered it."""


async def send(nc: NATS, context: str, command: Command, wait: float) -> Reply:
    """The reply; a lost reply or a missing responder is retried with the same command id (applied once)."""
    subject = command_subject(context, type(command).__name__)
    for attempt in range(ATTEMPTS):
        try:
            msg = await nc.request(subject, command.model_dump_json().encode(), timeout=wait)
            return Reply.model_validate_json(msg.data)
        except (NatsTimeout, NoRespondersError):
            await asyncio.sleep(0.2 * (attempt + 1))
    raise DemoFailed(f"no reply to {type(command).__name__} on {subject} after {ATTEMPTS} attempts")


async def run_steps(
    nc: NATS, store: EventStore, steps: Sequence[Step], advance: Callable[[str, int], None], *, concurrency: int = 24,
    wait: float = 10.0,
) -> Tally:  # fmt: skip
    """Every step in order; `advance(label, n)` after each command. Raises DemoFailed on the first refusal."""
    tally, gate = Tally(), asyncio.Semaphore(concurrency)

    async def run_chain(label: str, chain: Chain) -> None:
        async with gate:
            for context, command in chain:
                reply = await send(nc, context, command, wait)
                if not reply.ok:
                    error = reply.error
                    why = f"{error.code} {error.rule or ''}: {error.message}" if error else "refused"
                    tally.refused.append(f"{type(command).__name__} ({label}): {why}")
                    raise DemoFailed(tally.refused[-1])
                if reply.events and not reply.duplicate:
                    tally.applied += 1
                else:
                    tally.unchanged += 1
                advance(label, 1)

    for step in steps:
        await asyncio.gather(*(run_chain(step.label, c) for c in step.chains))
        for round_id in step.await_evaluated:
            await evaluated(store, round_id)
    return tally


async def evaluated(store: EventStore, round_id: str, within_s: float = 30.0) -> None:
    """Returns once the awards results policy recorded the nominees' evaluation on the round."""
    for _ in range(int(within_s / 0.1)):
        events = await store.load(Boundary("awards", round_id))
        if any(isinstance(r.event, NomineesEvaluated) for r in events):
            return
        await asyncio.sleep(0.1)
    raise DemoFailed(f"the awards results policy recorded no evaluation on {round_id} within {within_s:.0f} s")
