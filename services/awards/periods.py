"""Award periods as strings (`2026`, `2026-H1`, `2026-Q3`, `2026-05`): kind, first day, the one before."""

from __future__ import annotations

from datetime import date

from shared.events.campaigns import PeriodKind


def kind_of(period: str) -> PeriodKind:
    if len(period) == 4:
        return PeriodKind.year
    tail = period[5:]
    if tail.startswith("H"):
        return PeriodKind.half_year
    if tail.startswith("Q"):
        return PeriodKind.quarter
    return PeriodKind.month


def year_of(period: str) -> int:
    return int(period[:4])


def first_day(period: str) -> date:
    """The day the period starts: the rules in force on it are the period's rules."""
    year, tail = year_of(period), period[5:]
    match kind_of(period):
        case PeriodKind.year:
            return date(year, 1, 1)
        case PeriodKind.half_year:
            return date(year, 1 if tail == "H1" else 7, 1)
        case PeriodKind.quarter:
            return date(year, 3 * (int(tail[1]) - 1) + 1, 1)
    return date(year, int(tail), 1)


def previous(period: str) -> str | None:
    """The period before `period` in the same year (None for the first one, or a year)."""
    year, tail = year_of(period), period[5:]
    match kind_of(period):
        case PeriodKind.half_year:
            return f"{year}-H1" if tail == "H2" else None
        case PeriodKind.quarter:
            n = int(tail[1])
            return f"{year}-Q{n - 1}" if n > 1 else None
        case PeriodKind.month:
            n = int(tail)
            return f"{year}-{n - 1:02d}" if n > 1 else None
    return None
