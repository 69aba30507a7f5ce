"""The evaluation round decider: definition, opening, ballot boxes, close, results. No I/O."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from services.evaluation.commands import (
    CloseRound,
    CountBallotBox,
    DefineRound,
    OpenRound,
    PublishResults,
    RoundCommand,
)
from services.evaluation.errors import (
    BoxAlreadyCounted,
    BoxSubtotalMismatch,
    DuplicateInRound,
    MissingRoundSecret,
    ResultsBeforeClose,
    RoundAlreadyClosed,
    RoundAlreadyDefined,
    RoundNotFound,
    RoundNotOpen,
    UnknownGroup,
    VoterInTwoGroups,
    WeightsDoNotSumToOne,
    WindowInverted,
)
from services.evaluation.keys import voter_key
from services.evaluation.ratings import check_ratings
from services.evaluation.tally import counted, tally
from shared.authz import authorize
from shared.events import Event
from shared.events.evaluation import (
    BallotBoxCounted,
    BallotCast,
    PaperBallot,
    ResultsPublished,
    RoundClosed,
    RoundDefined,
    RoundOpened,
    VoterGroup,
)
from shared.shell import Decider

Status = Literal["none", "defined", "open", "closed", "published"]
WEIGHT_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Round:
    """What the decider knows of one round; `definition` is set once it is defined."""

    status: Status = "none"
    definition: RoundDefined | None = None
    key_check: str | None = None
    boxes: frozenset[str] = frozenset()
    paper: tuple[PaperBallot, ...] = ()
    voters: dict[str, str] = field(default_factory=dict, compare=False)  # member or key → group, from the definition

    @property
    def secret(self) -> bool:
        return self.definition is not None and self.definition.secret

    def group_of(self, voter: str) -> str | None:
        """The voter group of a member (an open round) or of a voter key (a secret round), if any."""
        return self.voters.get(voter)


@dataclass(frozen=True, slots=True)
class RoundFacts:
    """What a round decision needs from outside the boundary, gathered by the handler."""

    now: datetime | None = None
    closed_seq: int | None = None  # the round's RoundClosed event's own sequence: the ballots before it count
    key_check: str | None = None
    round_secret: bytes | None = None
    ballots: Sequence[tuple[int, BallotCast]] = field(default_factory=tuple)


class MissingCloseSequence(TypeError):
    """Results cannot be decided without knowing where the close stands in the log."""


def decide(command: RoundCommand, state: Round, facts: RoundFacts = RoundFacts()) -> Sequence[Event]:
    authorize(type(command).__name__, command.actor)
    match command:
        case DefineRound():
            return _define(command, state, facts)
        case OpenRound():
            return _open(command, state, facts)
        case CountBallotBox():
            return _count_box(command, state)
        case CloseRound():
            return _close(command, state, facts)
        case PublishResults():
            return _publish(command, state, facts)
    raise TypeError(f"not a round command: {command!r}")  # pragma: no cover


def _define(cmd: DefineRound, state: Round, facts: RoundFacts) -> Sequence[Event]:
    if state.status != "none":
        raise RoundAlreadyDefined(cmd.round_id)
    if cmd.window.opens_at >= cmd.window.closes_at:
        raise WindowInverted()
    _unique("subject", [s.id for s in cmd.subjects])
    _unique("criterion", list(cmd.criteria))
    _unique("scale level", [level.label for level in cmd.scale])
    _unique("grade", [g.label for g in cmd.grades])
    _unique("voter group", [g.name for g in cmd.groups])
    seen: set[str] = set()
    for group in cmd.groups:
        _unique(f"member of {group.name}", list(group.members))
        twice = seen & set(group.members)
        if twice:
            raise VoterInTwoGroups(sorted(twice)[0])
        seen |= set(group.members)
    total = math.fsum(g.weight for g in cmd.groups)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise WeightsDoNotSumToOne(total)
    data = cmd.model_dump(exclude={"command_id", "actor", "correlation_id", "causation_id"})
    if cmd.secret:
        if facts.round_secret is None:
            raise MissingRoundSecret(cmd.round_id)
        data["groups"] = [_concealed(g, cmd.round_id, facts.round_secret) for g in cmd.groups]
    return [RoundDefined(**data)]


def _concealed(group: VoterGroup, round_id: str, secret: bytes) -> VoterGroup:
    """A secret round's roll lists each voter's key, never the voter: the log cannot tell who voted."""
    return group.model_copy(update={"members": tuple(voter_key(round_id, m, secret) for m in group.members)})


def _unique(what: str, values: list[str]) -> None:
    dupes = [v for v, n in Counter(values).items() if n > 1]
    if dupes:
        raise DuplicateInRound(what, sorted(dupes)[0])


def _defined(state: Round, round_id: str) -> RoundDefined:
    if state.definition is None:
        raise RoundNotFound(round_id)
    return state.definition


def _open(cmd: OpenRound, state: Round, facts: RoundFacts) -> Sequence[Event]:
    d = _defined(state, cmd.round_id)
    if state.status == "open":
        return []
    if state.status != "defined":
        raise RoundAlreadyClosed(cmd.round_id)
    return [RoundOpened(round_id=d.round_id, campaign_id=d.campaign_id, key_check=facts.key_check)]


def _count_box(cmd: CountBallotBox, state: Round) -> Sequence[Event]:
    d = _defined(state, cmd.round_id)
    if state.status != "open":
        raise RoundNotOpen(cmd.round_id, state.status)
    if cmd.box_id in state.boxes:
        raise BoxAlreadyCounted(cmd.box_id)
    if len(cmd.ballots) != cmd.subtotal:
        raise BoxSubtotalMismatch(cmd.box_id, cmd.subtotal, len(cmd.ballots))
    groups = {g.name for g in d.groups}
    for ballot in cmd.ballots:
        if ballot.group not in groups:
            raise UnknownGroup(ballot.group)
        check_ratings(d, ballot.ratings)
    return [
        BallotBoxCounted(
            round_id=d.round_id,
            campaign_id=d.campaign_id,
            box_id=cmd.box_id,
            subtotal=cmd.subtotal,
            ballots=cmd.ballots,
        )
    ]


def _close(cmd: CloseRound, state: Round, facts: RoundFacts) -> Sequence[Event]:
    d = _defined(state, cmd.round_id)
    if state.status in ("closed", "published"):
        return []
    if state.status != "open" or facts.now is None:
        raise RoundNotOpen(cmd.round_id, state.status)
    return [RoundClosed(round_id=d.round_id, campaign_id=d.campaign_id, closed_at=facts.now)]


def _publish(cmd: PublishResults, state: Round, facts: RoundFacts) -> Sequence[Event]:
    d = _defined(state, cmd.round_id)
    if state.status == "published":
        return []
    if state.status != "closed":
        raise ResultsBeforeClose(cmd.round_id)
    if facts.closed_seq is None:
        raise MissingCloseSequence("PublishResults is decided with the RoundClosed event's sequence")
    cutoff = facts.closed_seq - 1
    ballots = counted(d.round_id, cutoff, facts.ballots) + list(state.paper)
    return [
        ResultsPublished(round_id=d.round_id, campaign_id=d.campaign_id, cutoff_seq=cutoff, tally=tally(d, ballots))
    ]


def evolve(state: Round, event: Event) -> Round:
    match event:
        case RoundDefined():
            # one lookup per ballot instead of a scan of thousands of members; a voter is in one group (decide checks)
            voters = {m: g.name for g in reversed(event.groups) for m in g.members}
            return replace(state, status="defined", definition=event, voters=voters)
        case RoundOpened():
            return replace(state, status="open", key_check=event.key_check)
        case BallotBoxCounted():
            return replace(state, boxes=state.boxes | {event.box_id}, paper=state.paper + event.ballots)
        case RoundClosed():
            return replace(state, status="closed")
        case ResultsPublished():
            return replace(state, status="published")
    return state


round_decider: Decider[RoundCommand, Round] = Decider(initial=Round(), decide=decide, evolve=evolve)
