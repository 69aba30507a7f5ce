"""The campaign decider (boundary `<campaign_id>`): launch and rule amendments. No I/O."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from services.campaigns.commands import AmendCampaignRules, CampaignRulesCommand, LaunchCampaign
from services.campaigns.errors import (
    AmendmentOutOfOrder,
    CampaignNotFound,
    DateOutsideCampaignYear,
    DuplicateId,
    GradesNotDescending,
    NegativeQuota,
    VoterWeightsNotOne,
)
from shared.authz import authorize
from shared.events import Event
from shared.events.campaigns import AwardCategory, CampaignLaunched, CampaignRules, CampaignRulesAmended
from shared.shell import Decider


@dataclass(frozen=True, slots=True)
class Campaign:
    """What is known of a campaign: its year, organiser and the rules with the date each took effect."""

    launched: bool = False
    campaign_id: str = ""
    organiser_unit_id: str = ""
    year: int = 0
    rules_from: tuple[tuple[date, CampaignRules], ...] = ()

    def in_year(self, day: date) -> bool:
        return day.year == self.year

    def rules_on(self, day: date) -> CampaignRules:
        """The rules in effect on `day` (the launch rules before the first amendment)."""
        current = self.rules_from[0][1]
        for since, rules in self.rules_from:
            if since <= day:
                current = rules
        return current

    def category(self, category_id: str, on: date) -> AwardCategory | None:
        return next((c for c in self.rules_on(on).categories if c.category_id == category_id), None)

    @property
    def latest_rules(self) -> CampaignRules:
        return self.rules_from[-1][1] if self.rules_from else CampaignRules()


def decide(command: CampaignRulesCommand, state: Campaign) -> Sequence[Event]:
    authorize(type(command).__name__, command.actor)
    match command:
        case LaunchCampaign():
            return _launch(command, state)
        case AmendCampaignRules():
            return _amend(command, state)
    raise TypeError(f"not a campaign command: {command!r}")  # pragma: no cover


def _launch(cmd: LaunchCampaign, state: Campaign) -> Sequence[Event]:
    if state.launched:
        raise DuplicateId("campaign", cmd.campaign_id)
    rules = CampaignRules(
        calendar=cmd.calendar,
        categories=cmd.categories,
        scales=cmd.scales,
        scoring_rules=cmd.scoring_rules,
        voter_groups=cmd.voter_groups,
    )
    check_rules(rules, cmd.year)
    fields = cmd.model_dump(include={"campaign_id", "theme", "organiser_unit_id", "organiser_name", "year", "periods"})
    return [CampaignLaunched(**fields, rules=rules)]


def _amend(cmd: AmendCampaignRules, state: Campaign) -> Sequence[Event]:
    if not state.launched:
        raise CampaignNotFound(cmd.campaign_id)
    if not state.in_year(cmd.effective_on):
        raise DateOutsideCampaignYear("effective date", cmd.effective_on, state.year)
    latest = state.rules_from[-1][0]
    if cmd.effective_on < latest:
        raise AmendmentOutOfOrder(cmd.effective_on, latest)
    before = state.latest_rules
    changes = cmd.model_dump(include={"calendar", "categories", "scales", "scoring_rules", "voter_groups"})
    rules = before.model_copy(update={k: getattr(cmd, k) for k, v in changes.items() if v is not None})
    check_rules(rules, state.year)
    if rules == before:
        return []
    return [
        CampaignRulesAmended(campaign_id=cmd.campaign_id, effective_on=cmd.effective_on, reason=cmd.reason, rules=rules)
    ]


def check_rules(rules: CampaignRules, year: int) -> None:
    """Raises the named error of the first broken rule."""
    _unique("deadline", (d.key for d in rules.calendar))
    _unique("award category", (c.category_id for c in rules.categories))
    _unique("scale", (s.scale_id for s in rules.scales))
    _unique("scoring rule", (r.rule_id for r in rules.scoring_rules))
    _unique("voter group", (g.group_id for g in rules.voter_groups))
    for d in rules.calendar:
        if d.due.year != year:
            raise DateOutsideCampaignYear(f"deadline {d.key}", d.due, year)
    for c in rules.categories:
        if c.quota < 0:
            raise NegativeQuota(c.category_id, c.quota)
    for s in rules.scales:
        thresholds = [g.min_score for g in s.grades]
        if any(a <= b for a, b in itertools.pairwise(thresholds)):
            raise GradesNotDescending(s.scale_id)
        _unique(f"grade of scale {s.scale_id}", (g.name for g in s.grades))
    total = sum(g.weight for g in rules.voter_groups)
    if rules.voter_groups and abs(total - 1) > 1e-9:
        raise VoterWeightsNotOne(total)


def _unique(what: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise DuplicateId(what, key)
        seen.add(key)


def evolve(state: Campaign, event: Event) -> Campaign:
    match event:
        case CampaignLaunched():
            start = date(event.year, 1, 1)
            return Campaign(True, event.campaign_id, event.organiser_unit_id, event.year, ((start, event.rules),))
        case CampaignRulesAmended():
            return replace(state, rules_from=(*state.rules_from, (event.effective_on, event.rules)))
    return state


campaign_decider: Decider[CampaignRulesCommand, Campaign] = Decider(initial=Campaign(), decide=decide, evolve=evolve)
