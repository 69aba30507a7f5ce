"""Events of the scores context: score adjustments (加分 / 减分) derived by the scoring policy.

Subjects: ``ps.evt.scores.<org>.<adjustment_id>.ScoreAdjusted``. Each adjustment is its own consistency
boundary, appended with expected sequence 0, so one cause yields exactly one adjustment forever: a
replay, a rebuild or a second policy instance meets the existing boundary and appends nothing.
HR systems consume `ScoreAdjusted` straight off the stream.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.registry import Event, event
from shared.ids import Id

AdjustmentKind = Literal["award", "revocation", "grade", "fulfilment", "correction"]


class ScoredParty(BaseModel):
    """Whose score moves: a unit, or a member (with their unit when the cause named it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["unit", "member"]
    id: Id
    unit_id: Id | None = None


@event
class ScoreAdjusted(Event):
    """A signed number of points for a unit or member in a campaign year, under a named scoring rule.

    `adjustment_id` is the boundary id: the cause's key for an original adjustment, a key derived from the
    cause and `rule_version` for a correction after a rule amendment. `cause_event_id` is the award, grade
    or fulfilment event the points come from (for a revocation: the `AwardRevoked`); the envelope's
    `causation_id` is the event the policy reacted to (the amendment, for a correction). `rule_id` and
    `rule_trigger` name the rule (`category:<id>` when an award category's own points applied);
    `rule_version` is the campaign's rules version in force on the cause's date (1 = as launched).
    `counts_on` places the points in a month, quarter, half-year and year; `period` is the cause's own.
    """

    adjustment_id: Id
    campaign_id: Id
    subject: ScoredParty
    points: Annotated[float, Field(allow_inf_nan=False, ge=-10000, le=10000)]
    kind: AdjustmentKind
    year: int
    period: str
    counts_on: date
    rule_id: str | None
    rule_trigger: str
    rule_version: int = Field(ge=0)
    cause_event_id: str
    cause_type: str
    reason: str
