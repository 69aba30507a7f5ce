"""Percent complete (the published weighting) and who is behind (overdue lines, missing monthly reports)."""

from __future__ import annotations

from datetime import date

from shared.deadlines import PledgeReporting, missing_reports, overdue_lines
from shared.progress import LineProgress, line_percent, pledge_percent
from tests.support.builders import ledger_line
from tests.support.pledges import goal_line

TWELVE = ledger_line("q", target_value=12)
GOAL = goal_line("g")


def test_a_quantitative_line_is_its_share_of_the_target_capped_at_100() -> None:
    assert line_percent(TWELVE, None) == 0.0
    assert line_percent(TWELVE, LineProgress(current_value=3)) == 25.0
    assert line_percent(TWELVE, LineProgress(current_value=30)) == 100.0


def test_a_qualitative_line_is_all_or_nothing() -> None:
    assert line_percent(GOAL, LineProgress(done=False)) == 0.0
    assert line_percent(GOAL, LineProgress(done=True)) == 100.0


def test_a_pledge_is_the_unweighted_mean_of_its_lines() -> None:
    progress = {"q": LineProgress(current_value=6), "g": LineProgress(done=True)}
    assert pledge_percent([TWELVE, GOAL], progress) == 75.0
    assert pledge_percent([TWELVE, GOAL, ledger_line("r")], progress) == 50.0
    assert pledge_percent([], progress) == 0.0


def test_lines_past_their_deadline_without_completion_are_overdue() -> None:
    june = ledger_line("a", deadline=date(2026, 6, 30))
    march = ledger_line("b", deadline=date(2026, 3, 31))
    done_early = ledger_line("c", deadline=date(2026, 3, 31))
    later = ledger_line("d", deadline=date(2026, 12, 31))
    progress = {"a": LineProgress(current_value=6), "c": LineProgress(current_value=12)}

    late = overdue_lines("p", [june, march, done_early, later], progress, today=date(2026, 7, 1))

    assert [(o.line_id, o.percent_complete) for o in late] == [("b", 0.0), ("a", 50.0)]
    assert overdue_lines("p", [june], progress, today=date(2026, 6, 30)) == []


def test_pledges_due_a_report_without_one_are_listed() -> None:
    a = PledgeReporting("p-a", "m-a", due_from="2026-03", reported=frozenset({"2026-03", "2026-04"}))
    b = PledgeReporting("p-b", "m-b", due_from="2026-03", reported=frozenset({"2026-03"}))
    c = PledgeReporting("p-c", "m-c", due_from="2026-06", reported=frozenset())

    assert missing_reports([a, b, c], "2026-04") == [b]
    assert missing_reports([a, b, c], "2026-06") == [a, b, c]
