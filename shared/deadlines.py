"""Who is behind: lines past their deadline without completion, pledges without a month's report.

Pure functions over what a read model holds; the bulletin (月调度, 季通报) and reminders use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from shared.events.pledges import LedgerLine
from shared.progress import LineProgress, is_complete, line_percent


@dataclass(frozen=True, slots=True)
class OverdueLine:
    """A line in force whose deadline has passed before it was complete."""

    pledge_id: str
    line_id: str
    responsible_member_id: str
    deadline: date
    percent_complete: float


@dataclass(frozen=True, slots=True)
class PledgeReporting:
    """A published pledge's reporting record: from which month reports are due, and the months reported."""

    pledge_id: str
    pledger_id: str
    due_from: str
    reported: frozenset[str]


def overdue_lines(
    pledge_id: str, lines: Iterable[LedgerLine], progress: Mapping[str, LineProgress], today: date
) -> list[OverdueLine]:
    """The lines whose deadline is before `today` and that are not complete, in deadline order."""
    late = [
        OverdueLine(
            pledge_id,
            line.line_id,
            line.responsible_member_id,
            line.deadline,
            line_percent(line, progress.get(line.line_id)),
        )
        for line in lines
        if line.deadline < today and not is_complete(line, progress.get(line.line_id))
    ]
    return sorted(late, key=lambda o: (o.deadline, o.line_id))


def missing_reports(pledges: Iterable[PledgeReporting], month: str) -> list[PledgeReporting]:
    """The pledges due a report in `month` (YYYY-MM, due from their publication month) that have none."""
    return sorted(
        (p for p in pledges if p.due_from <= month and month not in p.reported),
        key=lambda p: (p.pledger_id, p.pledge_id),
    )
