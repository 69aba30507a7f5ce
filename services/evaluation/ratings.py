"""The rules a ballot's ratings obey, for online and paper ballots alike."""

from __future__ import annotations

from collections.abc import Iterable

from services.evaluation.errors import DuplicateRating, RatingOffScale, UnknownCriterion, UnknownSubject
from shared.events.evaluation import Rating, RoundDefined


def check_ratings(definition: RoundDefined, ratings: Iterable[Rating]) -> None:
    """Raises unless every rating is of a subject and criterion of the round, on its scale, once."""
    subjects = {s.id for s in definition.subjects}
    levels = {level.label for level in definition.scale}
    seen: set[tuple[str, str]] = set()
    for r in ratings:
        if r.subject_id not in subjects:
            raise UnknownSubject(r.subject_id)
        if r.criterion not in definition.criteria:
            raise UnknownCriterion(r.criterion)
        if r.level not in levels:
            raise RatingOffScale(r.level)
        if (r.subject_id, r.criterion) in seen:
            raise DuplicateRating(r.subject_id, r.criterion)
        seen.add((r.subject_id, r.criterion))
