"""The scoring policy, pure: which ScoreAdjusted an event calls for under the campaign's rules in force.

`step(state, source)` gives the new state and the adjustments; `react` only the adjustments. The rules
applied to a cause are the campaign's version in force on the source event's date (its `occurred_at`,
UTC). Triggers: `award:<category_id>` (default: the category's points, else the grant's own),
`grade:<grade label>` and `pledge:<fulfilment outcome>` (no rule, no points). A revocation reverses
exactly the points applied to the grant so far. An amendment recomputes every open cause of the
campaign and appends the difference as a correction, keyed by (cause, rules version).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.scores.periods import last_day, month_of
from services.scores.state import CampaignScoring, Cause, PledgeOwner, RulesVersion, ScoringState
from shared.events import Event
from shared.events.awards import AwardGranted, AwardRevoked
from shared.events.campaigns import CampaignLaunched, CampaignRulesAmended
from shared.events.evaluation import ResultsPublished
from shared.events.pledges import FulfilmentAssessed, PledgeMade
from shared.events.scores import ScoreAdjusted, ScoredParty
from shared.ids import event_id_for

TYPES = frozenset(
    t.type_name
    for t in (
        CampaignLaunched, CampaignRulesAmended, PledgeMade, AwardGranted, AwardRevoked, ResultsPublished,
        FulfilmentAssessed,
    )
)  # fmt: skip
"""The event types the policy reads."""


@dataclass(frozen=True, slots=True)
class Source:
    """An event the policy reads, with its id and the day it occurred."""

    event: Event
    event_id: str
    occurred_on: date


def react(source: Source, state: ScoringState) -> list[ScoreAdjusted]:
    return step(state, source)[1]


def step(state: ScoringState, source: Source) -> tuple[ScoringState, list[ScoreAdjusted]]:
    match source.event:
        case CampaignLaunched() as e:
            first = RulesVersion(1, date(e.year, 1, 1), e.rules)
            return replace(
                state, campaigns={**state.campaigns, e.campaign_id: CampaignScoring(e.campaign_id, e.year, (first,))}
            ), []
        case CampaignRulesAmended() as e:
            return _amend(state, e)
        case PledgeMade() as e:
            who = ScoredParty(kind=e.pledger.kind, id=e.pledger.id, unit_id=e.pledger.unit_id)
            return replace(state, pledges={**state.pledges, e.pledge_id: PledgeOwner(e.campaign_id, who, e.year)}), []
        case AwardGranted() as e:
            return _open(state, [_granted(e, source)])
        case AwardRevoked() as e:
            return _revoke(state, e, source)
        case ResultsPublished() as e:
            return _open(state, _graded(state, e, source))
        case FulfilmentAssessed() as e:
            owner = state.pledges.get(e.pledge_id)
            return _open(state, [_assessed(owner, e, source)] if owner else [])
    return state, []


def _granted(e: AwardGranted, source: Source) -> Cause:
    who = ScoredParty(kind=e.winner.kind, id=e.winner.id, unit_id=e.winner.unit_id)
    return Cause(
        e.award_id, source.event_id, "AwardGranted", e.campaign_id, who, f"award:{e.category_id}", "award",
        source.occurred_on, last_day(e.period), e.period, int(e.period[:4]), f"{e.category_name} {e.period}",
        default_points=e.points,
    )  # fmt: skip


def _graded(state: ScoringState, e: ResultsPublished, source: Source) -> list[Cause]:
    campaign = state.campaigns.get(e.campaign_id)
    year = campaign.year if campaign else source.occurred_on.year
    on = _within(source.occurred_on, year)
    return [
        Cause(
            event_id_for(f"{source.event_id}/{s.subject.id}", 0),
            source.event_id,
            "ResultsPublished",
            e.campaign_id,
            ScoredParty(kind=s.subject.kind, id=s.subject.id),
            f"grade:{s.grade}",
            "grade",
            source.occurred_on,
            on,
            month_of(on),
            year,
            f"测评 {e.round_id}: {s.grade}",
        )
        for s in e.tally.subjects
        if s.grade is not None
    ]


def _assessed(owner: PledgeOwner, e: FulfilmentAssessed, source: Source) -> Cause:
    on = _within(source.occurred_on, owner.year)
    return Cause(
        source.event_id, source.event_id, "FulfilmentAssessed", owner.campaign_id, owner.pledger,
        f"pledge:{e.outcome.value}", "fulfilment", source.occurred_on, on, month_of(on), owner.year,
        f"承诺兑现 {e.pledge_id}: {e.outcome.value}",
    )  # fmt: skip


def _within(day: date, year: int) -> date:
    """`day`, or the nearest day of the campaign year when it falls outside it."""
    return day if day.year == year else date(year, 12, 31) if day.year > year else date(year, 1, 1)


def _open(state: ScoringState, causes: list[Cause]) -> tuple[ScoringState, list[ScoreAdjusted]]:
    out: list[ScoreAdjusted] = []
    new = dict(state.causes)
    for cause in causes:
        if cause.cause_id in new:
            continue  # the same cause twice: the first one counts
        scored = _rescore(state.campaigns.get(cause.campaign_id), cause)
        new[cause.cause_id] = scored
        if scored.points:
            out.append(_adjustment(scored, cause.cause_id, cause.kind, scored.points, cause.source_event_id))
    return replace(state, causes=new), out


def _revoke(state: ScoringState, e: AwardRevoked, source: Source) -> tuple[ScoringState, list[ScoreAdjusted]]:
    grant = state.causes.get(e.award_id)
    if grant is not None and grant.closed:
        return state, []
    if grant is None:  # a grant this policy never saw: reverse the points the revocation names
        who = ScoredParty(kind=e.winner.kind, id=e.winner.id, unit_id=e.winner.unit_id)
        grant = Cause(
            e.award_id, e.award_id, "AwardGranted", e.campaign_id, who, f"award:{e.category_id}", "award",
            source.occurred_on, last_day(e.period), e.period, int(e.period[:4]), e.period, points=e.points,
        )  # fmt: skip
    closed = replace(grant, closed=True)
    state = replace(state, causes={**state.causes, e.award_id: closed})
    if not grant.points:
        return state, []
    reversal = replace(grant, reason=f"撤销 {grant.reason}: {e.reason}")
    return state, [_adjustment(reversal, source.event_id, "revocation", -grant.points, source.event_id)]


def _amend(state: ScoringState, e: CampaignRulesAmended) -> tuple[ScoringState, list[ScoreAdjusted]]:
    campaign = state.campaigns.get(e.campaign_id)
    if campaign is None:
        return state, []
    version = RulesVersion(len(campaign.versions) + 1, e.effective_on, e.rules)
    campaign = replace(campaign, versions=(*campaign.versions, version))
    causes = dict(state.causes)
    out: list[ScoreAdjusted] = []
    for cause_id in sorted(k for k, c in causes.items() if c.campaign_id == e.campaign_id and not c.closed):
        before = causes[cause_id]
        after = _rescore(campaign, before)
        causes[cause_id] = after
        delta = after.points - before.points
        if delta:
            key = event_id_for(f"{cause_id}/rules", after.rule_version)
            out.append(_adjustment(after, key, "correction", delta, before.source_event_id))
    return replace(state, campaigns={**state.campaigns, e.campaign_id: campaign}, causes=causes), out


def _rescore(campaign: CampaignScoring | None, cause: Cause) -> Cause:
    """The cause with the rule, version and points in force on its day."""
    rv = campaign.in_force(cause.rule_day) if campaign else None
    if rv is None:
        return replace(cause, rule_id=None, rule_version=0, points=cause.default_points or 0.0)
    rule = next((r for r in rv.rules.scoring_rules if r.trigger == cause.trigger), None)
    if rule is not None:
        return replace(cause, rule_id=rule.rule_id, rule_version=rv.version, points=rule.points)
    category_id = cause.trigger.removeprefix("award:")
    category = next((c for c in rv.rules.categories if c.category_id == category_id), None)
    if cause.kind == "award" and category is not None:
        return replace(cause, rule_id=f"category:{category_id}", rule_version=rv.version, points=category.points)
    return replace(cause, rule_id=None, rule_version=rv.version, points=cause.default_points or 0.0)


def _adjustment(cause: Cause, key: str, kind: str, points: float, cause_event_id: str) -> ScoreAdjusted:
    return ScoreAdjusted.model_validate(
        {
            "adjustment_id": key,
            "campaign_id": cause.campaign_id,
            "subject": cause.subject,
            "points": round(points, 6),
            "kind": kind,
            "year": cause.year,
            "period": cause.period,
            "counts_on": cause.counts_on,
            "rule_id": cause.rule_id,
            "rule_trigger": cause.trigger,
            "rule_version": cause.rule_version,
            "cause_event_id": cause_event_id,
            "cause_type": "AwardRevoked" if kind == "revocation" else cause.source_type,
            "reason": cause.reason,
        }
    )
