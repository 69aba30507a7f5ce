"""Events of the awards context: award rounds (评选), nominations, review, grants (授旗挂星), rotation, revocation.

Consistency boundary and subjects: ``ps.evt.awards.<org>.<round_id>.<Type>`` where ``round_id`` is
``<campaign_id>~<category_id>~<period>`` (e.g. ``c-2026~vanguard_flag~2026-H1``): one round per
category and period, and every decision of that round in one boundary, so no interleaving of
committee decisions can exceed the quota.

`AwardGranted` and `AwardRevoked` carry everything the score ledger needs (campaign, category,
period, winner, points under the rules in force, round): a projection never looks anything up.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events.registry import Event, event
from shared.ids import Id

PERIOD_PATTERN = r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
"""`2026` (year), `2026-H1`/`2026-H2` (half-year), `2026-Q1`..`Q4` (quarter), `2026-01`..`12` (month)."""
RoundId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}~[A-Za-z0-9_-]{1,64}~[0-9HQ-]{4,7}$")]
Deeds = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1500)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Label = Annotated[str, Field(min_length=1, max_length=40)]
Points = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]
WinnerKind = Literal["unit", "member"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(StrEnum):
    """Configurable eligibility conditions of a round, beyond the right kind of nominee and enrolment."""

    approved_pledge = "approved_pledge"  # the nominee's pledge (named in the nomination) is approved
    no_failing_grade = "no_failing_grade"  # no failing grade in the round's named evaluation results


class Route(StrEnum):
    self_application = "self_application"  # 申报
    recommendation = "recommendation"  # 推荐


class Nominee(_Value):
    """A unit or a member up for an award; a member's `unit_id` is their unit when nominated."""

    kind: WinnerKind
    id: Id
    unit_id: Id | None = None


class NomineeResult(_Value):
    """A nominee's result in the democratic evaluation of nominees (民主测评)."""

    nominee_id: Id
    overall: float | None
    grade: Label | None


@event
class AwardRoundOpened(Event):
    """The office opened an award round for a category and period, with the rules in force for the period.

    `quota`, `winner` and `points` are the campaign's category as of the period's first day. Nominations are
    taken until `nominations_close_at`. A `rotating` round (流动红旗) numbers its flags 1..quota and takes
    them over from `previous_round_id`'s holders.
    """

    round_id: RoundId
    campaign_id: Id
    category_id: Id
    category_name: str
    period: Period
    winner: WinnerKind
    quota: int = Field(ge=0)
    points: Points
    nominations_close_at: datetime
    decision_due: date | None = None
    conditions: tuple[Condition, ...] = ()
    failing_grades: tuple[Label, ...] = ()
    grades_round_id: Id | None = None
    rotating: bool = False
    previous_round_id: RoundId | None = None


@event
class NomineeNominated(Event):
    """A unit or member was nominated by self-application (申报) or recommendation (推荐), with their deeds."""

    round_id: RoundId
    campaign_id: Id
    nominee: Nominee
    route: Route
    nominated_by: Id
    deeds: Deeds
    pledge_id: Id | None = None


@event
class NominationWithdrawn(Event):
    """A nomination was withdrawn before the nominations closed."""

    round_id: RoundId
    campaign_id: Id
    nominee_id: Id
    reason: Note


@event
class NominationsClosed(Event):
    """No more nominations; `nominees` are the round's nominees from now on."""

    round_id: RoundId
    campaign_id: Id
    nominees: tuple[Id, ...]


@event
class EvaluationAttached(Event):
    """The office named the evaluation round (民主测评) of the nominees; its published results will be recorded."""

    round_id: RoundId
    campaign_id: Id
    evaluation_round_id: Id


@event
class NomineesEvaluated(Event):
    """The published results of the nominees' democratic evaluation, recorded on the award round."""

    round_id: RoundId
    campaign_id: Id
    evaluation_round_id: Id
    results: tuple[NomineeResult, ...]


@event
class InspectionRecorded(Event):
    """The office inspected a nominee (检查与审核) and recorded its findings."""

    round_id: RoundId
    campaign_id: Id
    nominee_id: Id
    inspector_id: Id
    findings: Note
    satisfactory: bool


@event
class PreliminaryListProposed(Event):
    """The office's preliminary list (评比初步意见) submitted to the committee; a newer one replaces it."""

    round_id: RoundId
    campaign_id: Id
    nominees: tuple[Id, ...]
    note: Note | None = None


@event
class AwardGranted(Event):
    """The committee (党委) granted an award to a nominee within the round's quota (审定, 授旗挂星).

    One of the four events the system is known by. `award_id` equals this event's id; honour
    certificates are keyed by it. `points` are the category's points under the rules in force; the
    score ledger credits them to `winner` in `campaign_id` for `period`. `flag_no` numbers a rotating flag.
    """

    award_id: Id
    round_id: RoundId
    campaign_id: Id
    category_id: Id
    category_name: str
    period: Period
    winner: Nominee
    points: Points
    decided_by: Id
    flag_no: int | None = None


@event
class FlagHandedOver(Event):
    """A rotating flag's holder of the previous period handed it over (to None: back to the organiser)."""

    round_id: RoundId
    campaign_id: Id
    category_id: Id
    flag_no: int = Field(ge=1)
    from_unit_id: Id
    from_period: Period
    to_unit_id: Id | None
    to_period: Period


@event
class AwardsPublished(Event):
    """The round's grants were made public (公示); no more grants in this round."""

    round_id: RoundId
    campaign_id: Id
    award_ids: tuple[Id, ...]


@event
class AwardRevoked(Event):
    """An award was revoked (动态管理) with a reason; the score ledger debits exactly the granted `points`."""

    award_id: Id
    round_id: RoundId
    campaign_id: Id
    category_id: Id
    period: Period
    winner: Nominee
    points: Points
    reason: Note
    revoked_by: Id
    flag_no: int | None = None


@event
class AwardRecommendedUpward(Event):
    """A winner was recommended to the superior organisation (向上推荐)."""

    award_id: Id
    round_id: RoundId
    campaign_id: Id
    winner: Nominee
    to_organisation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    note: Note | None = None
