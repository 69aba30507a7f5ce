"""The pledge rules' named errors; each names its rule, the stable part of a `rule_violated` reply."""

from __future__ import annotations

from datetime import date

from shared.errors import NotFound, RuleViolated


class PledgeNotFound(NotFound):
    def __init__(self, pledge_id: str) -> None:
        super().__init__(f"pledge {pledge_id} does not exist")


class PledgeAlreadyExists(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("pledge_id_unique", f"pledge {pledge_id} already exists")


class DuplicateLedgerLine(RuleViolated):
    def __init__(self, line_id: str) -> None:
        super().__init__("ledger_line_ids_unique", f"ledger line {line_id} appears twice")


class DeadlineOutsideYear(RuleViolated):
    def __init__(self, line_id: str, deadline: date, year: int) -> None:
        super().__init__(
            "deadline_within_campaign_year", f"line {line_id}: deadline {deadline} is outside the campaign year {year}"
        )


class PledgeWithdrawnError(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("pledge_not_withdrawn", f"pledge {pledge_id} was withdrawn; nothing can follow")


class PledgeClosed(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("pledge_not_closed", f"pledge {pledge_id} was assessed at year end; it no longer changes")


class UnderReview(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("no_revision_under_review", f"pledge {pledge_id} is under review; wait for its return")


class StaleRevision(RuleViolated):
    def __init__(self, based_on: int, current: int) -> None:
        super().__init__(
            "revision_is_current", f"the revision was based on revision {based_on}, but the pledge is at {current}"
        )


class NothingToReview(RuleViolated):
    def __init__(self, pledge_id: str, status: str) -> None:
        super().__init__("review_needs_submission", f"pledge {pledge_id} is {status}, not submitted for review")


class NothingToSubmit(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("submit_needs_changes", f"pledge {pledge_id} is approved and has no revision to submit")


class AlreadyApproved(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("withdraw_only_before_approval", f"pledge {pledge_id} was approved; it cannot be withdrawn")


class NotPublished(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("pledge_is_published", f"pledge {pledge_id} is not approved and published yet")


class UnknownLine(RuleViolated):
    def __init__(self, line_id: str) -> None:
        super().__init__("line_in_force", f"line {line_id} is not a line of the published pledge")


class WrongValueKind(RuleViolated):
    def __init__(self, line_id: str, expected: str) -> None:
        super().__init__("progress_value_matches_line", f"line {line_id} takes {expected}")


class WrongMetricUnit(RuleViolated):
    def __init__(self, line_id: str, expected: str, got: str | None) -> None:
        super().__init__("progress_unit_matches_line", f"line {line_id} is measured in {expected!r}, not {got!r}")


class PeriodOutsideYear(RuleViolated):
    def __init__(self, period: str, year: int) -> None:
        super().__init__("period_within_campaign_year", f"period {period} is outside the campaign year {year}")


class SelfCheckAlreadyFiled(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("self_check_once", f"pledge {pledge_id} already has its self-check")


class ReportedLineChangesKind(RuleViolated):
    def __init__(self, line_id: str) -> None:
        super().__init__(
            "reported_line_keeps_its_measure",
            f"line {line_id} already has progress: keep its metric unit (or goal), or add it under a new line id",
        )
