"""Builders for the evaluation context: a valid round, voters, ballots, and folding given events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from services.evaluation.commands import CastBallot, DefineRound
from shared.events import Actor, Event, Role
from shared.events.evaluation import Grade, Party, Rating, RoundKind, ScaleLevel, VoterGroup, Window
from shared.ids import new_id

S = TypeVar("S")

NOW = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
OFFICE = Actor(member_id="m-office-li", role=Role.office)
SCALE = (
    ScaleLevel(label="优秀", score=100),
    ScaleLevel(label="合格", score=80),
    ScaleLevel(label="基本合格", score=60),
    ScaleLevel(label="不合格", score=0),
)
GRADES = (
    Grade(label="优秀", min_score=90),
    Grade(label="合格", min_score=75),
    Grade(label="基本合格", min_score=60),
    Grade(label="不合格", min_score=0),
)
CRITERIA = ("岗位胜任度", "发展贡献度", "群众满意度", "社会美誉度")
SUBJECTS = (Party(kind="unit", id="u-finance"), Party(kind="unit", id="u-tax"))
GROUPS = (
    VoterGroup(name="leaders", weight=0.3, members=("m-lead-1", "m-lead-2")),
    VoterGroup(name="members", weight=0.5, members=("m-mem-1", "m-mem-2", "m-mem-3")),
    VoterGroup(name="service_users", weight=0.2, members=("m-svc-1", "m-svc-2")),
)


def window(around: datetime = NOW, hours: float = 24) -> Window:
    return Window(opens_at=around - timedelta(hours=hours), closes_at=around + timedelta(hours=hours))


def define_round(round_id: str | None = None, **overrides: Any) -> DefineRound:
    fields: dict[str, Any] = {
        "command_id": new_id(),
        "actor": OFFICE,
        "round_id": round_id or new_id(),
        "campaign_id": "c-2026",
        "kind": RoundKind.mass,
        "title": "2026年上半年群众评议",
        "subjects": SUBJECTS,
        "criteria": CRITERIA,
        "scale": SCALE,
        "grades": GRADES,
        "groups": GROUPS,
        "window": window(),
        "secret": False,
    }
    return DefineRound(**{**fields, **overrides})


def voter(member_id: str, role: Role = Role.member) -> Actor:
    return Actor(member_id=member_id, role=role)


def rating(subject_id: str = "u-finance", criterion: str = CRITERIA[0], level: str = "优秀") -> Rating:
    return Rating(subject_id=subject_id, criterion=criterion, level=level)


def full_ratings(level: str = "优秀") -> tuple[Rating, ...]:
    return tuple(rating(s.id, c, level) for s in SUBJECTS for c in CRITERIA)


def cast(round_id: str, member_id: str = "m-mem-1", ratings: Sequence[Rating] | None = None) -> CastBallot:
    return CastBallot(
        command_id=new_id(), actor=voter(member_id), round_id=round_id, ratings=tuple(ratings or full_ratings())
    )


def given(initial: S, evolve: Callable[[S, Event], S], events: Iterable[Event]) -> S:
    state = initial
    for e in events:
        state = evolve(state, e)
    return state
