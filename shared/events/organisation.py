"""Events of a campaign's organisation: the unit tree, benchmark pairs and gap reports, members and roles.

Boundaries (subjects ps.evt.campaigns.<org>.<boundary>.<Type>), chosen per invariant:

- `<campaign_id>~units`: the whole unit tree of one campaign. Unique unit ids, known parents and
  "no cycle" span the tree, so the tree is one boundary: two concurrent moves can never close a
  cycle, because the second is decided again on top of the first. Benchmark pairs and gap
  reports live here too: they name units of the same tree. Trees have tens to hundreds of units.
- `<campaign_id>~member~<member_id>`: one member. "In exactly one unit at a time" and the member's
  roles need nothing but the member's own events, so members enrol and transfer in parallel.
  The unit a member joins is checked against the tree as of the log's last event; units are
  never removed, so that check cannot be invalidated afterwards.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.events.campaigns import LongText, ShortText
from shared.events.envelope import Role
from shared.events.registry import Event, event
from shared.ids import Id


class RoleGrant(BaseModel):
    """A role a member holds in a campaign; a voter role names its voter group (e.g. service_users)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    voter_group: Id | None = None


@event
class UnitRegistered(Event):
    """A unit (股室, 党支部) joined the campaign's tree under `parent_id` (the organiser or another unit)."""

    campaign_id: Id
    unit_id: Id
    name: ShortText
    parent_id: Id
    kind: ShortText | None = None


@event
class UnitMoved(Event):
    """A unit was put under another parent (a reorganisation); its members stay with it."""

    campaign_id: Id
    unit_id: Id
    from_parent_id: Id
    to_parent_id: Id


@event
class BenchmarkPairNamed(Event):
    """A unit named whom it chases (对标, 结对比学赶超): a unit of the campaign and an outside benchmark.

    Naming a new pair replaces the unit's previous one.
    """

    campaign_id: Id
    unit_id: Id
    internal_unit_id: Id
    external_benchmark: ShortText
    goal: LongText | None = None


@event
class GapReportFiled(Event):
    """A unit filed its gap-analysis report (分析差距报告) against its benchmark pair."""

    campaign_id: Id
    unit_id: Id
    report_id: Id
    filed_on: date
    internal_unit_id: Id
    external_benchmark: ShortText
    summary: LongText
    gaps: tuple[LongText, ...] = Field(min_length=1, max_length=50)
    measures: tuple[LongText, ...] = Field(default=(), max_length=50)


@event
class MemberEnrolled(Event):
    """A member (党员, 干部, 职工) was enrolled in the campaign, in one unit."""

    campaign_id: Id
    member_id: Id
    name: ShortText
    unit_id: Id


@event
class MemberTransferred(Event):
    """A member moved from one unit to another on `effective_on`."""

    campaign_id: Id
    member_id: Id
    from_unit_id: Id
    to_unit_id: Id
    effective_on: date


@event
class MemberLeft(Event):
    """A member left the campaign (retired, moved away); their roles end with it."""

    campaign_id: Id
    member_id: Id
    unit_id: Id
    effective_on: date
    reason: ShortText


@event
class RoleGranted(Event):
    """A member holds a role; a unit head's role is scoped to `unit_id`, the member's unit at the time."""

    campaign_id: Id
    member_id: Id
    grant: RoleGrant
    unit_id: Id | None = None


@event
class RoleRevoked(Event):
    """A member no longer holds a role (revoked, or ended by a transfer for a unit head)."""

    campaign_id: Id
    member_id: Id
    grant: RoleGrant
    reason: ShortText
