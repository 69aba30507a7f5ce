"""Every projection the live read schema holds, by name."""

from __future__ import annotations

from services.projections import pledge_board
from services.projections.projection import Projection

PROJECTIONS: dict[str, Projection] = {p.name: p for p in (pledge_board.projection,)}


def select(names: list[str] | None) -> list[Projection]:
    """The named projections (all when None); raises KeyError naming an unknown one."""
    if not names:
        return list(PROJECTIONS.values())
    unknown = sorted(set(names) - PROJECTIONS.keys())
    if unknown:
        raise KeyError(f"unknown projection(s) {unknown}; known: {sorted(PROJECTIONS)}")
    return [PROJECTIONS[n] for n in names]
