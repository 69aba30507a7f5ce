"""Who may send which command, for whom: the one table every service enforces.

A role listed for a command may send it; then the scope narrows whom it may act for:
a `member` only for themselves, a `unit_head` for their own unit and its members, the
office, committee and admin for anyone. `system` is the role of policies (process managers).
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.errors import Forbidden
from shared.events import Actor, Role

_ANYONE_IN_CAMPAIGN = frozenset({Role.member, Role.unit_head, Role.office, Role.admin})
_REVIEWERS = frozenset({Role.unit_head, Role.office})

_ORGANISER = frozenset({Role.office, Role.admin})
_UNIT_OR_ORGANISER = frozenset({Role.unit_head, Role.office, Role.admin})

# command name -> roles that may send it; extend it as commands are added (tests check it covers them all)
POLICY: dict[str, frozenset[Role]] = {
    "MakePledge": _ANYONE_IN_CAMPAIGN,
    "RevisePledge": _ANYONE_IN_CAMPAIGN,
    "SubmitPledge": _ANYONE_IN_CAMPAIGN,
    "WithdrawPledge": _ANYONE_IN_CAMPAIGN,
    "FileSelfCheck": _ANYONE_IN_CAMPAIGN,
    "ReturnPledge": _REVIEWERS,  # a unit head only for a member of their unit; a unit's pledge: the office
    "ApprovePledge": _REVIEWERS,
    "AssessFulfilment": _REVIEWERS,
    "ReportProgress": frozenset({Role.member, Role.unit_head}),  # only the pledger or the line's responsible
    # campaigns: the organiser (活动办, admin) runs the campaign and its roster; a unit head its own pair
    "LaunchCampaign": _ORGANISER,
    "AmendCampaignRules": _ORGANISER,
    "RegisterUnit": _ORGANISER,
    "MoveUnit": _ORGANISER,
    "EnrolMember": _ORGANISER,
    "TransferMember": _ORGANISER,
    "RemoveMember": _ORGANISER,
    "GrantRole": _ORGANISER,
    "RevokeRole": _ORGANISER,
    "NameBenchmarkPair": _UNIT_OR_ORGANISER,
    "FileGapReport": _UNIT_OR_ORGANISER,
    # evaluation: the office runs rounds; a polling officer (office, unit head) counts a box; a voter casts
    # their own ballot (always the actor's, so unscoped); leaders review; the reviewed party states rectification
    "DefineRound": frozenset({Role.office, Role.admin}),
    "OpenRound": frozenset({Role.office, Role.admin}),
    "CloseRound": frozenset({Role.office, Role.admin}),
    "PublishResults": frozenset({Role.office, Role.admin}),
    "CountBallotBox": frozenset({Role.office, Role.unit_head, Role.admin}),
    "CastBallot": frozenset({Role.member, Role.unit_head, Role.office, Role.committee, Role.voter, Role.admin}),
    "RecordLeaderReview": frozenset({Role.office, Role.committee, Role.admin}),
    "StateRectification": frozenset({Role.member, Role.unit_head, Role.office, Role.admin}),
    # awards: the office runs rounds and keeps the preliminary list; only the committee (党委) decides awards;
    # a member applies for themselves, a unit head for their unit and its members; `system` is the results policy
    "OpenAwardRound": frozenset({Role.office, Role.admin}),
    "Nominate": _ANYONE_IN_CAMPAIGN,
    "WithdrawNomination": _ANYONE_IN_CAMPAIGN,
    "CloseNominations": frozenset({Role.office, Role.admin}),
    "AttachEvaluation": frozenset({Role.office, Role.admin}),
    "RecordNomineeEvaluation": frozenset({Role.system, Role.office, Role.admin}),
    "RecordInspection": frozenset({Role.office}),
    "ProposePreliminaryList": frozenset({Role.office}),
    "GrantAward": frozenset({Role.committee}),
    "PublishAwards": frozenset({Role.office, Role.committee}),
    "RevokeAward": frozenset({Role.committee}),
    "RecommendUpward": frozenset({Role.committee, Role.office}),
}

# roles that act for any member or unit (the rest are scoped to themselves or their unit)
UNSCOPED = frozenset({Role.office, Role.committee, Role.admin, Role.system})


def may(command: str, actor: Actor, *, for_member: str | None = None, for_unit: str | None = None) -> bool:
    """True if the actor's role may send `command` acting for that member or unit."""
    allowed = POLICY.get(command)
    if allowed is None or actor.role not in allowed:
        return False
    if actor.role in UNSCOPED:
        return True
    if actor.role == Role.unit_head:
        return for_unit is None or for_unit == actor.unit_id
    return for_member is None or for_member == actor.member_id


def authorize(command: str, actor: Actor, *, for_member: str | None = None, for_unit: str | None = None) -> None:
    """Raises Forbidden unless `may(...)`."""
    if not may(command, actor, for_member=for_member, for_unit=for_unit):
        whom = for_member or for_unit or "this campaign"
        raise Forbidden(f"{actor.role.value} {actor.member_id} may not {command} for {whom}")


def roles_for(command: str) -> Iterable[Role]:
    return sorted(POLICY.get(command, frozenset()))
