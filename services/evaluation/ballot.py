"""The ballot decider: one (round, voter) boundary, so voters never conflict and nobody votes twice. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.evaluation.commands import CastBallot
from services.evaluation.errors import (
    BallotAlreadyCast,
    OutsideWindow,
    RoundAlreadyClosed,
    RoundKeyChanged,
    RoundNotFound,
    RoundNotOpen,
    VoterNotInRound,
)
from services.evaluation.keys import pseudonymous_actor
from services.evaluation.ratings import check_ratings
from services.evaluation.round import Round
from shared.authz import authorize
from shared.events import Actor, Event
from shared.events.evaluation import BallotCast
from shared.shell import Decider


@dataclass(frozen=True, slots=True)
class Ballot:
    cast: bool = False


@dataclass(frozen=True, slots=True)
class BallotFacts:
    """The round as of now, the real voter (kept in memory only) with their key, and the time."""

    round: Round
    voter: Actor
    key: str
    key_check: str | None
    now: datetime


class MissingFacts(TypeError):
    """A ballot cannot be decided without its round, voter and time."""


def recorded_command(cmd: CastBallot, round: Round, key: str) -> CastBallot:
    """The command as the log may see it: in a secret round its actor is the voter's pseudonym."""
    return cmd.model_copy(update={"actor": pseudonymous_actor(key)}) if round.secret else cmd


def decide(cmd: CastBallot, state: Ballot, facts: BallotFacts | None = None) -> Sequence[Event]:
    if facts is None:
        raise MissingFacts("CastBallot is decided with BallotFacts")
    authorize("CastBallot", facts.voter)
    rnd, d = facts.round, facts.round.definition
    if d is None:
        raise RoundNotFound(cmd.round_id)
    if rnd.status == "defined":
        raise RoundNotOpen(cmd.round_id, rnd.status)
    if rnd.status != "open":
        raise RoundAlreadyClosed(cmd.round_id)
    if not d.window.opens_at <= facts.now < d.window.closes_at:
        raise OutsideWindow(cmd.round_id)
    if rnd.key_check != facts.key_check:
        raise RoundKeyChanged(cmd.round_id)
    group = rnd.group_of(facts.key if d.secret else facts.voter.member_id)
    if group is None:
        raise VoterNotInRound(cmd.round_id)
    if state.cast:
        raise BallotAlreadyCast(cmd.round_id)
    check_ratings(d, cmd.ratings)
    voter_id = None if d.secret else facts.voter.member_id
    return [
        BallotCast(
            round_id=d.round_id,
            campaign_id=d.campaign_id,
            voter_key=facts.key,
            voter_id=voter_id,
            group=group,
            ratings=cmd.ratings,
        )
    ]


def evolve(state: Ballot, event: Event) -> Ballot:
    match event:
        case BallotCast():
            return Ballot(cast=True)
    return state


ballot_decider: Decider[CastBallot, Ballot] = Decider(initial=Ballot(), decide=decide, evolve=evolve)
