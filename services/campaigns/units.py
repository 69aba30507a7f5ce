"""The unit-tree decider (boundary `<campaign_id>~units`): units, moves, benchmark pairs, gap reports. No I/O.

The whole tree is one boundary because its invariants span it (unique ids, known parents, no
cycle); see `shared.events.organisation`. The campaign's facts (organiser, year) come in as `campaign`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from services.campaigns.campaign import Campaign
from services.campaigns.commands import FileGapReport, MoveUnit, NameBenchmarkPair, RegisterUnit, UnitCommand
from services.campaigns.errors import (
    BenchmarkSelf,
    CampaignNotFound,
    DateOutsideCampaignYear,
    DuplicateId,
    NoBenchmarkPair,
    OrganiserIsRoot,
    UnitCycle,
    UnknownUnit,
)
from shared.authz import authorize
from shared.events import Event
from shared.events.organisation import BenchmarkPairNamed, GapReportFiled, UnitMoved, UnitRegistered
from shared.shell import Decider


@dataclass(frozen=True, slots=True)
class UnitTree:
    """The units of one campaign: each one's registration (with its current parent), pair and reports."""

    units: dict[str, UnitRegistered] = field(default_factory=dict)
    pairs: dict[str, BenchmarkPairNamed] = field(default_factory=dict)
    reports: frozenset[str] = frozenset()

    def parent(self, unit_id: str) -> str | None:
        unit = self.units.get(unit_id)
        return unit.parent_id if unit else None

    def ancestors(self, unit_id: str) -> list[str]:
        """The chain of parents from `unit_id` up to the root (the organiser)."""
        chain: list[str] = []
        parent = self.parent(unit_id)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parent(parent)
        return chain


def decide(command: UnitCommand, state: UnitTree, campaign: Campaign) -> Sequence[Event]:
    authorize(type(command).__name__, command.actor, for_unit=getattr(command, "unit_id", None))
    if not campaign.launched:
        raise CampaignNotFound(command.campaign_id)
    known = partial(_known, state, campaign)
    match command:
        case RegisterUnit():
            return _register(command, state, known)
        case MoveUnit():
            return _move(command, state, campaign, known)
        case NameBenchmarkPair():
            return _name_pair(command, state, known)
        case FileGapReport():
            return _file_report(command, state, campaign, known)
    raise TypeError(f"not a unit command: {command!r}")  # pragma: no cover


def _known(state: UnitTree, campaign: Campaign, unit_id: str) -> str:
    if unit_id != campaign.organiser_unit_id and unit_id not in state.units:
        raise UnknownUnit(unit_id)
    return unit_id


def _register(cmd: RegisterUnit, state: UnitTree, known: partial[str]) -> Sequence[Event]:
    wanted = UnitRegistered(**cmd.model_dump(include={"campaign_id", "unit_id", "name", "parent_id", "kind"}))
    if state.units.get(cmd.unit_id) == wanted:
        return []
    try:
        known(cmd.unit_id)
    except UnknownUnit:
        known(cmd.parent_id)
        return [wanted]
    raise DuplicateId("unit", cmd.unit_id)


def _move(cmd: MoveUnit, state: UnitTree, campaign: Campaign, known: partial[str]) -> Sequence[Event]:
    if cmd.unit_id == campaign.organiser_unit_id:
        raise OrganiserIsRoot(cmd.unit_id)
    known(cmd.unit_id)
    known(cmd.parent_id)
    current = state.units[cmd.unit_id].parent_id
    if cmd.parent_id == current:
        return []
    if cmd.parent_id == cmd.unit_id or cmd.unit_id in state.ancestors(cmd.parent_id):
        raise UnitCycle(cmd.unit_id, cmd.parent_id)
    return [
        UnitMoved(campaign_id=cmd.campaign_id, unit_id=cmd.unit_id, from_parent_id=current, to_parent_id=cmd.parent_id)
    ]


def _name_pair(cmd: NameBenchmarkPair, state: UnitTree, known: partial[str]) -> Sequence[Event]:
    known(cmd.unit_id)
    known(cmd.internal_unit_id)
    if cmd.internal_unit_id == cmd.unit_id:
        raise BenchmarkSelf(cmd.unit_id)
    fields = cmd.model_dump(include={"campaign_id", "unit_id", "internal_unit_id", "external_benchmark", "goal"})
    pair = BenchmarkPairNamed(**fields)
    return [] if state.pairs.get(cmd.unit_id) == pair else [pair]


def _file_report(cmd: FileGapReport, state: UnitTree, campaign: Campaign, known: partial[str]) -> Sequence[Event]:
    known(cmd.unit_id)
    if not campaign.in_year(cmd.filed_on):
        raise DateOutsideCampaignYear("gap report date", cmd.filed_on, campaign.year)
    pair = state.pairs.get(cmd.unit_id)
    if pair is None:
        raise NoBenchmarkPair(cmd.unit_id)
    if cmd.report_id in state.reports:
        raise DuplicateId("gap report", cmd.report_id)
    fields = cmd.model_dump(include={"campaign_id", "unit_id", "report_id", "filed_on", "summary", "gaps", "measures"})
    return [
        GapReportFiled(**fields, internal_unit_id=pair.internal_unit_id, external_benchmark=pair.external_benchmark)
    ]


def evolve(state: UnitTree, event: Event) -> UnitTree:
    match event:
        case UnitRegistered():
            return replace(state, units={**state.units, event.unit_id: event})
        case UnitMoved():
            moved = state.units[event.unit_id].model_copy(update={"parent_id": event.to_parent_id})
            return replace(state, units={**state.units, event.unit_id: moved})
        case BenchmarkPairNamed():
            return replace(state, pairs={**state.pairs, event.unit_id: event})
        case GapReportFiled():
            return replace(state, reports=state.reports | {event.report_id})
    return state


unit_decider: Decider[UnitCommand, UnitTree] = Decider(
    initial=UnitTree(), decide=partial(decide, campaign=Campaign()), evolve=evolve
)
