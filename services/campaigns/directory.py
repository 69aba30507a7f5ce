"""How any service sees a campaign's rules, units and people: folded from the log, never from a projection.

Each read is one subject-indexed last-sequence lookup on the boundary (plus the newer events when
the cache is behind), so a decision in pledges, evaluation or awards reads the campaign's state as
of the log's latest event, whatever a projection's lag. See docs/campaigns.md.
"""

from __future__ import annotations

from datetime import date

from services.campaigns.campaign import Campaign
from services.campaigns.campaign import evolve as evolve_campaign
from services.campaigns.members import Facts, Member
from services.campaigns.members import evolve as evolve_member
from services.campaigns.units import UnitTree
from services.campaigns.units import evolve as evolve_units
from shared.events import Role
from shared.eventstore import EventStore
from shared.views import BoundaryView

CONTEXT = "campaigns"


def campaign_boundary(campaign_id: str) -> str:
    return campaign_id


def units_boundary(campaign_id: str) -> str:
    return f"{campaign_id}~units"


def member_boundary(campaign_id: str, member_id: str) -> str:
    return f"{campaign_id}~member~{member_id}"


class Directory:
    """Reads of the campaigns context for any service (one per process; its caches are bounded)."""

    def __init__(self, store: EventStore) -> None:
        self._campaigns = BoundaryView(store, CONTEXT, Campaign(), evolve_campaign)
        self._units = BoundaryView(store, CONTEXT, UnitTree(), evolve_units)
        self._members = BoundaryView(store, CONTEXT, Member(), evolve_member)

    async def campaign(self, campaign_id: str) -> Campaign:
        return await self._campaigns.state(campaign_boundary(campaign_id))

    async def units(self, campaign_id: str) -> UnitTree:
        return await self._units.state(units_boundary(campaign_id))

    async def member(self, campaign_id: str, member_id: str) -> Member:
        return await self._members.state(member_boundary(campaign_id, member_id))

    async def facts(self, campaign_id: str) -> Facts:
        """The campaign and its unit tree, as a member decision needs them."""
        return Facts(await self.campaign(campaign_id), await self.units(campaign_id))

    async def holds(self, campaign_id: str, member_id: str, role: Role, unit_id: str | None = None) -> bool:
        """Is the member enrolled with `role` (a unit head: of `unit_id`)?"""
        return (await self.member(campaign_id, member_id)).holds(role, unit_id)

    async def quota(self, campaign_id: str, category_id: str, on: date) -> int | None:
        """The category's quota per period under the rules in effect on `on` (None: no such category)."""
        campaign = await self.campaign(campaign_id)
        if not campaign.launched:
            return None
        category = campaign.category(category_id, on)
        return category.quota if category else None
