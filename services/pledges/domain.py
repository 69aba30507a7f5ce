"""The pledge decider: state, decide, evolve and the rules' named errors. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from services.pledges.commands import MakePledge, PledgeCommand
from shared.errors import Forbidden, RuleViolated
from shared.events import Actor, Event, Role
from shared.events.pledges import LedgerLine, PledgeMade, Pledger
from shared.shell import Decider

Status = Literal["none", "draft"]


@dataclass(frozen=True, slots=True)
class Pledge:
    """What the decider knows of one pledge."""

    status: Status = "none"
    pledge_id: str | None = None
    campaign_id: str | None = None
    pledger: Pledger | None = None
    lines: tuple[LedgerLine, ...] = ()


class PledgeAlreadyExists(RuleViolated):
    def __init__(self, pledge_id: str) -> None:
        super().__init__("pledge_id_unique", f"pledge {pledge_id} already exists")


class DuplicateLedgerLine(RuleViolated):
    def __init__(self, line_id: str) -> None:
        super().__init__("ledger_line_ids_unique", f"ledger line {line_id} appears twice")


def may_pledge_for(actor: Actor, pledger: Pledger) -> bool:
    """A member pledges for themselves (or is recorded orally by another); a unit through its head or the office."""
    if pledger.kind == "member":
        return True
    return actor.role == Role.office or (actor.role == Role.unit_head and actor.unit_id == pledger.id)


def decide(command: PledgeCommand, state: Pledge) -> Sequence[Event]:
    match command:
        case MakePledge():
            return _make(command, state)
    raise TypeError(f"not a pledge command: {command!r}")  # pragma: no cover


def _make(cmd: MakePledge, state: Pledge) -> Sequence[Event]:
    if state.status != "none":
        raise PledgeAlreadyExists(cmd.pledge_id)
    if not may_pledge_for(cmd.actor, cmd.pledger):
        raise Forbidden(f"{cmd.actor.role} {cmd.actor.member_id} may not pledge for unit {cmd.pledger.id}")
    seen: set[str] = set()
    for line in cmd.lines:
        if line.line_id in seen:
            raise DuplicateLedgerLine(line.line_id)
        seen.add(line.line_id)
    oral = cmd.pledger.kind == "member" and cmd.actor.member_id != cmd.pledger.id
    return [
        PledgeMade(
            pledge_id=cmd.pledge_id,
            campaign_id=cmd.campaign_id,
            pledger=cmd.pledger,
            title=cmd.title,
            lines=cmd.lines,
            recorded_by=cmd.actor.member_id if oral else None,
        )
    ]


def evolve(state: Pledge, event: Event) -> Pledge:
    match event:
        case PledgeMade():
            return replace(
                state,
                status="draft",
                pledge_id=event.pledge_id,
                campaign_id=event.campaign_id,
                pledger=event.pledger,
                lines=event.lines,
            )
    return state


pledge_decider: Decider[PledgeCommand, Pledge] = Decider(initial=Pledge(), decide=decide, evolve=evolve)
