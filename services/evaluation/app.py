"""The evaluation service: adapters that gather facts, call the pure deciders and reply. No rules here."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, partial

from services.evaluation import ballot, round
from services.evaluation.ballot_log import BALLOTS, ballots_between, round_marks
from services.evaluation.commands import (
    CastBallot,
    CloseRound,
    CountBallotBox,
    DefineRound,
    OpenRound,
    PublishResults,
    RecordLeaderReview,
    ReviewCommand,
    RoundCommand,
    StateRectification,
)
from services.evaluation.errors import ClosedBeforeBallotStored
from services.evaluation.keys import ballot_boundary, key_check, round_secret, voter_key
from services.evaluation.review import review_decider
from services.evaluation.round import Round, RoundFacts, round_decider
from services.evaluation.settings import EvaluationSettings, load_ballot_secret
from shared.commands import Reply
from shared.service import Service
from shared.shell import CommandShell

CONTEXT = "evaluation"
REVIEWS = "reviews"
settings = EvaluationSettings()
service = Service(CONTEXT, settings)
broker, app = service.broker, service.app


@cache
def service_secret() -> bytes:
    return load_ballot_secret(settings)


@app.on_startup
def _load_secret() -> None:
    """Fail at start, not at the first secret ballot, if the secret is unusable."""
    service_secret()


def rounds() -> CommandShell[RoundCommand, Round]:
    return service.shell(CONTEXT, round_decider)


def _secret_of(rnd: Round, round_id: str) -> bytes | None:
    return round_secret(service_secret(), round_id) if rnd.secret else None


async def _round_command(cmd: RoundCommand, facts: RoundFacts | None = None) -> Reply:
    decide = partial(round.decide, facts=facts) if facts else None
    return await rounds().execute(cmd.round_id, cmd, decide)


@service.command("DefineRound")
async def define_round(cmd: DefineRound) -> Reply:
    """DefineRound → RoundDefined (a secret round's roll concealed by the round's key)."""
    secret = round_secret(service_secret(), cmd.round_id) if cmd.secret else None
    return await _round_command(cmd, RoundFacts(round_secret=secret))


@service.command("OpenRound")
async def open_round(cmd: OpenRound) -> Reply:
    """OpenRound → RoundOpened (with the fingerprint of a secret round's key)."""
    secret = _secret_of(await rounds().view.state(cmd.round_id), cmd.round_id)
    return await _round_command(cmd, RoundFacts(key_check=key_check(secret) if secret else None))


@service.command("CastBallot")
async def cast_ballot(cmd: CastBallot) -> Reply:
    """CastBallot → BallotCast on the (round, voter) boundary; a secret round's log sees only the pseudonym."""
    rnd = await rounds().view.state(cmd.round_id)
    secret = _secret_of(rnd, cmd.round_id)
    key = voter_key(cmd.round_id, cmd.actor.member_id, secret)
    facts = ballot.BallotFacts(rnd, cmd.actor, key, key_check(secret) if secret else None, datetime.now(UTC))
    shell = service.shell(BALLOTS, ballot.ballot_decider)
    recorded = ballot.recorded_command(cmd, rnd, key)
    reply = await shell.execute(ballot_boundary(cmd.round_id, key), recorded, partial(ballot.decide, facts=facts))
    # decided on an open round, the ballot may still reach the log after a concurrent close; it is not counted,
    # and the voter must hear so rather than "accepted"
    if reply.events and await _stored_after_close(cmd.round_id, reply.events[0].seq):
        raise ClosedBeforeBallotStored(cmd.round_id)
    return reply


async def _stored_after_close(round_id: str, seq: int) -> bool:
    if (await rounds().view.state(round_id)).status not in ("closed", "published"):
        return False
    return seq > (await round_marks(service.store, CONTEXT, round_id)).closed  # rare: only around a close


@service.command("CountBallotBox")
async def count_ballot_box(cmd: CountBallotBox) -> Reply:
    """CountBallotBox → BallotBoxCounted (the batch matched the box's subtotal)."""
    return await _round_command(cmd)


@service.command("CloseRound")
async def close_round(cmd: CloseRound) -> Reply:
    """CloseRound → RoundClosed: the ballots stored before it count."""
    return await _round_command(cmd, RoundFacts(now=datetime.now(UTC)))


@service.command("PublishResults")
async def publish_results(cmd: PublishResults) -> Reply:
    """PublishResults → ResultsPublished: the tally of the ballots stored before the close and the paper ballots."""
    marks = await round_marks(service.store, CONTEXT, cmd.round_id)
    if not marks.closed:  # not closed yet: the decider refuses it
        return await _round_command(cmd)
    ballots = await ballots_between(service.store, cmd.round_id, marks.opened, marks.closed - 1)
    return await _round_command(cmd, RoundFacts(ballots=ballots, closed_seq=marks.closed))


async def _review_command(cmd: ReviewCommand) -> Reply:
    return await service.shell(REVIEWS, review_decider).execute(cmd.party.id, cmd)


@service.command("RecordLeaderReview")
async def record_leader_review(cmd: RecordLeaderReview) -> Reply:
    """RecordLeaderReview → LeaderReviewed."""
    return await _review_command(cmd)


@service.command("StateRectification")
async def state_rectification(cmd: StateRectification) -> Reply:
    """StateRectification → RectificationStated."""
    return await _review_command(cmd)
