"""One valid instance of every campaigns command against the seed roster, sent as a given actor."""

from __future__ import annotations

from datetime import date

from services.campaigns.commands import (
    AmendCampaignRules,
    CampaignCommand,
    EnrolMember,
    FileGapReport,
    GrantRole,
    LaunchCampaign,
    MoveUnit,
    NameBenchmarkPair,
    RegisterUnit,
    RemoveMember,
    RevokeRole,
    TransferMember,
)
from shared.events import Actor, Role
from shared.events.organisation import RoleGrant
from shared.ids import new_id
from tests.support.campaigns import launch


def every_command(campaign_id: str, actor: Actor, unit: str = "u-gongye") -> list[CampaignCommand]:
    """Each would be accepted from the office; the benchmark pair and gap report are `unit`'s."""
    base = {"actor": actor, "campaign_id": campaign_id}
    day = date(2026, 3, 10)
    commands: list[CampaignCommand] = [
        launch(campaign_id, actor=actor),
        AmendCampaignRules(
            command_id=new_id(), **base, effective_on=date(2026, 7, 1), reason="增加名额", voter_groups=()
        ),
        RegisterUnit(
            command_id=new_id(), **base, unit_id="u-new-" + new_id()[-8:], name="新设股室", parent_id="u-renshi"
        ),
        MoveUnit(command_id=new_id(), **base, unit_id="u-dangxiaozu-2", parent_id="u-party-committee"),
        NameBenchmarkPair(
            command_id=new_id(), **base, unit_id=unit, internal_unit_id="u-xiangmu", external_benchmark="寿光市工信局"
        ),
        FileGapReport(
            command_id=new_id(),
            **base,
            unit_id=unit,
            report_id="r-" + new_id()[-12:],
            filed_on=day,
            summary="对标寿光市工信局，我股在企业技改投资方面存在差距",
            gaps=("技改项目数量少", "服务企业不够主动"),
            measures=("每月走访重点企业",),
        ),
        EnrolMember(command_id=new_id(), **base, member_id="m-" + new_id()[-8:], name="郑新", unit_id="u-caiwu"),
        TransferMember(command_id=new_id(), **base, member_id="m-080", unit_id="u-fagui", effective_on=day),
        RemoveMember(command_id=new_id(), **base, member_id="m-079", effective_on=day, reason="调离"),
        GrantRole(command_id=new_id(), **base, member_id="m-078", grant=RoleGrant(role=Role.office)),
        RevokeRole(command_id=new_id(), **base, member_id="m-006", grant=RoleGrant(role=Role.unit_head), reason="换届"),
    ]
    assert isinstance(commands[0], LaunchCampaign)
    return commands
