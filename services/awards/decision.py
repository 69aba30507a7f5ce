"""The committee's decisions: grants within the quota, rotating flags, publication, revocation. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from services.awards.commands import GrantAward, PublishAwards, RecommendUpward, RevokeAward
from services.awards.errors import (
    AwardNotFound,
    AwardRevokedAlready,
    NomineeNotEnrolled,
    NotANominee,
    NotOnPreliminaryList,
    QuotaReached,
    WrongPhase,
)
from services.awards.nomination import eligible_now
from services.awards.state import AwardRound, Facts
from shared.events import Event
from shared.events.awards import (
    AwardGranted,
    AwardRecommendedUpward,
    AwardRevoked,
    AwardRoundOpened,
    AwardsPublished,
    FlagHandedOver,
)
from shared.ids import boundary_event_id

CONTEXT = "awards"
"""The awards service's boundaries (one per award round): the context its events' ids derive from."""


def award_id_of(round_id: str, command_id: str) -> str:
    """The id of the award a GrantAward grants: its AwardGranted event's own id (the shell derives it the same way)."""
    return boundary_event_id(CONTEXT, round_id, command_id, 0)


def grant(cmd: GrantAward, opening: AwardRoundOpened, state: AwardRound, facts: Facts) -> Sequence[Event]:
    """At most `quota` awards in force; the award's id is the AwardGranted event's own id."""
    if state.status != "listed":
        raise WrongPhase("decision_on_preliminary_list", opening.round_id, state.status, "listed and unpublished")
    nominee = state.nominees.get(cmd.nominee_id)
    if nominee is None:
        raise NotANominee(cmd.nominee_id)
    if state.holder_of(nominee.id) is not None:
        return []
    if nominee.id not in state.preliminary:
        raise NotOnPreliminaryList(nominee.id)
    if not eligible_now(nominee, facts):
        raise NomineeNotEnrolled(nominee.id)
    if len(state.in_force()) >= opening.quota:
        raise QuotaReached(opening.quota)
    flag_no = _free_flag(state, opening) if opening.rotating else None
    granted = AwardGranted(
        award_id=award_id_of(opening.round_id, cmd.command_id),
        round_id=opening.round_id,
        campaign_id=opening.campaign_id,
        category_id=opening.category_id,
        category_name=opening.category_name,
        period=opening.period,
        winner=nominee,
        points=opening.points,
        decided_by=cmd.actor.member_id,
        flag_no=flag_no,
    )
    if flag_no is None:
        return [granted]
    return [granted, *_hand_over(opening, state, facts, [flag_no], nominee.id)]


def publish(cmd: PublishAwards, opening: AwardRoundOpened, state: AwardRound, facts: Facts) -> Sequence[Event]:
    """Publication ends the round's grants; flags of the previous period not taken over go back."""
    if state.status == "published":
        return []
    if state.status != "listed":
        raise WrongPhase("publication_after_decision", opening.round_id, state.status, "listed")
    published = AwardsPublished(
        round_id=opening.round_id,
        campaign_id=opening.campaign_id,
        award_ids=tuple(a.award_id for a in state.in_force()),
    )
    if not opening.rotating:
        return [published]
    flags = range(1, opening.quota + 1)
    return [published, *_hand_over(opening, state, facts, [n for n in flags if n not in state.flags()], None)]


def revoke(cmd: RevokeAward, opening: AwardRoundOpened, state: AwardRound) -> Sequence[Event]:
    award = state.awards.get(cmd.award_id)
    if award is None:
        raise AwardNotFound(cmd.award_id)
    if award.award_id in state.revoked:
        return []
    return [
        AwardRevoked(
            **award.model_dump(include={"award_id", "round_id", "campaign_id", "category_id", "period", "flag_no"}),
            winner=award.winner,
            points=award.points,
            reason=cmd.reason,
            revoked_by=cmd.actor.member_id,
        )
    ]


def recommend(cmd: RecommendUpward, opening: AwardRoundOpened, state: AwardRound) -> Sequence[Event]:
    award = state.awards.get(cmd.award_id)
    if award is None:
        raise AwardNotFound(cmd.award_id)
    if award.award_id in state.revoked:
        raise AwardRevokedAlready(award.award_id)
    if award.award_id in state.recommended:
        return []
    return [
        AwardRecommendedUpward(
            award_id=award.award_id,
            round_id=award.round_id,
            campaign_id=award.campaign_id,
            winner=award.winner,
            to_organisation=cmd.to_organisation,
            note=cmd.note,
        )
    ]


def _free_flag(state: AwardRound, opening: AwardRoundOpened) -> int:
    held = state.flags()
    return next(n for n in range(1, opening.quota + 1) if n not in held)


def _hand_over(
    opening: AwardRoundOpened, state: AwardRound, facts: Facts, flags: list[int], to_unit: str | None
) -> list[Event]:
    """The previous period's holders of `flags` hand them over to `to_unit` (None: back to the organiser)."""
    previous = facts.previous
    if previous is None or previous.opened is None:
        return []
    holders = previous.flags()
    return [
        FlagHandedOver(
            round_id=opening.round_id,
            campaign_id=opening.campaign_id,
            category_id=opening.category_id,
            flag_no=n,
            from_unit_id=holders[n],
            from_period=previous.opened.period,
            to_unit_id=to_unit,
            to_period=opening.period,
        )
        for n in flags
        if n in holders and n not in state.handed_over
    ]
