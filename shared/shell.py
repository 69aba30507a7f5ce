"""The command shell: decide on the boundary's cached state, append guarded by its sequence, retry on the current one.

A decision on a cached (or never seen, so initial) state is confirmed by the append's expected sequence; a
refusal or a no-op needs the state confirmed first, by the subject-indexed last-sequence lookup.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
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
from shared.errors import CommandIdTaken, Conflict, DomainError
from shared.events import Envelope, Event
from shared.eventstore import EventStore, PendingEvent, WrongExpectedSequence
from shared.ids import boundary_event_id
from shared.subjects import Boundary
from shared.views import BoundaryView, Folded, Outcome

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
    # the campaign a boundary belongs to, for the envelopes of events whose payload and command don't name it
    campaign_of: Callable[[S], str | None] = lambda _: None


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
        decide = decide or self.decider.decide
        # First on the state this process already knows, unconfirmed: the append's expected sequence confirms it,
        # which saves the last-sequence lookup, one of a command's two requests to the log. A refusal or a no-op
        # decided that way, or an append the boundary's newer events refuse, is decided again on the current state.
        try:
            reply = await self._attempt(boundary, command, decide, self.view.known(boundary_id))
        except WrongExpectedSequence:
            reply = None
        if reply is not None:
            return reply
        # The first confirmed attempt goes straight (building the retrying machinery for every command cost ~15%
        # of the shell's CPU in profiles); only a conflict pays for tenacity.
        try:
            return await self._confirmed(boundary, command, decide)
        except WrongExpectedSequence as first:
            if self.max_attempts <= 1:
                raise Conflict(f"{boundary.filter} kept changing; gave up after 1 attempt") from first
            _log_moved(command, boundary, 1, first)
            await asyncio.sleep(random.uniform(0, WAIT_MULTIPLIER))  # tenacity's first exponential wait
        try:
            # jittered waits between attempts, so writers racing for one boundary spread out; the loop's k-th
            # attempt is the command's (k+1)-th, so its waits double from where the first one left off
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(WrongExpectedSequence),
                stop=stop_after_attempt(self.max_attempts - 1),
                wait=wait_random_exponential(multiplier=2 * WAIT_MULTIPLIER, max=WAIT_MAX_S),
                before_sleep=partial(_log_conflict, command, boundary),
                reraise=True,
            ):
                with attempt:
                    return await self._confirmed(boundary, command, decide)
        except WrongExpectedSequence:
            pass
        raise Conflict(f"{boundary.filter} kept changing; gave up after {self.max_attempts} attempts")

    async def _confirmed(self, boundary: Boundary, command: C, decide: Callable[[C, S], Sequence[Event]]) -> Reply:
        """One decide-append round on the boundary's current state; raises WrongExpectedSequence if it moved."""
        reply = await self._attempt(boundary, command, decide, await self.view.current(boundary.id), confirmed=True)
        assert reply is not None  # a confirmed attempt always replies or raises
        return reply

    async def _attempt(
        self,
        boundary: Boundary,
        command: C,
        decide: Callable[[C, S], Sequence[Event]],
        folded: Folded[S],
        confirmed: bool = False,
    ) -> Reply | None:
        """Decide on `folded` and append guarded by its sequence; None: an unconfirmed state refused or had
        nothing to do, which only the current state can tell. Raises WrongExpectedSequence if the boundary moved."""
        done = folded.outcomes.get(command.command_id)
        if done is not None:  # outcomes only grow: a command id seen once was applied, confirmed or not
            if done.sender != command.actor.member_id:
                # the original reply is the sender's; another member gets no word of what it appended
                raise CommandIdTaken(command.command_id, boundary.context, boundary.id)
            return Reply.accepted(done.events, duplicate=True)
        try:
            events = decide(command, folded.state)
        except DomainError:
            if confirmed:
                raise
            return None
        if not events:
            return Reply.accepted([]) if confirmed else None
        now = datetime.now(UTC)
        campaign = self.decider.campaign_of(folded.state)
        pending = [_pending(command, e, i, boundary, now, campaign) for i, e in enumerate(events)]
        appended = await self.store.append(boundary, pending, expected=folded.seq)
        after = folded.copy()
        for e in events:
            after.state = self.decider.evolve(after.state, e)
        after.seq = appended[-1].seq
        after.organisation = boundary.organisation
        after.outcomes[command.command_id] = Outcome(command.actor.member_id, appended)
        self.view.remember(boundary.id, after)
        return Reply.accepted(appended)


def _log_moved(command: Command, boundary: Boundary, attempt: int, reason: BaseException | None) -> None:
    # the ids go on the line itself: binding them as context vars for every command cost ~3% of its CPU
    log.info(
        "boundary moved; deciding again",
        attempt=attempt,
        reason=str(reason),
        command_id=command.command_id,
        correlation_id=command.correlation_id or command.command_id,
        boundary=boundary.filter,
    )


def _log_conflict(command: Command, boundary: Boundary, state: RetryCallState) -> None:
    _log_moved(command, boundary, state.attempt_number + 1, state.outcome.exception() if state.outcome else None)


def _pending(
    command: Command,
    event: Event,
    index: int,
    boundary: Boundary,
    now: datetime | None = None,
    campaign: str | None = None,
) -> PendingEvent:
    now = now or datetime.now(UTC)
    campaign_id = getattr(event, "campaign_id", None) or getattr(command, "campaign_id", None) or campaign
    return PendingEvent(
        Envelope(
            event_id=boundary_event_id(boundary.context, boundary.id, command.command_id, index),
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
