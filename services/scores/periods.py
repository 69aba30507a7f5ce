"""Period labels of a day: `2026-05` (month), `2026-Q2`, `2026-H1`, `2026` (year), and a period's last day."""

from __future__ import annotations

import calendar
from datetime import date

from shared.events.campaigns import PeriodKind


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def labels(day: date) -> dict[PeriodKind, str]:
    """The month, quarter, half-year and year `day` falls in."""
    return {
        PeriodKind.month: month_of(day),
        PeriodKind.quarter: f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        PeriodKind.half_year: f"{day.year}-H{1 if day.month <= 6 else 2}",
        PeriodKind.year: str(day.year),
    }


def kind_of(period: str) -> PeriodKind:
    tail = period[5:]
    if not tail:
        return PeriodKind.year
    return {"H": PeriodKind.half_year, "Q": PeriodKind.quarter}.get(tail[0], PeriodKind.month)


def last_month(period: str) -> int:
    tail = period[5:]
    match kind_of(period):
        case PeriodKind.year:
            return 12
        case PeriodKind.half_year:
            return 6 if tail == "H1" else 12
        case PeriodKind.quarter:
            return 3 * int(tail[1])
    return int(tail)


def last_day(period: str) -> date:
    """The last day of a period label: an H1 award counts in June, Q2 and H1."""
    year, month = int(period[:4]), last_month(period)
    return date(year, month, calendar.monthrange(year, month)[1])


def previous(period: str) -> str | None:
    """The period of the same kind before `period` (across years: 2026-H1 follows 2025-H2)."""
    year, tail = int(period[:4]), period[5:]
    match kind_of(period):
        case PeriodKind.year:
            return str(year - 1)
        case PeriodKind.half_year:
            return f"{year}-H1" if tail == "H2" else f"{year - 1}-H2"
        case PeriodKind.quarter:
            n = int(tail[1])
            return f"{year}-Q{n - 1}" if n > 1 else f"{year - 1}-Q4"
    n = int(tail)
    return f"{year}-{n - 1:02d}" if n > 1 else f"{year - 1}-12"


def first_day(period: str) -> date:
    year, month = int(period[:4]), last_month(period)
    span = {PeriodKind.year: 12, PeriodKind.half_year: 6, PeriodKind.quarter: 3, PeriodKind.month: 1}
    return date(year, month - span[kind_of(period)] + 1, 1)
