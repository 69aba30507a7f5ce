"""Who may act on a pledge: the one table in `shared.authz`, scoped by the pledge's own pledger.

Only the command's actor (role, unit, member id) and the pledge are consulted. Once the campaigns
context lands, the handlers should also confirm the actor's enrolment (role and unit in the campaign)
and pass it to `decide` as a fact; the scope rules here stay the same.
"""

from __future__ import annotations

from shared.authz import authorize, may
from shared.errors import Forbidden
from shared.events import Actor, Role
from shared.events.pledges import LedgerLine, Pledger


def authorize_pledger(command: str, actor: Actor, pledger: Pledger) -> None:
    """The pledger acts: a member for themselves (or their unit head / the office for them), a unit via its
    head or the office. Raises Forbidden."""
    if pledger.kind == "unit" and actor.role == Role.member:
        raise Forbidden(f"member {actor.member_id} may not {command} for unit {pledger.id}")
    member = pledger.id if pledger.kind == "member" else None
    authorize(command, actor, for_member=member, for_unit=pledger.scope_unit)


def authorize_reviewer(command: str, actor: Actor, pledger: Pledger) -> None:
    """The office reviews any pledge; a unit head only a member's pledge of their unit. Raises Forbidden."""
    if actor.role == Role.unit_head and pledger.kind == "unit":
        raise Forbidden(f"a unit's pledge is reviewed by the office, not by unit head {actor.member_id}")
    authorize(command, actor, for_member=pledger.id, for_unit=pledger.scope_unit)
    if actor.member_id == pledger.id:
        raise Forbidden(f"{actor.member_id} may not review their own pledge")


def may_report(command: str, actor: Actor, pledger: Pledger, line: LedgerLine, recorded_by: str | None) -> bool:
    """Only the pledger, the line's responsible member, or who recorded an oral pledge reports on a line."""
    if not may(command, actor, for_member=actor.member_id, for_unit=pledger.scope_unit):
        return False
    if actor.member_id in (line.responsible_member_id, recorded_by):
        return True
    if pledger.kind == "member":
        return actor.member_id == pledger.id
    return actor.role == Role.unit_head and actor.unit_id == pledger.id
