"""Events of the campaigns context: a campaign (创先争优活动), its rules and calendar, and their amendments.

Subjects: ps.evt.campaigns.<org>.<campaign_id>.<Type>. The campaign is one consistency boundary: its
invariants (dates inside the campaign year, quotas not below zero, unique keys, amendments in
order) need nothing but its own events. Units and members are in `shared.events.organisation`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events.registry import Event, event
from shared.ids import Id

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Points = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PeriodKind(StrEnum):
    """The periods a campaign runs on: awards per half-year or quarter, points per year (月/季度/半年/年度)."""

    month = "month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"


class Deadline(_Value):
    """A named date of the calendar, e.g. gap reports (分析差距报告) by 15 March."""

    key: Id
    label: ShortText
    due: date


class AwardCategory(_Value):
    """Who can win an award (a unit or a member), how many per period, and the points each award is worth.

    The quota is not constrained here: a negative one is refused by the decider under a named rule.
    """

    category_id: Id
    name: ShortText
    winner: Literal["unit", "member"]
    period: PeriodKind
    quota: int
    points: Points


class Grade(_Value):
    """A grade of a scale and the lowest score that earns it (优秀 from 90, 合格 from 60, …)."""

    name: ShortText
    min_score: float = Field(allow_inf_nan=False)


class EvaluationScale(_Value):
    """A scale an evaluation round rates on, with its grade thresholds from the highest down."""

    scale_id: Id
    name: ShortText
    grades: tuple[Grade, ...] = Field(min_length=1, max_length=10)


class ScoringRule(_Value):
    """Points for an outcome (`trigger` e.g. `award:vanguard_flag`, `grade:不合格`, `pledge:fulfilled`)."""

    rule_id: Id
    trigger: ShortText
    points: Points


class VoterGroup(_Value):
    """A group that votes in evaluation rounds (领导, 党员, 服务对象代表) and its default weight."""

    group_id: Id
    name: ShortText
    weight: float = Field(ge=0, le=1, allow_inf_nan=False)


class CampaignRules(_Value):
    """Everything of a campaign that can be amended: calendar, awards, scales, scoring, voter groups."""

    calendar: tuple[Deadline, ...] = Field(default=(), max_length=100)
    categories: tuple[AwardCategory, ...] = Field(default=(), max_length=50)
    scales: tuple[EvaluationScale, ...] = Field(default=(), max_length=20)
    scoring_rules: tuple[ScoringRule, ...] = Field(default=(), max_length=100)
    voter_groups: tuple[VoterGroup, ...] = Field(default=(), max_length=20)


@event
class CampaignLaunched(Event):
    """The organiser launched a campaign for a year; its rules hold from 1 January until amended.

    `organiser_unit_id` is the root of the campaign's unit tree (局党委, 工委).
    """

    campaign_id: Id
    theme: ShortText
    organiser_unit_id: Id
    organiser_name: ShortText
    year: int
    periods: tuple[PeriodKind, ...]
    rules: CampaignRules


@event
class CampaignRulesAmended(Event):
    """The campaign's rules were amended: `rules` (complete) hold from `effective_on`; earlier dates keep theirs."""

    campaign_id: Id
    effective_on: date
    reason: LongText
    rules: CampaignRules
