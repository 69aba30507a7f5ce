"""Events of the pledges context: a unit's or member's public pledge (公开承诺) and its ledger (台账)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.events.registry import Event, event
from shared.ids import Id

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Link = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A reporting period, `YYYY-MM` (monthly reports, 月调度)."""
CampaignYear = Annotated[int, Field(ge=2000, le=2100)]
Reasons = Annotated[tuple[LongText, ...], Field(min_length=1, max_length=20)]


class PledgeCategory(StrEnum):
    """What a ledger line is about (学习提升, 工作目标, 服务群众, 作风建设)."""

    learning = "learning"
    work_goal = "work_goal"
    service_to_the_masses = "service_to_the_masses"
    conduct = "conduct"


class Pledger(BaseModel):
    """Who pledges: a unit (股室, 党支部) or a member (党员, 干部, 职工) of the unit `unit_id`.

    A member's pledge names the member's unit, whose head reviews it; a unit's pledge has no `unit_id`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["unit", "member"]
    id: Id
    unit_id: Id | None = None

    @model_validator(mode="after")
    def _member_has_a_unit(self) -> Self:
        if (self.kind == "member") != (self.unit_id is not None):
            raise ValueError("a member's pledge names the member's unit_id; a unit's pledge has none")
        return self

    @property
    def scope_unit(self) -> str:
        """The unit the pledge belongs to: the pledging unit, or the member's unit."""
        return self.unit_id or self.id


class LedgerLine(BaseModel):
    """One pledge item (承诺事项): a measurable target with its unit, or a qualitative goal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: Id
    description: LongText
    category: PledgeCategory
    target_value: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    metric_unit: ShortText | None = None
    qualitative_goal: LongText | None = None
    deadline: date
    responsible_member_id: Id

    @model_validator(mode="after")
    def _target_or_goal(self) -> Self:
        if (self.target_value is None) == (self.qualitative_goal is None):
            raise ValueError("a ledger line has either a target_value with a metric_unit or a qualitative_goal")
        if self.target_value is not None and self.metric_unit is None:
            raise ValueError("a target_value needs its metric_unit")
        return self


@event
class PledgeMade(Event):
    """A unit or member made a pledge for a campaign; it is a draft until submitted for review.

    `recorded_by` is set for an oral pledge (口头承诺) recorded by a branch officer for the member.
    """

    pledge_id: Id
    campaign_id: Id
    pledger: Pledger
    year: CampaignYear
    title: ShortText
    lines: tuple[LedgerLine, ...] = Field(min_length=1, max_length=50)
    recorded_by: Id | None = None


@event
class PledgeRevised(Event):
    """The pledger revised the pledge's lines (revision numbers count from 1), with the reason.

    Both the lines before and after are kept, so the old targets stay in the history. A revision of a
    published pledge is a proposal: the published lines stay in force until the revision is approved.
    """

    pledge_id: Id
    revision: int = Field(ge=1)
    reason: LongText
    title: ShortText
    previous_lines: tuple[LedgerLine, ...]
    lines: tuple[LedgerLine, ...] = Field(min_length=1, max_length=50)


@event
class PledgeSubmitted(Event):
    """The pledger submitted the pledge (at `revision`, 0 for the original lines) for review (审核)."""

    pledge_id: Id
    revision: int = Field(ge=0)


@event
class PledgeReturned(Event):
    """The reviewer returned the submitted pledge for revision, with the reasons."""

    pledge_id: Id
    revision: int = Field(ge=0)
    reviewer_id: Id
    reasons: Reasons


@event
class PledgeApproved(Event):
    """The reviewer (the office, or the member's unit head) approved the submitted revision."""

    pledge_id: Id
    revision: int = Field(ge=0)
    reviewer_id: Id
    comment: LongText | None = None


@event
class PledgePublished(Event):
    """The approved lines are made public (公示) and in force: progress is reported against them."""

    pledge_id: Id
    campaign_id: Id
    pledger: Pledger
    revision: int = Field(ge=0)
    title: ShortText
    lines: tuple[LedgerLine, ...] = Field(min_length=1, max_length=50)


class ProgressEntry(BaseModel):
    """Progress on one ledger line: the current (cumulative) value in the line's unit, or done for a goal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: Id
    current_value: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    metric_unit: ShortText | None = None
    done: bool | None = None
    narrative: LongText | None = None
    evidence: tuple[Link, ...] = Field(default=(), max_length=10)


@event
class ProgressReported(Event):
    """The pledger or a line's responsible member reported progress (践诺) for a month."""

    pledge_id: Id
    period: Month
    reported_by: Id
    entries: tuple[ProgressEntry, ...] = Field(min_length=1, max_length=50)


@event
class SelfCheckFiled(Event):
    """The pledger's self-check (践诺自查, November): progress, gaps and problems.

    `percent_complete` is the pledge's completion when filed, by `shared.progress.pledge_percent`.
    """

    pledge_id: Id
    summary: LongText
    gaps: LongText | None = None
    problems: tuple[LongText, ...] = Field(default=(), max_length=20)
    percent_complete: float = Field(ge=0, le=100)


class FulfilmentOutcome(StrEnum):
    """The year-end verdict on a pledge (承诺兑现)."""

    fulfilled = "fulfilled"
    partly_fulfilled = "partly_fulfilled"
    not_fulfilled = "not_fulfilled"


@event
class FulfilmentAssessed(Event):
    """The reviewer assessed the pledge at year end, with the reason; the pledge is closed after it.

    `percent_complete` is the pledge's completion when assessed, by `shared.progress.pledge_percent`.
    """

    pledge_id: Id
    outcome: FulfilmentOutcome
    reason: LongText
    reviewer_id: Id
    percent_complete: float = Field(ge=0, le=100)


@event
class PledgeWithdrawn(Event):
    """The pledger withdrew the pledge before it was ever approved; nothing can follow."""

    pledge_id: Id
    reason: LongText | None = None
