"""The facts an award decision reads from other boundaries: campaigns, pledges, evaluation results, rounds.

Every read is the boundary's state as of the log's latest event (BoundaryView), never a projection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.awards.state import AwardRound, Facts
from services.campaigns.directory import Directory
from services.pledges.state import Pledge
from services.pledges.state import evolve as evolve_pledge
from shared.events import Event
from shared.events.awards import AwardRoundOpened, Nominee
from shared.events.evaluation import ResultsPublished
from shared.eventstore import EventStore
from shared.views import BoundaryView

RoundReader = Callable[[str], Awaitable[AwardRound]]


def _latest_results(state: ResultsPublished | None, event: Event) -> ResultsPublished | None:
    return event if isinstance(event, ResultsPublished) else state


class Sources:
    """Readers of the other contexts, one per process (their caches are bounded)."""

    def __init__(self, store: EventStore, rounds: RoundReader) -> None:
        self.directory = Directory(store)
        self.pledges = BoundaryView(store, "pledges", Pledge(), evolve_pledge)
        self.results: BoundaryView[ResultsPublished | None] = BoundaryView(store, "evaluation", None, _latest_results)
        self.rounds = rounds

    async def for_opening(self, campaign_id: str) -> Facts:
        return Facts(campaign=await self.directory.campaign(campaign_id))

    async def for_nomination(
        self, opening: AwardRoundOpened, kind: str, nominee_id: str, pledge_id: str | None
    ) -> Facts:
        """The nominee's enrolment, the named pledge and the grades the round's conditions look at."""
        nominee = Nominee(kind="unit" if kind == "unit" else "member", id=nominee_id)
        facts = await self._enrolment(opening.campaign_id, nominee)
        pledge = await self.pledges.state(pledge_id) if pledge_id else Pledge()
        approved = pledge.campaign_id == opening.campaign_id and (pledge.status == "approved" or pledge.is_published)
        grades = await self.results.state(opening.grades_round_id) if opening.grades_round_id else None
        return Facts(
            now=datetime.now(UTC),
            member=facts.member,
            unit_known=facts.unit_known,
            pledge_owner=pledge.pledger,
            pledge_approved=approved,
            grades=grades.tally.subjects if grades else (),
        )

    async def for_decision(self, opening: AwardRoundOpened, nominee: Nominee | None) -> Facts:
        """Whether the nominee is still enrolled, and the previous period's round of a rotating category."""
        facts = await self._enrolment(opening.campaign_id, nominee) if nominee else Facts()
        previous = await self.rounds(opening.previous_round_id) if opening.previous_round_id else None
        return Facts(member=facts.member, unit_known=facts.unit_known, previous=previous)

    async def _enrolment(self, campaign_id: str, nominee: Nominee) -> Facts:
        if nominee.kind == "unit":
            units = await self.directory.units(campaign_id)
            return Facts(unit_known=nominee.id in units.units)
        return Facts(member=await self.directory.member(campaign_id, nominee.id))
