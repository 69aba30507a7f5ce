"""Commands of the pledges context (subjects ps.cmd.pledges.<Name>)."""

from __future__ import annotations

from pydantic import Field

from shared.commands import Command
from shared.events.pledges import LedgerLine, Pledger, ShortText
from shared.ids import Id


class MakePledge(Command):
    """Make a public pledge (公开承诺) for a campaign: a title and its ledger lines (台账).

    A unit's pledge is made by its unit head or the office; a member pledges for themselves, or a
    branch officer records an oral pledge (口头承诺) for them, which sets `recorded_by`.
    """

    pledge_id: Id
    campaign_id: Id
    pledger: Pledger
    title: ShortText
    lines: tuple[LedgerLine, ...] = Field(min_length=1, max_length=50)


PledgeCommand = MakePledge
