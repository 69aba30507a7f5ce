"""Percent complete of a ledger line and of a pledge: the one computation every service and read model uses.

The weighting, published so that everyone reads a number the same way:

- a quantitative line (a `target_value` in its `metric_unit`) is `min(current_value / target_value, 1)`;
  `current_value` is the latest reported cumulative value, and a line with no report counts 0;
- a qualitative line (a `qualitative_goal`) is 1 once the latest report marks it done, else 0;
- a pledge is the mean of its lines in force, each line weighing the same; a pledge without lines is 0.

Results are percentages from 0 to 100, rounded to one decimal only by `pledge_percent` and `line_percent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.events.pledges import LedgerLine, ProgressEntry


@dataclass(frozen=True, slots=True)
class LineProgress:
    """The latest reported state of one line: its cumulative value, or whether its goal is done."""

    current_value: float | None = None
    done: bool = False

    @classmethod
    def of(cls, entry: ProgressEntry) -> LineProgress:
        return cls(current_value=entry.current_value, done=bool(entry.done))


def line_fraction(line: LedgerLine, progress: LineProgress | None) -> float:
    """0..1: min(current / target, 1) for a quantitative line, 1 or 0 (done or not) for a qualitative one."""
    if progress is None:
        return 0.0
    if line.target_value is None:
        return 1.0 if progress.done else 0.0
    return min((progress.current_value or 0.0) / line.target_value, 1.0)


def line_percent(line: LedgerLine, progress: LineProgress | None) -> float:
    """The line's percent complete, 0..100, one decimal."""
    return round(100 * line_fraction(line, progress), 1)


def pledge_percent(lines: Iterable[LedgerLine], progress: Mapping[str, LineProgress]) -> float:
    """The pledge's percent complete, 0..100, one decimal: the unweighted mean of its lines' fractions."""
    fractions = [line_fraction(line, progress.get(line.line_id)) for line in lines]
    if not fractions:
        return 0.0
    return round(100 * sum(fractions) / len(fractions), 1)


def is_complete(line: LedgerLine, progress: LineProgress | None) -> bool:
    """True once the line reaches its target (or its goal is done)."""
    return line_fraction(line, progress) >= 1.0
