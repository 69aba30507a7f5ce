"""The member decider (boundary `<campaign_id>~member~<member_id>`): enrol, transfer, leave, roles. No I/O.

"In exactly one unit at a time" holds inside the member's own boundary. The unit tree and the
campaign come in as facts, read from the log's latest events (units are never removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from services.campaigns.campaign import Campaign
from services.campaigns.commands import EnrolMember, GrantRole, MemberCommand, RemoveMember, RevokeRole, TransferMember
from services.campaigns.errors import (
    CampaignNotFound,
    DateOutsideCampaignYear,
    MemberInAnotherUnit,
    RoleNotGrantable,
    UnknownMember,
    UnknownUnit,
    UnknownVoterGroup,
)
from services.campaigns.units import UnitTree
from shared.authz import authorize
from shared.events import Event, Role
from shared.events.organisation import (
    MemberEnrolled,
    MemberLeft,
    MemberTransferred,
    RoleGrant,
    RoleGranted,
    RoleRevoked,
)
from shared.shell import Decider

UNIT_HEAD = RoleGrant(role=Role.unit_head)


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a campaign: whether enrolled, in which unit, with which roles."""

    status: Literal["none", "enrolled", "left"] = "none"
    name: str = ""
    unit_id: str | None = None
    roles: frozenset[RoleGrant] = frozenset()

    def holds(self, role: Role, unit_id: str | None = None) -> bool:
        """True if enrolled with `role` (a unit head: of `unit_id`, when given)."""
        if self.status != "enrolled" or not any(g.role == role for g in self.roles):
            return False
        return role != Role.unit_head or unit_id is None or unit_id == self.unit_id


@dataclass(frozen=True, slots=True)
class Facts:
    """What a member decision reads from other boundaries."""

    campaign: Campaign
    tree: UnitTree


def decide(command: MemberCommand, state: Member, facts: Facts) -> Sequence[Event]:
    authorize(type(command).__name__, command.actor, for_member=command.member_id)
    if not facts.campaign.launched:
        raise CampaignNotFound(command.campaign_id)
    match command:
        case EnrolMember():
            return _enrol(command, state, facts)
        case TransferMember():
            return _transfer(command, _enrolled(command, state), facts)
        case RemoveMember():
            _in_year(facts.campaign, "leaving date", command)
            unit_id = _enrolled(command, state).unit_id or ""
            fields = command.model_dump(include={"campaign_id", "member_id", "effective_on", "reason"})
            return [MemberLeft(**fields, unit_id=unit_id)]
        case GrantRole():
            return _grants(command, _enrolled(command, state), (command.grant,), facts)
        case RevokeRole():
            if command.grant not in _enrolled(command, state).roles:
                return []
            fields = command.model_dump(include={"campaign_id", "member_id", "grant", "reason"})
            return [RoleRevoked(**fields)]
    raise TypeError(f"not a member command: {command!r}")  # pragma: no cover


def _enrol(cmd: EnrolMember, state: Member, facts: Facts) -> Sequence[Event]:
    _unit(facts, cmd.unit_id)
    if state.status == "enrolled" and state.unit_id != cmd.unit_id:
        raise MemberInAnotherUnit(cmd.member_id, state.unit_id or "?")
    enrolled: list[Event] = []
    if state.status != "enrolled":
        enrolled.append(MemberEnrolled(**cmd.model_dump(include={"campaign_id", "member_id", "name", "unit_id"})))
        state = Member("enrolled", cmd.name, cmd.unit_id)
    return [*enrolled, *_grants(cmd, state, cmd.roles, facts)]


def _transfer(cmd: TransferMember, state: Member, facts: Facts) -> Sequence[Event]:
    _unit(facts, cmd.unit_id)
    _in_year(facts.campaign, "transfer date", cmd)
    if cmd.unit_id == state.unit_id:
        return []
    moved = MemberTransferred(
        campaign_id=cmd.campaign_id,
        member_id=cmd.member_id,
        from_unit_id=state.unit_id or "",
        to_unit_id=cmd.unit_id,
        effective_on=cmd.effective_on,
    )
    if UNIT_HEAD not in state.roles:
        return [moved]
    ended = RoleRevoked(campaign_id=cmd.campaign_id, member_id=cmd.member_id, grant=UNIT_HEAD, reason="transferred")
    return [moved, ended]


def _grants(cmd: EnrolMember | GrantRole, state: Member, grants: Sequence[RoleGrant], facts: Facts) -> list[Event]:
    out: list[Event] = []
    held = set(state.roles)
    for grant in grants:
        _check_grant(grant, facts.campaign)
        if grant in held:
            continue
        held.add(grant)
        unit_id = state.unit_id if grant.role == Role.unit_head else None
        out.append(RoleGranted(campaign_id=cmd.campaign_id, member_id=cmd.member_id, grant=grant, unit_id=unit_id))
    return out


def _check_grant(grant: RoleGrant, campaign: Campaign) -> None:
    if grant.role in (Role.member, Role.system):
        raise RoleNotGrantable(f"{grant.role.value} is not a role one grants (every enrolled person is a member)")
    if (grant.role == Role.voter) != (grant.voter_group is not None):
        raise RoleNotGrantable("a voter role names its voter group, and only a voter role does")
    groups = {g.group_id for g in campaign.latest_rules.voter_groups}
    if grant.voter_group is not None and grant.voter_group not in groups:
        raise UnknownVoterGroup(grant.voter_group)


def _enrolled(cmd: MemberCommand, state: Member) -> Member:
    if state.status != "enrolled":
        raise UnknownMember(cmd.member_id)
    return state


def _unit(facts: Facts, unit_id: str) -> None:
    if unit_id != facts.campaign.organiser_unit_id and unit_id not in facts.tree.units:
        raise UnknownUnit(unit_id)


def _in_year(campaign: Campaign, what: str, cmd: TransferMember | RemoveMember) -> None:
    if not campaign.in_year(cmd.effective_on):
        raise DateOutsideCampaignYear(what, cmd.effective_on, campaign.year)


def evolve(state: Member, event: Event) -> Member:
    match event:
        case MemberEnrolled():
            return Member("enrolled", event.name, event.unit_id)
        case MemberTransferred():
            return replace(state, unit_id=event.to_unit_id)
        case MemberLeft():
            return replace(state, status="left", roles=frozenset())
        case RoleGranted():
            return replace(state, roles=state.roles | {event.grant})
        case RoleRevoked():
            return replace(state, roles=state.roles - {event.grant})
    return state


NO_FACTS = Facts(Campaign(), UnitTree())
member_decider: Decider[MemberCommand, Member] = Decider(
    initial=Member(), decide=partial(decide, facts=NO_FACTS), evolve=evolve
)
