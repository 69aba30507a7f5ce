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


class PledgeCategory(StrEnum):
    """What a ledger line is about (学习提升, 工作目标, 服务群众, 作风建设)."""

    learning = "learning"
    work_goal = "work_goal"
    service_to_the_masses = "service_to_the_masses"
    conduct = "conduct"


class Pledger(BaseModel):
    """Who pledges: a unit (股室, 党支部) or a member (党员, 干部, 职工)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["unit", "member"]
    id: Id


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
    title: ShortText
    lines: tuple[LedgerLine, ...] = Field(min_length=1, max_length=50)
    recorded_by: Id | None = None
