"""The evaluation service as it runs: two replicas (`python -m services.evaluation`) on the real NATS.

The replicas share a data folder and no BALLOT_SECRET, so they also race to generate the ballot secret.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.evaluation import ballot as ballots
from services.evaluation.ballot_log import BALLOTS, ballots_between, round_marks
from services.evaluation.commands import (
    CastBallot,
    CloseRound,
    CountBallotBox,
    OpenRound,
    PublishResults,
)
from services.evaluation.keys import ballot_boundary, voter_key
from services.evaluation.round import round_decider
from services.evaluation.tally import counted, tally
from shared.commands import Command, Reply
from shared.events import Envelope
from shared.events.evaluation import (
    PaperBallot,
    Party,
    Rating,
    ResultsPublished,
    RoundClosed,
    RoundDefined,
    VoterGroup,
    Window,
)
from shared.eventstore import EventStore, PendingEvent
from shared.ids import new_id
from shared.logreader import LogReader
from shared.shell import _pending
from shared.subjects import Boundary, command_subject
from shared.views import BoundaryView
from tests.conftest import Servers
from tests.support.evaluation import OFFICE, SCALE, define_round, rating, voter
from tests.support.processes import healthy

REPLICAS = 2
VOTERS = 1000
ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = (Party(kind="unit", id="u-a"), Party(kind="unit", id="u-b"), Party(kind="member", id="m-c"))
CRITERIA = ("群众满意度", "岗位胜任度")


@pytest_asyncio.fixture(scope="module")
async def service(
    servers: Servers, nc: NATS, store: EventStore, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    """Every replica running and answering its health check as connected to the log."""
    root = tmp_path_factory.mktemp("evaluation-service")
    env = {**servers.env(), "DATA_DIR": str(root / "data")}
    env.pop("BALLOT_SECRET", None)
    async with healthy(env, root, ["evaluation"] * REPLICAS, nc):
        yield


async def send(nc: NATS, name: str, body: Command | bytes) -> Reply:
    data = body if isinstance(body, bytes) else body.model_dump_json().encode()
    msg = await nc.request(command_subject("evaluation", name), data, timeout=60)
    return Reply.model_validate_json(msg.data)


async def ok(nc: NATS, name: str, body: Command) -> Reply:
    reply = await send(nc, name, body)
    assert reply.ok, reply.error
    return reply


async def last_seq(store: EventStore) -> int:
    return int((await store.js.stream_info(store.stream)).state.last_seq)


def now_window(start: timedelta = timedelta(hours=-1)) -> Window:
    at = datetime.now(UTC) + start
    return Window(opens_at=at, closes_at=at + timedelta(hours=2))


def office(cmd_type: type[Command], round_id: str, **fields: object) -> Command:
    return cmd_type(command_id=new_id(), actor=OFFICE, round_id=round_id, **fields)


def random_ratings(rng: random.Random) -> tuple[Rating, ...]:
    return tuple(
        Rating(subject_id=s.id, criterion=c, level=rng.choice(SCALE).label)
        for s in SUBJECTS
        for c in CRITERIA
        if rng.random() < 0.9
    ) or (Rating(subject_id=SUBJECTS[0].id, criterion=CRITERIA[0], level=SCALE[0].label),)


def ballot(round_id: str, member_id: str, ratings: tuple[Rating, ...]) -> CastBallot:
    return CastBallot(command_id=new_id(), actor=voter(member_id), round_id=round_id, ratings=ratings)


def three_groups(voters: list[str], leaders: int, members: int) -> tuple[VoterGroup, ...]:
    """The voters split into weighted leaders, members and service users (the rest), in that order."""
    return (
        VoterGroup(name="leaders", weight=0.3, members=tuple(voters[:leaders])),
        VoterGroup(name="members", weight=0.5, members=tuple(voters[leaders : leaders + members])),
        VoterGroup(name="service_users", weight=0.2, members=tuple(voters[leaders + members :])),
    )


async def test_a_thousand_concurrent_secret_ballots_are_counted_once_each(
    service: None, nc: NATS, store: EventStore
) -> None:
    rid = new_id()
    voters = [f"m-v{i:04d}" for i in range(VOTERS)]
    groups = three_groups(voters, leaders=100, members=600)
    define = define_round(rid, subjects=SUBJECTS, criteria=CRITERIA, groups=groups, window=now_window(), secret=True)
    await ok(nc, "DefineRound", define)
    await ok(nc, "OpenRound", office(OpenRound, rid))
    rng = random.Random(5)
    gate = asyncio.Semaphore(200)

    async def vote(member_id: str) -> Reply:
        async with gate:
            return await send(nc, "CastBallot", ballot(rid, member_id, random_ratings(rng)))

    replies = await asyncio.gather(*(vote(v) for v in voters))
    assert [r.error for r in replies if not r.ok] == []
    again = await asyncio.gather(*(vote(v) for v in voters[::50]))
    assert {(r.ok, r.error.rule if r.error else None) for r in again} == {(False, "one_ballot_per_voter")}
    paper = tuple(PaperBallot(group="service_users", ratings=random_ratings(rng)) for _ in range(5))
    await ok(nc, "CountBallotBox", office(CountBallotBox, rid, box_id="box-1", subtotal=5, ballots=paper))
    await ok(nc, "CloseRound", office(CloseRound, rid))
    late = await send(nc, "CastBallot", ballot(rid, voters[0], random_ratings(rng)))
    assert late.error is not None and late.error.rule == "round_open"
    published = await ok(nc, "PublishResults", office(PublishResults, rid))

    round_log = await store.load(Boundary("evaluation", rid))
    definition, closed, results = (
        next(r.event for r in round_log if isinstance(r.event, t))
        for t in (RoundDefined, RoundClosed, ResultsPublished)
    )
    assert isinstance(definition, RoundDefined) and isinstance(closed, RoundClosed)
    assert isinstance(results, ResultsPublished) and published.events[0].type == "ResultsPublished"
    marks = await round_marks(store, "evaluation", rid)
    cast = await ballots_between(store, rid, marks.opened, await last_seq(store))
    keys = {b.voter_key for _, b in cast}
    assert len(cast) == len(keys) == VOTERS  # one event per (round, voter) boundary, none twice
    assert all(b.voter_id is None for _, b in cast)
    recomputed = tally(definition, counted(rid, marks.closed - 1, cast) + list(paper))
    assert results.tally == recomputed
    assert [(t.group, t.cast) for t in results.tally.turnout] == [
        ("leaders", 100),
        ("members", 600),
        ("service_users", 305),
    ]
    everything = b"".join([await raw_round_log(nc, store, rid)])
    assert everything.count(b'"type":"BallotCast"') == VOTERS
    assert not [v for v in voters if v.encode() in everything]  # the roll, ballots and envelopes: keys only


async def raw_round_log(nc: NATS, store: EventStore, rid: str) -> bytes:
    """Every stored message of the round and of its ballots, as bytes off the log."""
    out: list[bytes] = []
    async for batch in LogReader(nc, store.stream).batches(after=0, until=await last_seq(store)):
        out.extend(raw.data for raw in batch if f".{rid}" in raw.subject)
    return b"\n".join(out)


async def test_bad_input_is_refused_with_a_stable_code_and_appends_nothing(
    service: None, nc: NATS, store: EventStore
) -> None:
    rid, future = new_id(), new_id()
    await ok(nc, "DefineRound", define_round(rid, window=now_window()))
    await ok(nc, "OpenRound", office(OpenRound, rid))
    await ok(nc, "DefineRound", define_round(future, window=now_window(timedelta(days=1))))
    await ok(nc, "OpenRound", office(OpenRound, future))
    await ok(
        nc,
        "CastBallot",
        ballot(rid, "m-mem-1", (Rating(subject_id="u-finance", criterion="岗位胜任度", level="优秀"),)),
    )
    good = (Rating(subject_id="u-finance", criterion="岗位胜任度", level="合格"),)
    uneven = define_round().groups
    uneven = (uneven[0].model_copy(update={"weight": 0.4}), *uneven[1:])
    short_box = (PaperBallot(group="members", ratings=good),)
    cases: list[tuple[str, Command | bytes, str, str | None]] = [
        ("CastBallot", ballot(rid, "m-stranger", good), "rule_violated", "voter_in_round"),
        (
            "CastBallot",
            ballot(rid, "m-mem-2", (good[0].model_copy(update={"level": "很好"}),)),
            "rule_violated",
            "rating_on_scale",
        ),
        (
            "CastBallot",
            ballot(rid, "m-mem-2", (good[0].model_copy(update={"subject_id": "u-x"}),)),
            "rule_violated",
            "subject_in_round",
        ),
        ("CastBallot", ballot(future, "m-mem-1", good), "rule_violated", "ballot_within_window"),
        ("CastBallot", ballot(rid, "m-mem-1", good), "rule_violated", "one_ballot_per_voter"),
        ("CastBallot", ballot(new_id(), "m-mem-1", good), "not_found", None),
        ("DefineRound", define_round(groups=uneven), "rule_violated", "weights_sum_to_one"),
        (
            "CountBallotBox",
            office(CountBallotBox, rid, box_id="b1", subtotal=2, ballots=short_box),
            "rule_violated",
            "box_subtotal_matches",
        ),
        ("PublishResults", office(PublishResults, rid), "rule_violated", "results_after_close"),
        ("CloseRound", CloseRound(command_id=new_id(), actor=voter("m-mem-1"), round_id=rid), "forbidden", None),
        ("CastBallot", b'{"round_id": "r1", "ratings": []}', "validation_error", None),
    ]
    before = await last_seq(store)

    refusals = [await send(nc, name, body) for name, body, _, _ in cases]

    assert [(r.ok, r.error and r.error.code, r.error and r.error.rule) for r in refusals] == [
        (False, code, rule) for _, _, code, rule in cases
    ]
    assert await last_seq(store) == before


async def test_a_ballot_stored_after_the_close_is_not_counted_and_its_voter_is_told(
    service: None, nc: NATS, store: EventStore
) -> None:
    """A replica decided the ballot on the open round, the round closed, then the ballot was stored (its ack
    lost): the voter's retry must not hear "accepted" for a ballot the tally leaves out."""
    rid = new_id()
    await ok(nc, "DefineRound", define_round(rid, window=now_window()))
    await ok(nc, "OpenRound", office(OpenRound, rid))
    on_time = await ok(nc, "CastBallot", ballot(rid, "m-mem-1", (rating(level="优秀"),)))
    late = ballot(rid, "m-mem-2", (rating(level="不合格"),))
    key = voter_key(rid, "m-mem-2", None)
    open_round = await BoundaryView(store, "evaluation", round_decider.initial, round_decider.evolve).state(rid)
    facts = ballots.BallotFacts(open_round, late.actor, key, None, datetime.now(UTC))
    (decided,) = ballots.decide(late, ballots.Ballot(), facts)
    await ok(nc, "CloseRound", office(CloseRound, rid))
    boundary = Boundary(BALLOTS, ballot_boundary(rid, key))
    await store.append(boundary, [_pending(late, decided, 0, boundary)], expected=0)

    retried = await send(nc, "CastBallot", late)
    published = await ok(nc, "PublishResults", office(PublishResults, rid))

    assert retried.error is not None and (retried.error.code, retried.error.rule) == ("rule_violated", "round_open")
    assert "not counted" in retried.error.message
    assert on_time.events and on_time.events[0].seq < published.events[0].seq
    (results,) = [
        r.event for r in await store.load(Boundary("evaluation", rid)) if isinstance(r.event, ResultsPublished)
    ]
    assert {(t.group, t.cast) for t in results.tally.turnout if t.cast} == {("members", 1)}
    assert results.tally.subjects[0].criteria[0].ratings == 1


async def test_ballots_racing_the_close_are_counted_exactly_when_they_were_accepted(
    service: None, nc: NATS, store: EventStore
) -> None:
    rid = new_id()
    voters = [f"m-r{i:03d}" for i in range(300)]
    groups = three_groups(voters, leaders=30, members=170)
    define = define_round(rid, subjects=SUBJECTS, criteria=CRITERIA, groups=groups, window=now_window())
    await ok(nc, "DefineRound", define)
    await ok(nc, "OpenRound", office(OpenRound, rid))
    rng = random.Random(7)
    gate = asyncio.Semaphore(64)
    answered: list[Reply] = []
    a_third_answered = asyncio.Event()

    async def vote(member_id: str) -> Reply:
        async with gate:
            reply = await send(nc, "CastBallot", ballot(rid, member_id, random_ratings(rng)))
        answered.append(reply)
        if len(answered) >= len(voters) // 3:
            a_third_answered.set()
        return reply

    async def close_midway() -> Reply:  # while ballots keep coming
        await a_third_answered.wait()
        return await ok(nc, "CloseRound", office(CloseRound, rid))

    *replies, _ = await asyncio.gather(*(vote(v) for v in voters), close_midway())
    await ok(nc, "PublishResults", office(PublishResults, rid))

    accepted = [r for r in replies if r.ok]
    refused = {(r.error.code, r.error.rule) for r in replies if r.error is not None}
    assert len(voters) // 3 <= len(accepted) < len(voters) and refused == {("rule_violated", "round_open")}
    round_log = await store.load(Boundary("evaluation", rid))
    (closed,) = [r.seq for r in round_log if isinstance(r.event, RoundClosed)]
    (results,) = [r.event for r in round_log if isinstance(r.event, ResultsPublished)]
    assert results.tally.ballots == len(accepted)
    assert all(r.events[0].seq < closed for r in accepted)


async def test_a_round_closed_before_version_2_counts_the_ballots_stored_before_its_close(
    service: None, nc: NATS, store: EventStore
) -> None:
    """A v1 RoundClosed in the log (written before 2026-12-01) is upcast; its cut-off no longer decides."""
    rid = new_id()
    await ok(nc, "DefineRound", define_round(rid, window=now_window()))
    await ok(nc, "OpenRound", office(OpenRound, rid))
    first = await ok(nc, "CastBallot", ballot(rid, "m-mem-1", (rating(level="优秀"),)))
    await ok(nc, "CastBallot", ballot(rid, "m-mem-2", (rating(level="合格"),)))
    now = datetime.now(UTC)
    cut = first.events[0].seq  # version 1 counted up to here: the second ballot would have been left out
    v1 = Envelope(
        event_id=new_id(), type="RoundClosed", schema_version=1, occurred_at=now, recorded_at=now, actor=OFFICE,
        command_id=new_id(), campaign_id="c-2026", correlation_id=new_id(),
        data={"round_id": rid, "campaign_id": "c-2026", "cutoff_seq": cut, "closed_at": now.isoformat()},
    )  # fmt: skip
    round_boundary = Boundary("evaluation", rid)
    await store.append(round_boundary, [PendingEvent(v1)], expected=await store.last_sequence(round_boundary))

    late = await send(nc, "CastBallot", ballot(rid, "m-mem-3", (rating(level="优秀"),)))
    published = await ok(nc, "PublishResults", office(PublishResults, rid))

    assert late.error is not None and late.error.rule == "round_open"
    (results,) = [r.event for r in await store.load(round_boundary) if isinstance(r.event, ResultsPublished)]
    assert published.events and results.tally.ballots == 2
