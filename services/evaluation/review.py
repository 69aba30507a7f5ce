"""The leader review decider (领导点评, three a year): one boundary per reviewed unit or member. No I/O.

Each review may require rectification; the reviewed party states its rectification (整改表态); the next
review must record whether the previous review's rectification was done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.evaluation.commands import RecordLeaderReview, ReviewCommand, StateRectification
from services.evaluation.errors import (
    NothingToRectify,
    RectificationAlreadyStated,
    RectificationCheckMissing,
    ReviewNotFound,
    ReviewOutOfOrder,
)
from shared.authz import authorize
from shared.errors import Forbidden
from shared.events import Event, Role
from shared.events.evaluation import LeaderReviewed, RectificationStated
from shared.shell import Decider


@dataclass(frozen=True, slots=True)
class Reviews:
    """The reviews of one party, per campaign, and which reviews' rectification was stated."""

    by_campaign: tuple[tuple[str, tuple[LeaderReviewed, ...]], ...] = ()
    stated: frozenset[tuple[str, int]] = frozenset()

    def of(self, campaign_id: str) -> tuple[LeaderReviewed, ...]:
        return next((r for c, r in self.by_campaign if c == campaign_id), ())


def decide(command: ReviewCommand, state: Reviews) -> Sequence[Event]:
    match command:
        case RecordLeaderReview():
            return _review(command, state)
        case StateRectification():
            return _state(command, state)
    raise TypeError(f"not a review command: {command!r}")  # pragma: no cover


def _review(cmd: RecordLeaderReview, state: Reviews) -> Sequence[Event]:
    authorize("RecordLeaderReview", cmd.actor)
    done = state.of(cmd.campaign_id)
    if cmd.review_no != len(done) + 1:
        raise ReviewOutOfOrder(len(done) + 1, cmd.review_no)
    if done and done[-1].required_rectification and cmd.previous_rectification_done is None:
        raise RectificationCheckMissing(cmd.review_no)
    return [
        LeaderReviewed(
            campaign_id=cmd.campaign_id,
            party=cmd.party,
            review_no=cmd.review_no,
            reviewer_id=cmd.actor.member_id,
            achievements=cmd.achievements,
            problems=cmd.problems,
            required_rectification=cmd.required_rectification,
            previous_rectification_done=cmd.previous_rectification_done if done else None,
        )
    ]


def _state(cmd: StateRectification, state: Reviews) -> Sequence[Event]:
    if cmd.party.kind == "unit" and cmd.actor.role == Role.member:
        raise Forbidden(f"member {cmd.actor.member_id} may not state rectification for unit {cmd.party.id}")
    if cmd.party.kind == "unit":
        authorize("StateRectification", cmd.actor, for_unit=cmd.party.id)
    else:
        authorize("StateRectification", cmd.actor, for_member=cmd.party.id)
    reviews = state.of(cmd.campaign_id)
    if cmd.review_no > len(reviews):
        raise ReviewNotFound(cmd.party.id, cmd.review_no)
    if not reviews[cmd.review_no - 1].required_rectification:
        raise NothingToRectify(cmd.review_no)
    if (cmd.campaign_id, cmd.review_no) in state.stated:
        raise RectificationAlreadyStated(cmd.review_no)
    return [
        RectificationStated(
            campaign_id=cmd.campaign_id, party=cmd.party, review_no=cmd.review_no, statement=cmd.statement
        )
    ]


def evolve(state: Reviews, event: Event) -> Reviews:
    match event:
        case LeaderReviewed():
            others = tuple((c, r) for c, r in state.by_campaign if c != event.campaign_id)
            return replace(state, by_campaign=(*others, (event.campaign_id, (*state.of(event.campaign_id), event))))
        case RectificationStated():
            return replace(state, stated=state.stated | {(event.campaign_id, event.review_no)})
    return state


review_decider: Decider[ReviewCommand, Reviews] = Decider(initial=Reviews(), decide=decide, evolve=evolve)
