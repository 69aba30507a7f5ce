"""Builders of the events the scoring policy and the score read models read, and a log writer for them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from shared.events import Actor, Envelope, Event
from shared.events.awards import AwardGranted, AwardRevoked, Nominee
from shared.events.campaigns import CampaignRules, CampaignRulesAmended, ScoringRule
from shared.events.evaluation import Party, ResultsPublished, SubjectResult, Tally
from shared.events.pledges import FulfilmentAssessed, FulfilmentOutcome
from shared.eventstore import EventStore, PendingEvent
from shared.ids import new_id
from shared.subjects import Boundary
from tests.support.campaigns import CAMPAIGN, COMMITTEE, OFFICE, launched

FLAG_RULE = ScoringRule(rule_id="flag", trigger="award:vanguard_flag", points=1)
STAR_RULE = ScoringRule(rule_id="star", trigger="award:model_star", points=0.5)


def granted(
    winner: str, category: str = "vanguard_flag", period: str = "2026-H1", campaign_id: str = CAMPAIGN, **kw: Any
) -> AwardGranted:
    kind = "unit" if category == "vanguard_flag" else "member"
    fields: dict[str, Any] = {
        "award_id": new_id(),
        "round_id": f"{campaign_id}~{category}~{period}",
        "campaign_id": campaign_id,
        "category_id": category,
        "category_name": "创先争优先锋旗" if kind == "unit" else "创先争优模范星",
        "period": period,
        "winner": Nominee(kind=kind, id=winner),
        "points": 1 if kind == "unit" else 0.5,
        "decided_by": COMMITTEE.member_id,
    }
    return AwardGranted(**{**fields, **kw})


def revoked(grant: AwardGranted, reason: str = "违纪，撤销荣誉") -> AwardRevoked:
    fields = grant.model_dump(include={"award_id", "round_id", "campaign_id", "category_id", "period", "points"})
    return AwardRevoked(**fields, winner=grant.winner, reason=reason, revoked_by=COMMITTEE.member_id)


def amended(effective_on: date, *rules: ScoringRule, campaign_id: str = CAMPAIGN) -> CampaignRulesAmended:
    base = launched(campaign_id).rules
    new_rules = CampaignRules(**{**base.model_dump(), "scoring_rules": [r.model_dump() for r in rules]})
    return CampaignRulesAmended(
        campaign_id=campaign_id, effective_on=effective_on, reason="调整计分规则", rules=new_rules
    )


def results(
    *graded: tuple[str, str], kind: str = "unit", round_id: str = "r-mass", campaign_id: str = CAMPAIGN
) -> ResultsPublished:
    subjects = tuple(
        SubjectResult(subject=Party(kind=kind, id=who), criteria=(), overall=50.0, grade=g, warning_talk_required=False)
        for who, g in graded
    )
    tally = Tally(subjects=subjects, turnout=(), ballots=10)
    return ResultsPublished(round_id=round_id, campaign_id=campaign_id, cutoff_seq=1, tally=tally)


def assessed(pledge_id: str, outcome: FulfilmentOutcome = FulfilmentOutcome.fulfilled) -> FulfilmentAssessed:
    return FulfilmentAssessed(
        pledge_id=pledge_id, outcome=outcome, reason="按期兑现", reviewer_id="m-head", percent_complete=100
    )


def boundary_of(event: Event) -> Boundary:
    """Where the owning service appends the event."""
    for context, attr in (("awards", "round_id"), ("pledges", "pledge_id"), ("evaluation", "round_id")):
        if hasattr(event, attr):
            return Boundary(context, str(getattr(event, attr)))
    return Boundary("campaigns", str(event.campaign_id))


def envelope(event: Event, occurred_at: datetime | None = None, actor: Actor = OFFICE) -> PendingEvent:
    at = occurred_at or datetime.now(UTC)
    command_id = new_id()
    return PendingEvent(
        Envelope(
            event_id=getattr(event, "award_id", None) if isinstance(event, AwardGranted) else new_id(),
            type=event.type_name,
            schema_version=event.schema_version,
            occurred_at=at,
            recorded_at=at,
            actor=actor,
            command_id=command_id,
            campaign_id=getattr(event, "campaign_id", None),
            correlation_id=command_id,
            data=event.model_dump(mode="json"),
        )
    )


async def append(store: EventStore, events: Sequence[Event], occurred_at: datetime | None = None) -> int:
    """Append each event to its owner's boundary (after its last event); the last sequence."""
    seq = 0
    for e in events:
        boundary = boundary_of(e)
        expected = await store.last_sequence(boundary)
        seq = (await store.append(boundary, [envelope(e, occurred_at)], expected))[-1].seq
    return seq
