"""What the pledge decider knows of one pledge, and how each event changes it. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from shared.events import Event
from shared.events.pledges import (
    FulfilmentAssessed,
    FulfilmentOutcome,
    LedgerLine,
    PledgeApproved,
    PledgeMade,
    PledgePublished,
    Pledger,
    PledgeReturned,
    PledgeRevised,
    PledgeSubmitted,
    PledgeWithdrawn,
    ProgressReported,
    SelfCheckFiled,
)
from shared.progress import LineProgress

Status = Literal["none", "draft", "submitted", "returned", "approved", "withdrawn"]
"""The review state of the working lines: a published pledge with a pending revision is `draft` again."""

_NO_PROGRESS: Mapping[str, LineProgress] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Pledge:
    """One pledge: its working lines under review, the lines in force once published, and its progress."""

    status: Status = "none"
    pledge_id: str = ""
    campaign_id: str = ""
    pledger: Pledger | None = None
    year: int = 0
    recorded_by: str | None = None
    title: str = ""
    lines: tuple[LedgerLine, ...] = ()
    revision: int = 0
    published: tuple[LedgerLine, ...] | None = None
    progress: Mapping[str, LineProgress] = field(default_factory=lambda: _NO_PROGRESS)
    self_checked: bool = False
    outcome: FulfilmentOutcome | None = None

    @property
    def is_published(self) -> bool:
        return self.published is not None

    @property
    def is_closed(self) -> bool:
        """Assessed at year end: nothing changes any more."""
        return self.outcome is not None

    def line_in_force(self, line_id: str) -> LedgerLine | None:
        return next((line for line in self.published or () if line.line_id == line_id), None)


def evolve(state: Pledge, event: Event) -> Pledge:
    match event:
        case PledgeMade():
            return Pledge(
                status="draft",
                pledge_id=event.pledge_id,
                campaign_id=event.campaign_id,
                pledger=event.pledger,
                year=event.year,
                recorded_by=event.recorded_by,
                title=event.title,
                lines=event.lines,
            )
        case PledgeRevised():
            return replace(state, status="draft", revision=event.revision, title=event.title, lines=event.lines)
        case PledgeSubmitted():
            return replace(state, status="submitted")
        case PledgeReturned():
            return replace(state, status="returned")
        case PledgeApproved():
            return replace(state, status="approved")
        case PledgePublished():
            return replace(state, published=event.lines)
        case PledgeWithdrawn():
            return replace(state, status="withdrawn")
        case ProgressReported():
            latest = {e.line_id: LineProgress.of(e) for e in event.entries}
            return replace(state, progress=MappingProxyType({**state.progress, **latest}))
        case SelfCheckFiled():
            return replace(state, self_checked=True)
        case FulfilmentAssessed():
            return replace(state, outcome=event.outcome)
    return state
