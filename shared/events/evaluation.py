"""Events of the evaluation context: rounds (民主测评, 群众评议, 互评), ballots, tallies, leader reviews (领导点评).

Consistency boundaries and subjects:

- ``ps.evt.evaluation.<org>.<round_id>.*``: one round: its definition, opening, ballot boxes, close and results.
- ``ps.evt.ballots.<org>.<round_id>_<voter_key>.*``: one voter's ballot in one round. ``voter_key`` is 32 hex
  digits: in a secret round the keyed pseudonym HMAC(round secret, voter id), held only by the
  evaluation service; in an open round a plain digest of (round, voter). So nobody votes twice, voters
  never conflict with each other, and a secret round's events never name the voter.
- ``ps.evt.reviews.<org>.<party_id>.*``: the leader reviews of one unit or member and its rectification.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.registry import Event, event, registry
from shared.ids import Id

Label = Annotated[str, Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
VoterKey = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoundKind(StrEnum):
    democratic = "democratic"  # 民主测评
    mass = "mass"  # 群众评议
    mutual = "mutual"  # 互评


class Party(_Value):
    """A unit or a member: the subject of an evaluation or a review."""

    kind: Literal["unit", "member"]
    id: Id


class ScaleLevel(_Value):
    """One answer a ballot can give (优秀, 合格, 满意, …) and the points it is worth in the tally."""

    label: Label
    score: float = Field(ge=0, le=1000, allow_inf_nan=False)


class Grade(_Value):
    """A grade given to an overall score of at least `min_score`; `warning_talk` means 警示谈话 and rectification."""

    label: Label
    min_score: float = Field(ge=0, le=1000, allow_inf_nan=False)
    warning_talk: bool = False


class VoterGroup(_Value):
    """Voters of one kind (领导, 党员, 服务对象代表) whose mean rating counts with `weight` in the tally."""

    name: Id
    weight: float = Field(gt=0, le=1, allow_inf_nan=False)
    members: tuple[Id, ...] = Field(min_length=1, max_length=5000)


class Window(_Value):
    """When ballots are accepted: opens_at <= t < closes_at."""

    opens_at: datetime
    closes_at: datetime


class Rating(_Value):
    """One subject rated on one criterion with a label of the round's scale."""

    subject_id: Id
    criterion: Label
    level: Label


Ratings = Annotated[tuple[Rating, ...], Field(min_length=1, max_length=2000)]


@event
class RoundDefined(Event):
    """The office defined an evaluation round; ballots are taken only once it is opened."""

    round_id: Id
    campaign_id: Id
    kind: RoundKind
    title: Annotated[str, Field(min_length=1, max_length=200)]
    subjects: tuple[Party, ...]
    criteria: tuple[Label, ...]
    scale: tuple[ScaleLevel, ...]
    grades: tuple[Grade, ...]
    groups: tuple[VoterGroup, ...]
    window: Window
    secret: bool


@event
class RoundOpened(Event):
    """Ballots are accepted within the window. `key_check` fingerprints the secret round's key."""

    round_id: Id
    campaign_id: Id
    key_check: str | None = None


@event
class BallotCast(Event):
    """One voter's ballot. In a secret round `voter_id` is None and only `voter_key` (a pseudonym) is kept."""

    round_id: Id
    campaign_id: Id
    voter_key: VoterKey
    voter_id: Id | None
    group: Id
    ratings: Ratings


class PaperBallot(_Value):
    """One paper ballot from a box: anonymous, the voter group printed on it, its ratings."""

    group: Id
    ratings: Ratings


@event
class BallotBoxCounted(Event):
    """A polling officer entered a ballot box (评议投票箱) as a batch that matched the box's subtotal."""

    round_id: Id
    campaign_id: Id
    box_id: Id
    subtotal: int = Field(ge=1)
    ballots: tuple[PaperBallot, ...]


@event
class RoundClosed(Event):
    """No more ballots: the tally counts the round's ballots stored in the log before this event.

    Version 1 also carried `cutoff_seq`, the log's last sequence when the close was decided, and counted up to
    it: a ballot stored between that and the close was answered "accepted" and left out. Version 2 draws the
    line at the close itself; its upcaster drops the field.
    """

    schema_version: ClassVar[int] = 2

    round_id: Id
    campaign_id: Id
    closed_at: datetime


@registry.upcaster("RoundClosed", 1)
def _round_closed_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "cutoff_seq"}


class CriterionScore(_Value):
    criterion: Label
    score: float | None
    ratings: int


class SubjectResult(_Value):
    """A subject's weighted score per criterion and overall, its grade, and whether it needs a warning talk."""

    subject: Party
    criteria: tuple[CriterionScore, ...]
    overall: float | None
    grade: Label | None
    warning_talk_required: bool


class GroupTurnout(_Value):
    group: Id
    eligible: int
    cast: int


class Tally(_Value):
    """The result of a round: per subject, and the turnout per voter group."""

    subjects: tuple[SubjectResult, ...]
    turnout: tuple[GroupTurnout, ...]
    ballots: int


@event
class ResultsPublished(Event):
    """The office published the tally of a closed round (公布评议结果)."""

    round_id: Id
    campaign_id: Id
    cutoff_seq: int
    tally: Tally


@event
class LeaderReviewed(Event):
    """A leader reviewed a unit or member (领导点评, three rounds a year).

    `previous_rectification_done` is the review's finding on the rectification the previous review asked for.
    """

    campaign_id: Id
    party: Party
    review_no: int = Field(ge=1, le=3)
    reviewer_id: Id
    achievements: Text
    problems: Text | None = None
    required_rectification: Text | None = None
    previous_rectification_done: bool | None = None


@event
class RectificationStated(Event):
    """The reviewed party's rectification statement (整改表态) on a review's required rectification."""

    campaign_id: Id
    party: Party
    review_no: int = Field(ge=1, le=3)
    statement: Text
