"""Commands of the evaluation context (subjects ps.cmd.evaluation.<organisation>.<Name>)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.commands import Command
from shared.events.evaluation import (
    Grade,
    Label,
    PaperBallot,
    Party,
    Ratings,
    RoundKind,
    ScaleLevel,
    Text,
    VoterGroup,
    Window,
)
from shared.ids import Id


class DefineRound(Command):
    """Define an evaluation round: subjects, criteria, scale, grade thresholds, weighted voter groups, window."""

    round_id: Id
    campaign_id: Id
    kind: RoundKind
    title: Annotated[str, Field(min_length=1, max_length=200)]
    subjects: tuple[Party, ...] = Field(min_length=1, max_length=500)
    criteria: tuple[Label, ...] = Field(min_length=1, max_length=20)
    scale: tuple[ScaleLevel, ...] = Field(min_length=2, max_length=10)
    grades: tuple[Grade, ...] = Field(min_length=1, max_length=10)
    groups: tuple[VoterGroup, ...] = Field(min_length=1, max_length=10)
    window: Window
    secret: bool = False


class OpenRound(Command):
    """Start taking ballots (within the round's window)."""

    round_id: Id


class CloseRound(Command):
    """Stop taking ballots; the close records the cut-off the tally counts up to."""

    round_id: Id


class CastBallot(Command):
    """The actor casts their own ballot: a scale label per subject and criterion (omitted pairs abstain)."""

    round_id: Id
    ratings: Ratings


class CountBallotBox(Command):
    """A polling officer enters a ballot box's paper ballots with the box's counted subtotal."""

    round_id: Id
    box_id: Id
    subtotal: int = Field(ge=1, le=10_000)
    ballots: tuple[PaperBallot, ...] = Field(min_length=1, max_length=10_000)


class PublishResults(Command):
    """Tally a closed round and publish its results (公布评议结果)."""

    round_id: Id


class RecordLeaderReview(Command):
    """A leader's review (领导点评) of a unit or member: achievements, problems, required rectification."""

    campaign_id: Id
    party: Party
    review_no: int = Field(ge=1, le=3)
    achievements: Text
    problems: Text | None = None
    required_rectification: Text | None = None
    previous_rectification_done: bool | None = Field(
        default=None, description="required from the second review on when the previous one asked for rectification"
    )


class StateRectification(Command):
    """The reviewed party's rectification statement (整改表态) on a review."""

    campaign_id: Id
    party: Party
    review_no: int = Field(ge=1, le=3)
    statement: Text


RoundCommand = DefineRound | OpenRound | CloseRound | CountBallotBox | PublishResults
ReviewCommand = RecordLeaderReview | StateRectification
ALL_COMMANDS = (
    DefineRound,
    OpenRound,
    CastBallot,
    CountBallotBox,
    CloseRound,
    PublishResults,
    RecordLeaderReview,
    StateRectification,
)
