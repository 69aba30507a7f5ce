"""The tally of a round: pure, so the service, the results projection and the tests compute the same thing.

Per subject and criterion, each voter group's mean score counts with the group's weight; groups that
gave no rating on that pair are left out and the remaining weights renormalised. The overall score is
the mean of the criterion scores; the grade is the highest whose threshold the overall score reaches
(else the lowest grade).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from shared.events.evaluation import (
    BallotCast,
    CriterionScore,
    Grade,
    GroupTurnout,
    PaperBallot,
    Party,
    RoundDefined,
    SubjectResult,
    Tally,
)

POOR_GRADES = frozenset({"基本合格", "不合格", "不满意"})
"""Grades that always require a warning talk (警示谈话) and rectification, whatever the round says."""

Sums = dict[tuple[str, str, str], tuple[float, int]]


def counted(round_id: str, cutoff_seq: int, ballots: Iterable[tuple[int, BallotCast]]) -> list[PaperBallot]:
    """The online ballots a close counts: the round's, stored at or before the cut-off, made anonymous."""
    return [
        PaperBallot(group=b.group, ratings=b.ratings)
        for seq, b in ballots
        if b.round_id == round_id and seq <= cutoff_seq
    ]


def tally(definition: RoundDefined, ballots: Sequence[PaperBallot]) -> Tally:
    """Weighted scores, grades and turnout of a round over the ballots it counts."""
    points = {level.label: level.score for level in definition.scale}
    sums: Sums = {}
    for ballot in ballots:
        for r in ballot.ratings:
            key = (r.subject_id, r.criterion, ballot.group)
            total, n = sums.get(key, (0.0, 0))
            sums[key] = (total + points[r.level], n + 1)
    cast = Counter(b.group for b in ballots)
    return Tally(
        subjects=tuple(_subject(definition, party, sums) for party in definition.subjects),
        turnout=tuple(
            GroupTurnout(group=g.name, eligible=len(g.members), cast=cast[g.name]) for g in definition.groups
        ),
        ballots=len(ballots),
    )


def grade_for(grades: Sequence[Grade], overall: float) -> Grade:
    """The highest grade whose threshold `overall` reaches, else the lowest grade."""
    ordered = sorted(grades, key=lambda g: g.min_score, reverse=True)
    return next((g for g in ordered if overall >= g.min_score), ordered[-1])


def needs_warning_talk(grade: Grade) -> bool:
    return grade.warning_talk or grade.label in POOR_GRADES


def _subject(definition: RoundDefined, party: Party, sums: Sums) -> SubjectResult:
    weights = {g.name: g.weight for g in definition.groups}
    scores = tuple(_criterion(party.id, c, weights, sums) for c in definition.criteria)
    rated = [s.score for s in scores if s.score is not None]
    if not rated:
        return SubjectResult(subject=party, criteria=scores, overall=None, grade=None, warning_talk_required=False)
    overall = sum(rated) / len(rated)
    grade = grade_for(definition.grades, overall)
    return SubjectResult(
        subject=party,
        criteria=scores,
        overall=overall,
        grade=grade.label,
        warning_talk_required=needs_warning_talk(grade),
    )


def _criterion(subject_id: str, criterion: str, weights: dict[str, float], sums: Sums) -> CriterionScore:
    present = [(w, sums[(subject_id, criterion, g)]) for g, w in weights.items() if (subject_id, criterion, g) in sums]
    if not present:
        return CriterionScore(criterion=criterion, score=None, ratings=0)
    weight = sum(w for w, _ in present)
    score = sum(w * total / n for w, (total, n) in present) / weight
    return CriterionScore(criterion=criterion, score=score, ratings=sum(n for _, (_, n) in present))
