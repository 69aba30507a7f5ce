"""Commands of the pledges context (subjects ps.cmd.pledges.<organisation>.<Name>)."""

from __future__ import annotations

from pydantic import Field

from shared.commands import Command
from shared.events.pledges import (
    CampaignYear,
    FulfilmentOutcome,
    LedgerLine,
    LongText,
    Month,
    Pledger,
    ProgressEntry,
    Reasons,
    ShortText,
)
from shared.ids import Id

Lines = tuple[LedgerLine, ...]


class MakePledge(Command):
    """Make a public pledge (公开承诺) for a campaign year: a title and its ledger lines (台账).

    A unit's pledge is made by its unit head or the office; a member pledges for themselves, or their
    unit head (the branch officer) records an oral pledge (口头承诺) for them, which sets `recorded_by`.
    Every deadline falls within `year`, the campaign's year.
    """

    pledge_id: Id
    campaign_id: Id
    pledger: Pledger
    year: CampaignYear
    title: ShortText
    lines: Lines = Field(min_length=1, max_length=50)


class RevisePledge(Command):
    """Replace the pledge's lines, with the reason; a published pledge's revision then needs review.

    `based_on_revision`, when given, is the revision the author edited: if the pledge moved on since,
    the revision is refused (`revision_is_current`) rather than overwriting someone else's.
    """

    pledge_id: Id
    reason: LongText
    lines: Lines = Field(min_length=1, max_length=50)
    title: ShortText | None = None
    based_on_revision: int | None = Field(default=None, ge=0)


class SubmitPledge(Command):
    """Submit the pledge (or its pending revision) to the reviewer."""

    pledge_id: Id


class ReturnPledge(Command):
    """The reviewer sends the submitted pledge back for revision, with reasons."""

    pledge_id: Id
    reasons: Reasons


class ApprovePledge(Command):
    """The reviewer approves the submitted pledge; it is published at once."""

    pledge_id: Id
    comment: LongText | None = None


class WithdrawPledge(Command):
    """The pledger withdraws a pledge that was never approved."""

    pledge_id: Id
    reason: LongText | None = None


class ReportProgress(Command):
    """Report a month's progress on lines of a published pledge (by the pledger or the lines' responsible)."""

    pledge_id: Id
    period: Month
    entries: tuple[ProgressEntry, ...] = Field(min_length=1, max_length=50)


class FileSelfCheck(Command):
    """The pledger's self-check (践诺自查): a summary, the gaps and the problems."""

    pledge_id: Id
    summary: LongText
    gaps: LongText | None = None
    problems: tuple[LongText, ...] = Field(default=(), max_length=20)


class AssessFulfilment(Command):
    """The reviewer's year-end verdict (承诺兑现) with its reason."""

    pledge_id: Id
    outcome: FulfilmentOutcome
    reason: LongText


PledgeCommand = (
    MakePledge
    | RevisePledge
    | SubmitPledge
    | ReturnPledge
    | ApprovePledge
    | WithdrawPledge
    | ReportProgress
    | FileSelfCheck
    | AssessFulfilment
)

ALL_COMMANDS: tuple[type[Command], ...] = (
    MakePledge,
    RevisePledge,
    SubmitPledge,
    ReturnPledge,
    ApprovePledge,
    WithdrawPledge,
    ReportProgress,
    FileSelfCheck,
    AssessFulfilment,
)
