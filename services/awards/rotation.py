"""The history of rotating flags (流动红旗): who held which flag from when until when. Pure, over the events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from shared.events import Event
from shared.events.awards import AwardGranted, AwardRevoked, FlagHandedOver

Ending = Literal["handed_over", "returned", "revoked"]


@dataclass(frozen=True, slots=True)
class Tenure:
    """A unit held flag `flag_no` of a category from `period`; `ended` says how it let go, in `until`."""

    category_id: str
    flag_no: int
    unit_id: str
    period: str
    award_id: str
    ended: Ending | None = None
    until: str | None = None
    successor: str | None = None


def flag_history(events: Iterable[Event]) -> list[Tenure]:
    """Every tenure of every rotating flag in the order the flags were granted."""
    tenures: list[Tenure] = []
    for e in events:
        match e:
            case AwardGranted(flag_no=int(n)):
                tenures.append(Tenure(e.category_id, n, e.winner.id, e.period, e.award_id))
            case FlagHandedOver():
                ending: Ending = "handed_over" if e.to_unit_id else "returned"
                _end(tenures, partial(_held_before, handover=e), ending, e.to_period, e.to_unit_id)
            case AwardRevoked(flag_no=int()):
                _end(tenures, partial(_of_award, award_id=e.award_id), "revoked", e.period, None)
    return tenures


def holders(events: Iterable[Event], category_id: str, period: str) -> dict[int, str]:
    """The flags of a category held during `period` (granted then and not revoked), by number."""
    return {
        t.flag_no: t.unit_id
        for t in flag_history(events)
        if t.category_id == category_id and t.period == period and t.ended != "revoked"
    }


def _held_before(t: Tenure, handover: FlagHandedOver) -> bool:
    e = handover
    return (t.category_id, t.flag_no, t.unit_id, t.period) == (e.category_id, e.flag_no, e.from_unit_id, e.from_period)


def _of_award(t: Tenure, award_id: str) -> bool:
    return t.award_id == award_id


def _end(
    tenures: list[Tenure], match: Callable[[Tenure], bool], ending: Ending, until: str, successor: str | None
) -> None:
    for i, t in enumerate(tenures):
        if t.ended is None and match(t):
            tenures[i] = replace(t, ended=ending, until=until, successor=successor)
