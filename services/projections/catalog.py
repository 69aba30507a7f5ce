"""Every projection the live read schema holds, by name."""

from __future__ import annotations

from services.projections import audit, boards, pledge_board, scores_board
from services.projections.projection import Projection

PROJECTIONS: dict[str, Projection] = {
    p.name: p for p in (pledge_board.projection, scores_board.projection, boards.projection, audit.projection)
}
"""Read models: any schema can build them (live, blue/green, point-in-time). The score policy, which appends
ScoreAdjusted instead of writing tables, runs only in the live process (`app.py`), never in a side build."""


def select(names: list[str] | None) -> list[Projection]:
    """The named projections (all when None); raises KeyError naming an unknown one."""
    if not names:
        return list(PROJECTIONS.values())
    unknown = sorted(set(names) - PROJECTIONS.keys())
    if unknown:
        raise KeyError(f"unknown projection(s) {unknown}; known: {sorted(PROJECTIONS)}")
    return [PROJECTIONS[n] for n in names]
