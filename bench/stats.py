"""Percentiles, and the rows of the result table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Row:
    """One line of the table: the project's figure, its reference's, their ratio and the goal."""

    benchmark: str
    project: str
    reference: str = "-"
    ratio: str = "-"
    goal: str = "-"
    met: bool | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fmt_rate(x: float, unit: str = "/s") -> str:
    return f"{x:,.0f}{unit}"


def ratio(a: float, b: float) -> float:
    return a / b if b else 0.0
