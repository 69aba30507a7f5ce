"""Commands of the campaigns context (subjects ps.cmd.campaigns.<organisation>.<Name>)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.commands import Command
from shared.events.campaigns import (
    AwardCategory,
    Deadline,
    EvaluationScale,
    LongText,
    PeriodKind,
    ScoringRule,
    ShortText,
    VoterGroup,
)
from shared.events.organisation import RoleGrant
from shared.ids import Id


class CampaignCommand(Command):
    """Every command of this context names its campaign."""

    campaign_id: Id


class LaunchCampaign(CampaignCommand):
    """Launch a campaign for a year: theme, organiser (the root of its unit tree), periods and rules."""

    theme: ShortText
    organiser_unit_id: Id
    organiser_name: ShortText
    year: int = Field(ge=2000, le=2100)
    periods: tuple[PeriodKind, ...] = Field(min_length=1, max_length=4)
    calendar: tuple[Deadline, ...] = Field(default=(), max_length=100)
    categories: tuple[AwardCategory, ...] = Field(default=(), max_length=50)
    scales: tuple[EvaluationScale, ...] = Field(default=(), max_length=20)
    scoring_rules: tuple[ScoringRule, ...] = Field(default=(), max_length=100)
    voter_groups: tuple[VoterGroup, ...] = Field(default=(), max_length=20)


class AmendCampaignRules(CampaignCommand):
    """Amend the rules from `effective_on`; a part left out (None) stays as it is."""

    effective_on: date
    reason: LongText
    calendar: tuple[Deadline, ...] | None = Field(default=None, max_length=100)
    categories: tuple[AwardCategory, ...] | None = Field(default=None, max_length=50)
    scales: tuple[EvaluationScale, ...] | None = Field(default=None, max_length=20)
    scoring_rules: tuple[ScoringRule, ...] | None = Field(default=None, max_length=100)
    voter_groups: tuple[VoterGroup, ...] | None = Field(default=None, max_length=20)


class RegisterUnit(CampaignCommand):
    """Add a unit to the campaign's tree under the organiser or another registered unit."""

    unit_id: Id
    name: ShortText
    parent_id: Id
    kind: ShortText | None = None


class MoveUnit(CampaignCommand):
    """Put a unit under another parent."""

    unit_id: Id
    parent_id: Id


class NameBenchmarkPair(CampaignCommand):
    """A unit names an internal benchmark unit and an external one to chase (比学赶超)."""

    unit_id: Id
    internal_unit_id: Id
    external_benchmark: ShortText
    goal: LongText | None = None


class FileGapReport(CampaignCommand):
    """A unit files its gap-analysis report against its benchmark pair."""

    unit_id: Id
    report_id: Id
    filed_on: date
    summary: LongText
    gaps: tuple[LongText, ...] = Field(min_length=1, max_length=50)
    measures: tuple[LongText, ...] = Field(default=(), max_length=50)


class EnrolMember(CampaignCommand):
    """Enrol a member in one unit with roles; repeating it for the same unit only adds missing roles."""

    member_id: Id
    name: ShortText
    unit_id: Id
    roles: tuple[RoleGrant, ...] = Field(default=(), max_length=10)


class TransferMember(CampaignCommand):
    """Move an enrolled member to another unit; a unit head's role in the old unit ends."""

    member_id: Id
    unit_id: Id
    effective_on: date


class RemoveMember(CampaignCommand):
    """Record that a member left the campaign."""

    member_id: Id
    effective_on: date
    reason: ShortText


class GrantRole(CampaignCommand):
    """Give an enrolled member a role (a unit head heads the member's own unit)."""

    member_id: Id
    grant: RoleGrant


class RevokeRole(CampaignCommand):
    """Take a role away from a member."""

    member_id: Id
    grant: RoleGrant
    reason: ShortText


CampaignRulesCommand = LaunchCampaign | AmendCampaignRules
UnitCommand = RegisterUnit | MoveUnit | NameBenchmarkPair | FileGapReport
MemberCommand = EnrolMember | TransferMember | RemoveMember | GrantRole | RevokeRole
ALL_COMMANDS: tuple[type[CampaignCommand], ...] = (
    LaunchCampaign,
    AmendCampaignRules,
    RegisterUnit,
    MoveUnit,
    NameBenchmarkPair,
    FileGapReport,
    EnrolMember,
    TransferMember,
    RemoveMember,
    GrantRole,
    RevokeRole,
)
