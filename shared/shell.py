"""The command shell: load the boundary (cached, confirmed by its last sequence), decide, append."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from shared import tenancy
from shared.commands import Command, Reply
from shared.errors import Conflict
from shared.events import Envelope, Event
from shared.eventstore import EventStore, PendingEvent, WrongExpectedSequence
from shared.ids import event_id_for
from shared.subjects import Boundary
from shared.views import BoundaryView

S = TypeVar("S")
C = TypeVar("C", bound=Command)

log = structlog.get_logger("shell")
WAIT_MULTIPLIER, WAIT_MAX_S = 0.002, 0.05  # seconds: jittered waits between attempts, 2 ms doubling up to 50 ms


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    """The decider of one kind of boundary: pure functions and the state before any event."""

    initial: S
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]


class CommandShell(Generic[C, S]):
    """Runs commands against one context's boundaries with optimistic concurrency and idempotency."""

    def __init__(self, store: EventStore, context: str, decider: Decider[C, S], max_attempts: int = 8) -> None:
        self.store, self.context, self.decider, self.max_attempts = store, context, decider, max_attempts
        self.view = BoundaryView(store, context, decider.initial, decider.evolve)

    async def execute(
        self, boundary_id: str, command: C, decide: Callable[[C, S], Sequence[Event]] | None = None
    ) -> Reply:
        """Decide and append; a retried command id replies its original events. Raises DomainError.

        `decide` replaces the decider's own when the decision also needs facts the handler gathered
        from other boundaries (e.g. `functools.partial(domain.decide, facts=...)`); it stays pure.
        """
        boundary = Boundary(self.context, boundary_id, tenancy.current())
        with structlog.contextvars.bound_contextvars(
            command_id=command.command_id,
            correlation_id=command.correlation_id or command.command_id,
            boundary=boundary.filter,
        ):
            # The first attempt goes straight (it has no wait before it, and building the retrying machinery for
            # every command cost ~15% of the shell's CPU in profiles); only a conflict pays for tenacity.
            try:
                return await self._attempt(boundary, command, decide)
            except WrongExpectedSequence as first:
                if self.max_attempts <= 1:
                    raise Conflict(f"{boundary.filter} kept changing; gave up after 1 attempt") from first
                log.info("boundary moved; deciding again", attempt=1, reason=str(first))
                await asyncio.sleep(random.uniform(0, WAIT_MULTIPLIER))  # tenacity's first exponential wait
            try:
                # jittered waits between attempts, so writers racing for one boundary spread out; the loop's k-th
                # attempt is the command's (k+1)-th, so its waits double from where the first one left off
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception_type(WrongExpectedSequence),
                    stop=stop_after_attempt(self.max_attempts - 1),
                    wait=wait_random_exponential(multiplier=2 * WAIT_MULTIPLIER, max=WAIT_MAX_S),
                    before_sleep=_log_conflict,
                    reraise=True,
                ):
                    with attempt:
                        return await self._attempt(boundary, command, decide)
            except WrongExpectedSequence:
                pass
        raise Conflict(f"{boundary.filter} kept changing; gave up after {self.max_attempts} attempts")

    async def _attempt(self, boundary: Boundary, command: C, decide: Callable[[C, S], Sequence[Event]] | None) -> Reply:
        """One decide-append round; raises WrongExpectedSequence if the boundary moved meanwhile."""
        folded = await self.view.current(boundary.id)
        done = folded.outcomes.get(command.command_id)
        if done is not None:
            return Reply.accepted(done, duplicate=True)
        events = (decide or self.decider.decide)(command, folded.state)
        if not events:
            return Reply.accepted([])
        pending = [_pending(command, e, i) for i, e in enumerate(events)]
        appended = await self.store.append(boundary, pending, expected=folded.seq)
        after = folded.copy()
        for e in events:
            after.state = self.decider.evolve(after.state, e)
        after.seq = appended[-1].seq
        after.organisation = boundary.organisation
        after.outcomes[command.command_id] = appended
        self.view.remember(boundary.id, after)
        return Reply.accepted(appended)


def _log_conflict(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info("boundary moved; deciding again", attempt=state.attempt_number + 1, reason=str(exc))


def _pending(command: Command, event: Event, index: int) -> PendingEvent:
    now = datetime.now(UTC)
    campaign_id = getattr(event, "campaign_id", None) or getattr(command, "campaign_id", None)
    return PendingEvent(
        Envelope(
            event_id=event_id_for(command.command_id, index),
            type=event.type_name,
            schema_version=event.schema_version,
            occurred_at=now,
            recorded_at=now,
            actor=command.actor,
            command_id=command.command_id,
            campaign_id=campaign_id,
            correlation_id=command.correlation_id or command.command_id,
            causation_id=command.causation_id,
            data=event.model_dump(mode="json"),
        )
    )
