"""Actors, commands and events of the pledge lifecycle for tests; each states only what differs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from services.pledges.commands import (
    ApprovePledge,
    AssessFulfilment,
    FileSelfCheck,
    ReportProgress,
    ReturnPledge,
    RevisePledge,
    SubmitPledge,
    WithdrawPledge,
)
from services.pledges.domain import Pledge, decide, evolve, pledge_decider
from shared.commands import Command
from shared.events import Actor, Event, Role
from shared.events.pledges import FulfilmentOutcome, LedgerLine, PledgeCategory, Pledger, ProgressEntry
from shared.ids import new_id
from tests.support.builders import MEMBER, ledger_line, make_pledge

PLEDGE = "p-1"
HEAD = Actor(member_id="m-head", role=Role.unit_head, unit_id="u-office")
OTHER_HEAD = Actor(member_id="m-head-2", role=Role.unit_head, unit_id="u-other")
OFFICE = Actor(member_id="m-office", role=Role.office)
OTHER_MEMBER = Actor(member_id="m-li-na", role=Role.member, unit_id="u-office")
UNIT = Pledger(kind="unit", id="u-office")


def goal_line(line_id: str = "g1", **overrides: Any) -> LedgerLine:
    fields: dict[str, Any] = {"target_value": None, "metric_unit": None, "qualitative_goal": "办结群众诉求不过夜"}
    return ledger_line(line_id, **{"category": PledgeCategory.service_to_the_masses, **fields, **overrides})


def cmd_fields(actor: Actor, **fields: Any) -> dict[str, Any]:
    return {"command_id": new_id(), "actor": actor, "pledge_id": PLEDGE, **fields}


def revise(actor: Actor = MEMBER, lines: Sequence[LedgerLine] | None = None, **f: Any) -> RevisePledge:
    new_lines = tuple(lines) if lines is not None else (ledger_line(target_value=24),)
    return RevisePledge(**cmd_fields(actor, reason="目标偏低，提高到24篇", lines=new_lines, **f))


def submit(actor: Actor = MEMBER) -> SubmitPledge:
    return SubmitPledge(**cmd_fields(actor))


def approve(actor: Actor = HEAD) -> ApprovePledge:
    return ApprovePledge(**cmd_fields(actor))


def return_(actor: Actor = HEAD) -> ReturnPledge:
    return ReturnPledge(**cmd_fields(actor, reasons=("目标不够具体",)))


def withdraw(actor: Actor = MEMBER) -> WithdrawPledge:
    return WithdrawPledge(**cmd_fields(actor, reason="调岗"))


def entry(line_id: str = "l1", **f: Any) -> ProgressEntry:
    fields: dict[str, Any] = {"line_id": line_id, "current_value": 6, "metric_unit": "篇", "narrative": "按月完成"}
    return ProgressEntry(**{**fields, **f})


def report(*entries: ProgressEntry, actor: Actor = MEMBER, period: str = "2026-06") -> ReportProgress:
    return ReportProgress(**cmd_fields(actor, period=period, entries=entries or (entry(),)))


def self_check(actor: Actor = MEMBER) -> FileSelfCheck:
    return FileSelfCheck(**cmd_fields(actor, summary="完成过半", gaps="下半年需加快", problems=("时间紧",)))


def assess(actor: Actor = HEAD, outcome: FulfilmentOutcome = FulfilmentOutcome.fulfilled) -> AssessFulfilment:
    return AssessFulfilment(**cmd_fields(actor, outcome=outcome, reason="全部兑现"))


def state_of(given: Sequence[Event]) -> Pledge:
    state = pledge_decider.initial
    for e in given:
        state = evolve(state, e)
    return state


def run(given: Sequence[Event], when: Command) -> list[Event]:
    """given the events, when the command: then these events (or the raised domain error)."""
    return list(decide(when, state_of(given)))  # type: ignore[arg-type]


def after(given: Sequence[Event], *commands: Command) -> list[Event]:
    """The events once every command was decided in turn (each must be accepted)."""
    events = list(given)
    for c in commands:
        events += run(events, c)
    return events


def made(**overrides: Any) -> list[Event]:
    return run([], make_pledge(PLEDGE, **overrides))


def published(by: Actor = MEMBER, reviewer: Actor = HEAD, **overrides: Any) -> list[Event]:
    return after(run([], make_pledge(PLEDGE, actor=by, **overrides)), submit(by), approve(reviewer))


def unit_pledge(*lines: LedgerLine) -> dict[str, Any]:
    return {"pledger": UNIT, "lines": lines or (ledger_line(),)}


DEC_31 = date(2026, 12, 31)
