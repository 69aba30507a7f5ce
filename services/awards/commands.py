"""Commands of the awards context (subjects ps.cmd.awards.<organisation>.<Name>); all but the opening name
their round."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.commands import Command
from shared.events.awards import (
    Condition,
    Deeds,
    Label,
    NomineeResult,
    Note,
    Period,
    RoundId,
    Route,
    WinnerKind,
)
from shared.ids import Id


def round_id_of(campaign_id: str, category_id: str, period: str) -> str:
    """The round's boundary id: one round per campaign, category and period."""
    return f"{campaign_id}~{category_id}~{period}"


class OpenAwardRound(Command):
    """The office opens the round of a category for a period, with its deadlines and eligibility conditions.

    `grades_round_id` names the evaluation whose grades `no_failing_grade` looks at (e.g. the half-year's
    mass evaluation); `failing_grades` are the grades that disqualify (default 不合格).
    """

    campaign_id: Id
    category_id: Id
    period: Period
    nominations_close_at: datetime
    decision_due: date | None = None
    conditions: tuple[Condition, ...] = Field(default=(), max_length=5)
    failing_grades: tuple[Label, ...] = Field(default=("不合格",), max_length=10)
    grades_round_id: Id | None = None
    rotating: bool = False

    @property
    def round_id(self) -> str:
        return round_id_of(self.campaign_id, self.category_id, self.period)


class Nominate(Command):
    """Nominate a unit or member: self-application (申报) by the nominee or recommendation (推荐).

    `pledge_id` names the nominee's pledge where the round requires an approved one.
    """

    round_id: RoundId
    kind: WinnerKind
    nominee_id: Id
    route: Route
    deeds: Deeds
    pledge_id: Id | None = None


class WithdrawNomination(Command):
    """Withdraw a nomination while nominations are open."""

    round_id: RoundId
    nominee_id: Id
    reason: Note


class CloseNominations(Command):
    """The office closes nominations (also before the deadline); the review starts."""

    round_id: RoundId


class AttachEvaluation(Command):
    """The office names the evaluation round of the nominees (民主测评) whose results the round records."""

    round_id: RoundId
    evaluation_round_id: Id


class RecordNomineeEvaluation(Command):
    """Record the nominees' published evaluation results (sent by the evaluation-results policy)."""

    round_id: RoundId
    evaluation_round_id: Id
    results: tuple[NomineeResult, ...] = Field(max_length=1000)


class RecordInspection(Command):
    """The office's inspection notes on a nominee (检查与审核)."""

    round_id: RoundId
    nominee_id: Id
    findings: Note
    satisfactory: bool = True


class ProposePreliminaryList(Command):
    """The office's preliminary list (初步意见) for the committee; it replaces an earlier one."""

    round_id: RoundId
    nominees: tuple[Id, ...] = Field(min_length=1, max_length=1000)
    note: Note | None = None


class GrantAward(Command):
    """The committee grants the award to a nominee on the preliminary list, within the quota (审定)."""

    round_id: RoundId
    nominee_id: Id


class PublishAwards(Command):
    """Make the round's grants public (公示); a rotating round's remaining previous holders hand over."""

    round_id: RoundId


class RevokeAward(Command):
    """The committee revokes an award (动态管理), with a reason."""

    round_id: RoundId
    award_id: Id
    reason: Note


class RecommendUpward(Command):
    """Recommend a winner to the superior organisation (向上推荐)."""

    round_id: RoundId
    award_id: Id
    to_organisation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    note: Note | None = None


RoundCommand = (
    OpenAwardRound
    | Nominate
    | WithdrawNomination
    | CloseNominations
    | AttachEvaluation
    | RecordNomineeEvaluation
    | RecordInspection
    | ProposePreliminaryList
    | GrantAward
    | PublishAwards
    | RevokeAward
    | RecommendUpward
)
ALL_COMMANDS = (
    OpenAwardRound,
    Nominate,
    WithdrawNomination,
    CloseNominations,
    AttachEvaluation,
    RecordNomineeEvaluation,
    RecordInspection,
    ProposePreliminaryList,
    GrantAward,
    PublishAwards,
    RevokeAward,
    RecommendUpward,
)
