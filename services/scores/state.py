"""What the scoring policy remembers: campaign rules by version, pledge owners, and every cause's points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.events.campaigns import CampaignRules
from shared.events.scores import ScoredParty


@dataclass(frozen=True, slots=True)
class RulesVersion:
    """One version of a campaign's rules: 1 as launched, then one per amendment in log order."""

    version: int
    effective_on: date
    rules: CampaignRules


@dataclass(frozen=True, slots=True)
class CampaignScoring:
    campaign_id: str
    year: int
    versions: tuple[RulesVersion, ...]

    def in_force(self, day: date) -> RulesVersion | None:
        """The latest version whose effective date is on or before `day` (the launch rules hold before any)."""
        current = self.versions[0] if self.versions else None
        for v in self.versions:
            if v.effective_on <= day:
                current = v
        return current


@dataclass(frozen=True, slots=True)
class PledgeOwner:
    campaign_id: str
    pledger: ScoredParty
    year: int


@dataclass(frozen=True, slots=True)
class Cause:
    """One source of points (a grant, a subject's grade, a fulfilment) and the points applied for it so far.

    `rule_day` is the day whose rules apply (the source event's date); `default_points` the event's own
    points when no scoring rule names the trigger (award categories). A `closed` cause (revoked) is final.
    """

    cause_id: str
    source_event_id: str
    source_type: str
    campaign_id: str
    subject: ScoredParty
    trigger: str
    kind: str
    rule_day: date
    counts_on: date
    period: str
    year: int
    reason: str
    default_points: float | None = None
    rule_id: str | None = None
    rule_version: int = 0
    points: float = 0.0
    closed: bool = False


@dataclass(frozen=True, slots=True)
class ScoringState:
    campaigns: Mapping[str, CampaignScoring] = field(default_factory=dict)
    pledges: Mapping[str, PledgeOwner] = field(default_factory=dict)
    causes: Mapping[str, Cause] = field(default_factory=dict)
