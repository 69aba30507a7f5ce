"""What the award-round decider knows of one round, how each event changes it, and the facts from outside."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from services.campaigns.campaign import Campaign
from services.campaigns.members import Member
from shared.events import Event
from shared.events.awards import (
    AwardGranted,
    AwardRecommendedUpward,
    AwardRevoked,
    AwardRoundOpened,
    AwardsPublished,
    EvaluationAttached,
    FlagHandedOver,
    InspectionRecorded,
    NominationsClosed,
    NominationWithdrawn,
    Nominee,
    NomineeNominated,
    NomineeResult,
    NomineesEvaluated,
    PreliminaryListProposed,
)
from shared.events.evaluation import SubjectResult
from shared.events.pledges import Pledger

Status = Literal["none", "open", "closed", "listed", "published"]


@dataclass(frozen=True, slots=True)
class AwardRound:
    """One round: its opening, the nominees in force, the review so far, and the awards (revoked ones kept)."""

    status: Status = "none"
    opened: AwardRoundOpened | None = None
    nominees: dict[str, Nominee] = field(default_factory=dict)
    evaluation_round_id: str | None = None
    results: dict[str, NomineeResult] = field(default_factory=dict)
    inspections: dict[str, bool] = field(default_factory=dict)
    preliminary: tuple[str, ...] = ()
    awards: dict[str, AwardGranted] = field(default_factory=dict)
    revoked: frozenset[str] = frozenset()
    handed_over: frozenset[int] = frozenset()
    recommended: frozenset[str] = frozenset()

    def in_force(self) -> list[AwardGranted]:
        """The awards granted and not revoked, in grant order."""
        return [a for a in self.awards.values() if a.award_id not in self.revoked]

    def holder_of(self, nominee_id: str) -> AwardGranted | None:
        return next((a for a in self.in_force() if a.winner.id == nominee_id), None)

    def flags(self) -> dict[int, str]:
        """A rotating round's flag numbers in force and their holders."""
        return {a.flag_no: a.winner.id for a in self.in_force() if a.flag_no is not None}


@dataclass(frozen=True, slots=True)
class Facts:
    """What a decision reads from other boundaries, gathered by the handler before deciding.

    `member` is the nominee's enrolment (a member nominee), `unit_known` whether a unit nominee is
    registered, `pledge_*` the named pledge, `grades` the subject results of the round's grades evaluation,
    `previous` the previous period's round of a rotating category.
    """

    now: datetime | None = None
    campaign: Campaign | None = None
    member: Member | None = None
    unit_known: bool = False
    pledge_owner: Pledger | None = None
    pledge_approved: bool = False
    grades: tuple[SubjectResult, ...] = ()
    previous: AwardRound | None = None


def evolve(state: AwardRound, event: Event) -> AwardRound:
    match event:
        case AwardRoundOpened():
            return AwardRound(status="open", opened=event)
        case NomineeNominated():
            return replace(state, nominees={**state.nominees, event.nominee.id: event.nominee})
        case NominationWithdrawn():
            return replace(state, nominees={k: v for k, v in state.nominees.items() if k != event.nominee_id})
        case NominationsClosed():
            return replace(state, status="closed")
        case EvaluationAttached():
            return replace(state, evaluation_round_id=event.evaluation_round_id)
        case NomineesEvaluated():
            return replace(state, results={**state.results, **{r.nominee_id: r for r in event.results}})
        case InspectionRecorded():
            return replace(state, inspections={**state.inspections, event.nominee_id: event.satisfactory})
        case PreliminaryListProposed():
            return replace(state, status="listed", preliminary=event.nominees)
        case AwardGranted():
            return replace(state, awards={**state.awards, event.award_id: event})
        case FlagHandedOver():
            return replace(state, handed_over=state.handed_over | {event.flag_no})
        case AwardsPublished():
            return replace(state, status="published")
        case AwardRevoked():
            return replace(state, revoked=state.revoked | {event.award_id})
        case AwardRecommendedUpward():
            return replace(state, recommended=state.recommended | {event.award_id})
    return state
