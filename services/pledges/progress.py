"""The pledge decider's second half: progress reports, the self-check and the fulfilment assessment. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from services.pledges.access import authorize_pledger, authorize_reviewer, may_report
from services.pledges.commands import AssessFulfilment, FileSelfCheck, ReportProgress
from services.pledges.errors import (
    DuplicateLedgerLine,
    NotPublished,
    PeriodOutsideYear,
    PledgeClosed,
    PledgeNotFound,
    PledgeWithdrawnError,
    SelfCheckAlreadyFiled,
    UnknownLine,
    WrongMetricUnit,
    WrongValueKind,
)
from services.pledges.state import Pledge
from shared.errors import Forbidden
from shared.events import Actor, Event
from shared.events.pledges import (
    FulfilmentAssessed,
    LedgerLine,
    Pledger,
    ProgressEntry,
    ProgressReported,
    SelfCheckFiled,
)
from shared.progress import pledge_percent


def existing(state: Pledge, pledge_id: str) -> Pledger:
    """The pledger of a pledge that exists; raises PledgeNotFound."""
    if state.pledger is None:
        raise PledgeNotFound(pledge_id)
    return state.pledger


def still_open(state: Pledge) -> None:
    """Raises unless the pledge can still change: not withdrawn, not assessed."""
    if state.status == "withdrawn":
        raise PledgeWithdrawnError(state.pledge_id)
    if state.is_closed:
        raise PledgeClosed(state.pledge_id)


def _in_force(state: Pledge) -> tuple[LedgerLine, ...]:
    still_open(state)
    if state.published is None:
        raise NotPublished(state.pledge_id)
    return state.published


def report(cmd: ReportProgress, state: Pledge) -> Sequence[Event]:
    pledger = existing(state, cmd.pledge_id)
    _in_force(state)
    if int(cmd.period[:4]) != state.year:
        raise PeriodOutsideYear(cmd.period, state.year)
    seen: set[str] = set()
    for entry in cmd.entries:
        if entry.line_id in seen:
            raise DuplicateLedgerLine(entry.line_id)
        seen.add(entry.line_id)
        _check_entry(cmd.actor, state, pledger, entry)
    return [
        ProgressReported(
            pledge_id=cmd.pledge_id, period=cmd.period, reported_by=cmd.actor.member_id, entries=cmd.entries
        )
    ]


def _check_entry(actor: Actor, state: Pledge, pledger: Pledger, entry: ProgressEntry) -> None:
    line = state.line_in_force(entry.line_id)
    if line is None:
        raise UnknownLine(entry.line_id)
    if not may_report("ReportProgress", actor, pledger, line, state.recorded_by):
        raise Forbidden(f"{actor.member_id} is neither the pledger nor responsible for line {line.line_id}")
    if line.target_value is None:
        if entry.done is None or entry.current_value is not None or entry.metric_unit is not None:
            raise WrongValueKind(line.line_id, "done (true or false) for its qualitative goal, no value")
        return
    if entry.current_value is None or entry.done is not None:
        raise WrongValueKind(line.line_id, f"a current_value in {line.metric_unit!r}")
    if entry.metric_unit != line.metric_unit:
        raise WrongMetricUnit(line.line_id, line.metric_unit or "", entry.metric_unit)


def self_check(cmd: FileSelfCheck, state: Pledge) -> Sequence[Event]:
    pledger = existing(state, cmd.pledge_id)
    authorize_pledger("FileSelfCheck", cmd.actor, pledger)
    lines = _in_force(state)
    if state.self_checked:
        raise SelfCheckAlreadyFiled(cmd.pledge_id)
    return [
        SelfCheckFiled(
            pledge_id=cmd.pledge_id,
            summary=cmd.summary,
            gaps=cmd.gaps,
            problems=cmd.problems,
            percent_complete=pledge_percent(lines, state.progress),
        )
    ]


def assess(cmd: AssessFulfilment, state: Pledge) -> Sequence[Event]:
    pledger = existing(state, cmd.pledge_id)
    authorize_reviewer("AssessFulfilment", cmd.actor, pledger)
    lines = _in_force(state)
    return [
        FulfilmentAssessed(
            pledge_id=cmd.pledge_id,
            outcome=cmd.outcome,
            reason=cmd.reason,
            reviewer_id=cmd.actor.member_id,
            percent_complete=pledge_percent(lines, state.progress),
        )
    ]
