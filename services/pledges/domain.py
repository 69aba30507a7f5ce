"""The pledge decider: make, revise, submit, review, withdraw; progress and year end in `progress.py`. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from services.pledges import progress
from services.pledges.access import authorize_pledger, authorize_reviewer
from services.pledges.commands import (
    ApprovePledge,
    AssessFulfilment,
    FileSelfCheck,
    MakePledge,
    PledgeCommand,
    ReportProgress,
    ReturnPledge,
    RevisePledge,
    SubmitPledge,
    WithdrawPledge,
)
from services.pledges.errors import (
    AlreadyApproved,
    DeadlineOutsideYear,
    DuplicateLedgerLine,
    NothingToReview,
    NothingToSubmit,
    PledgeAlreadyExists,
    ReportedLineChangesKind,
    StaleRevision,
    UnderReview,
)
from services.pledges.state import Pledge, evolve
from shared.events import Event
from shared.events.pledges import (
    LedgerLine,
    PledgeApproved,
    PledgeMade,
    PledgePublished,
    PledgeReturned,
    PledgeRevised,
    PledgeSubmitted,
    PledgeWithdrawn,
)
from shared.shell import Decider

__all__ = ["Pledge", "check_lines", "decide", "evolve", "pledge_decider"]


def decide(command: PledgeCommand, state: Pledge) -> Sequence[Event]:
    match command:
        case MakePledge():
            return _make(command, state)
        case RevisePledge():
            return _revise(command, state)
        case SubmitPledge():
            return _submit(command, state)
        case ReturnPledge():
            return _return(command, state)
        case ApprovePledge():
            return _approve(command, state)
        case WithdrawPledge():
            return _withdraw(command, state)
        case ReportProgress():
            return progress.report(command, state)
        case FileSelfCheck():
            return progress.self_check(command, state)
        case AssessFulfilment():
            return progress.assess(command, state)
    raise TypeError(f"not a pledge command: {command!r}")  # pragma: no cover


def check_lines(lines: Sequence[LedgerLine], year: int) -> None:
    """Line ids are unique and every deadline is within the campaign year."""
    seen: set[str] = set()
    for line in lines:
        if line.line_id in seen:
            raise DuplicateLedgerLine(line.line_id)
        seen.add(line.line_id)
        if line.deadline.year != year:
            raise DeadlineOutsideYear(line.line_id, line.deadline, year)


def _make(cmd: MakePledge, state: Pledge) -> Sequence[Event]:
    if state.status != "none":
        raise PledgeAlreadyExists(cmd.pledge_id)
    authorize_pledger("MakePledge", cmd.actor, cmd.pledger)
    check_lines(cmd.lines, cmd.year)
    oral = cmd.pledger.kind == "member" and cmd.actor.member_id != cmd.pledger.id
    return [
        PledgeMade(
            pledge_id=cmd.pledge_id,
            campaign_id=cmd.campaign_id,
            pledger=cmd.pledger,
            year=cmd.year,
            title=cmd.title,
            lines=cmd.lines,
            recorded_by=cmd.actor.member_id if oral else None,
        )
    ]


def _revise(cmd: RevisePledge, state: Pledge) -> Sequence[Event]:
    pledger = progress.existing(state, cmd.pledge_id)
    authorize_pledger("RevisePledge", cmd.actor, pledger)
    progress.still_open(state)
    if state.status == "submitted":
        raise UnderReview(cmd.pledge_id)
    if cmd.based_on_revision is not None and cmd.based_on_revision != state.revision:
        raise StaleRevision(cmd.based_on_revision, state.revision)
    check_lines(cmd.lines, state.year)
    _keep_reported_measures(state, cmd.lines)
    title = cmd.title or state.title
    if cmd.lines == state.lines and title == state.title:
        return []
    return [
        PledgeRevised(
            pledge_id=cmd.pledge_id,
            revision=state.revision + 1,
            reason=cmd.reason,
            title=title,
            previous_lines=state.lines,
            lines=cmd.lines,
        )
    ]


def _keep_reported_measures(state: Pledge, lines: Sequence[LedgerLine]) -> None:
    """A line with progress keeps its measure, so reported values stay comparable with its target."""
    for line in lines:
        old = state.line_in_force(line.line_id)
        if old is not None and line.line_id in state.progress and old.metric_unit != line.metric_unit:
            raise ReportedLineChangesKind(line.line_id)


def _submit(cmd: SubmitPledge, state: Pledge) -> Sequence[Event]:
    pledger = progress.existing(state, cmd.pledge_id)
    authorize_pledger("SubmitPledge", cmd.actor, pledger)
    progress.still_open(state)
    match state.status:
        case "submitted":
            return []
        case "approved":
            raise NothingToSubmit(cmd.pledge_id)
    return [PledgeSubmitted(pledge_id=cmd.pledge_id, revision=state.revision)]


def _return(cmd: ReturnPledge, state: Pledge) -> Sequence[Event]:
    pledger = progress.existing(state, cmd.pledge_id)
    authorize_reviewer("ReturnPledge", cmd.actor, pledger)
    progress.still_open(state)
    if state.status != "submitted":
        raise NothingToReview(cmd.pledge_id, state.status)
    return [
        PledgeReturned(
            pledge_id=cmd.pledge_id, revision=state.revision, reviewer_id=cmd.actor.member_id, reasons=cmd.reasons
        )
    ]


def _approve(cmd: ApprovePledge, state: Pledge) -> Sequence[Event]:
    pledger = progress.existing(state, cmd.pledge_id)
    authorize_reviewer("ApprovePledge", cmd.actor, pledger)
    progress.still_open(state)
    if state.status == "approved":
        return []
    if state.status != "submitted":
        raise NothingToReview(cmd.pledge_id, state.status)
    return [
        PledgeApproved(
            pledge_id=cmd.pledge_id, revision=state.revision, reviewer_id=cmd.actor.member_id, comment=cmd.comment
        ),
        PledgePublished(
            pledge_id=cmd.pledge_id,
            campaign_id=state.campaign_id,
            pledger=pledger,
            revision=state.revision,
            title=state.title,
            lines=state.lines,
        ),
    ]


def _withdraw(cmd: WithdrawPledge, state: Pledge) -> Sequence[Event]:
    pledger = progress.existing(state, cmd.pledge_id)
    authorize_pledger("WithdrawPledge", cmd.actor, pledger)
    if state.status == "withdrawn":
        return []
    if state.is_published:
        raise AlreadyApproved(cmd.pledge_id)
    return [PledgeWithdrawn(pledge_id=cmd.pledge_id, reason=cmd.reason)]


def campaign_of(state: Pledge) -> str | None:
    """The pledge's campaign, for the envelopes of events that don't carry it (all but Made and Published)."""
    return state.campaign_id or None


pledge_decider: Decider[PledgeCommand, Pledge] = Decider(
    initial=Pledge(), decide=decide, evolve=evolve, campaign_of=campaign_of
)
