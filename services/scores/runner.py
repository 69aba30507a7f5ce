"""The scoring policy as a checkpointed runner: the projector's runner, with an `apply` that appends events.

Each run of events is folded through the pure `step` with the state the policy keeps in its schema; the
adjustments are appended, each to its own boundary with expected sequence 0, then the state is saved in
the batch's transaction with the checkpoint. After a crash the run is reacted to again and every append
meets its existing boundary (WrongExpectedSequence): nothing is appended twice, ever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from services.projections.projection import Applied, On, Projection
from services.scores import memory
from services.scores.policy import TYPES, Source, step
from shared.events import Actor, Envelope, Event, Role, registry
from shared.events.scores import ScoreAdjusted
from shared.eventstore import EventStore, PendingEvent, WrongExpectedSequence
from shared.ids import event_id_for
from shared.records import RecordedEvent
from shared.subjects import Boundary

NAME = "score_policy"
CONTEXT = "scores"
ACTOR = Actor(member_id="scores-policy", role=Role.system)
CONCURRENT_APPENDS = 64


def score_policy(store: EventStore) -> Projection:
    """The policy as a projection value: its state tables as DDL, one handler for every type it reads."""

    async def apply(con: asyncpg.Connection, events: Applied[Event]) -> None:
        before = await memory.load(con, [e for _, e in events])
        state, out = before, list[tuple[str, PendingEvent]]()
        for rec, event in events:
            occurred = rec.envelope.occurred_at.astimezone(UTC).date()
            state, adjustments = step(state, Source(event, rec.envelope.event_id, occurred))
            out.extend((rec.organisation, pending(rec, a)) for a in adjustments)
        await append_all(store, out)
        await memory.save(con, before, state)

    return Projection(NAME, memory.DDL, [On(registry.model(t), apply) for t in sorted(TYPES)])


def pending(source: RecordedEvent, adjustment: ScoreAdjusted) -> PendingEvent:
    """The adjustment's envelope: ids derived from the adjustment, times and correlation from the source."""
    return PendingEvent(
        Envelope(
            event_id=event_id_for(f"score/{adjustment.adjustment_id}", 0),
            type=ScoreAdjusted.type_name,
            schema_version=ScoreAdjusted.schema_version,
            occurred_at=source.envelope.occurred_at,
            recorded_at=datetime.now(UTC),
            actor=ACTOR,
            command_id=adjustment.adjustment_id,
            campaign_id=adjustment.campaign_id,
            correlation_id=source.envelope.correlation_id,
            causation_id=source.envelope.event_id,
            data=adjustment.model_dump(mode="json"),
        )
    )


async def append_all(store: EventStore, events: Sequence[tuple[str, PendingEvent]]) -> None:
    """Append each to its own new boundary in the organisation of its source; one already there was appended
    before (replay, other runner)."""
    limit = asyncio.Semaphore(CONCURRENT_APPENDS)

    async def one(organisation: str, ev: PendingEvent) -> None:
        async with limit:
            with contextlib.suppress(WrongExpectedSequence):
                await store.append(Boundary(CONTEXT, ev.envelope.command_id, organisation), [ev], expected=0)

    await asyncio.gather(*(one(organisation, ev) for organisation, ev in events))
