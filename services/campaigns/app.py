"""The campaigns service: command subscribers in the `campaigns` queue group, nothing but adapters."""

from __future__ import annotations

from functools import partial

from services.campaigns import members, units
from services.campaigns.campaign import campaign_decider
from services.campaigns.commands import (
    AmendCampaignRules,
    EnrolMember,
    FileGapReport,
    GrantRole,
    LaunchCampaign,
    MemberCommand,
    MoveUnit,
    NameBenchmarkPair,
    RegisterUnit,
    RemoveMember,
    RevokeRole,
    TransferMember,
    UnitCommand,
)
from services.campaigns.directory import CONTEXT, Directory, campaign_boundary, member_boundary, units_boundary
from shared.commands import Reply
from shared.service import Service
from shared.subjects import command_pattern

service = Service(CONTEXT)
broker, app = service.broker, service.app
_directories: dict[int, Directory] = {}


def directory() -> Directory:
    """The directory over the connected store (a new connection gets a new one)."""
    store = service.store
    return _directories.setdefault(id(store), Directory(store))


async def _campaign(cmd: LaunchCampaign | AmendCampaignRules) -> Reply:
    return await service.shell(CONTEXT, campaign_decider).execute(campaign_boundary(cmd.campaign_id), cmd)


async def _unit(cmd: UnitCommand) -> Reply:
    decide = partial(units.decide, campaign=await directory().campaign(cmd.campaign_id))
    return await service.shell(CONTEXT, units.unit_decider).execute(units_boundary(cmd.campaign_id), cmd, decide)


async def _member(cmd: MemberCommand) -> Reply:
    decide = partial(members.decide, facts=await directory().facts(cmd.campaign_id))
    boundary = member_boundary(cmd.campaign_id, cmd.member_id)
    return await service.shell(CONTEXT, members.member_decider).execute(boundary, cmd, decide)


@broker.subscriber(command_pattern(CONTEXT, "LaunchCampaign"), queue=CONTEXT)
async def launch_campaign(cmd: LaunchCampaign) -> Reply:
    """LaunchCampaign → CampaignLaunched."""
    return await _campaign(cmd)


@broker.subscriber(command_pattern(CONTEXT, "AmendCampaignRules"), queue=CONTEXT)
async def amend_campaign_rules(cmd: AmendCampaignRules) -> Reply:
    """AmendCampaignRules → CampaignRulesAmended."""
    return await _campaign(cmd)


@broker.subscriber(command_pattern(CONTEXT, "RegisterUnit"), queue=CONTEXT)
async def register_unit(cmd: RegisterUnit) -> Reply:
    """RegisterUnit → UnitRegistered."""
    return await _unit(cmd)


@broker.subscriber(command_pattern(CONTEXT, "MoveUnit"), queue=CONTEXT)
async def move_unit(cmd: MoveUnit) -> Reply:
    """MoveUnit → UnitMoved."""
    return await _unit(cmd)


@broker.subscriber(command_pattern(CONTEXT, "NameBenchmarkPair"), queue=CONTEXT)
async def name_benchmark_pair(cmd: NameBenchmarkPair) -> Reply:
    """NameBenchmarkPair → BenchmarkPairNamed."""
    return await _unit(cmd)


@broker.subscriber(command_pattern(CONTEXT, "FileGapReport"), queue=CONTEXT)
async def file_gap_report(cmd: FileGapReport) -> Reply:
    """FileGapReport → GapReportFiled."""
    return await _unit(cmd)


@broker.subscriber(command_pattern(CONTEXT, "EnrolMember"), queue=CONTEXT)
async def enrol_member(cmd: EnrolMember) -> Reply:
    """EnrolMember → MemberEnrolled, RoleGranted…"""
    return await _member(cmd)


@broker.subscriber(command_pattern(CONTEXT, "TransferMember"), queue=CONTEXT)
async def transfer_member(cmd: TransferMember) -> Reply:
    """TransferMember → MemberTransferred (and RoleRevoked for a unit head)."""
    return await _member(cmd)


@broker.subscriber(command_pattern(CONTEXT, "RemoveMember"), queue=CONTEXT)
async def remove_member(cmd: RemoveMember) -> Reply:
    """RemoveMember → MemberLeft."""
    return await _member(cmd)


@broker.subscriber(command_pattern(CONTEXT, "GrantRole"), queue=CONTEXT)
async def grant_role(cmd: GrantRole) -> Reply:
    """GrantRole → RoleGranted."""
    return await _member(cmd)


@broker.subscriber(command_pattern(CONTEXT, "RevokeRole"), queue=CONTEXT)
async def revoke_role(cmd: RevokeRole) -> Reply:
    """RevokeRole → RoleRevoked."""
    return await _member(cmd)
