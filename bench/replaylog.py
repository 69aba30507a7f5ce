"""Fill the log fast with valid events of a realistic mix, for the replay and log-size benchmarks.

The events come from the real deciders once (pledge lifecycle, round, ballot), wrapped in envelopes as the
command shell wraps them; each later event is its template with ids replaced, published with publish_async.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from nats.aio.client import Client as NATS

from bench.workload import CAMPAIGN, CRITERIA, GRADES, SCALE, SUBJECTS, ledger_line, member_of, voters_of
from services.evaluation import ballot, round
from services.evaluation.ballot_log import BALLOTS
from services.evaluation.commands import CastBallot, DefineRound, OpenRound
from services.evaluation.keys import ballot_boundary, voter_key
from services.evaluation.round import RoundFacts
from services.pledges import domain
from services.pledges.commands import ApprovePledge, MakePledge, ReportProgress, SubmitPledge
from shared.events import Actor, Envelope, Event, Role
from shared.events.evaluation import RoundKind, VoterGroup, Window
from shared.events.pledges import Pledger, ProgressEntry
from shared.events.scores import ScoreAdjusted, ScoredParty
from shared.subjects import Boundary

PLEDGE, MEMBER, UNIT, HEAD = "PLEDGE0TOKEN", "MEMBER0TOKEN", "UNIT0TOKEN", "HEAD0TOKEN"
ROUND, KEY, EVT, CMD = "RND0TOKEN", "feedfacefeedfacefeedfacefeedface", "EVT0TOKEN", "CMD0TOKEN"
NOW = datetime.now(UTC)
OFFICE = Actor(member_id="m-office", role=Role.office)
# per draw: a progress report, a ballot, a score adjustment, or a new pledge's 4 events;
# ~70% / 25% / 1% / 4% of the events
PROGRESS, BALLOT, SCORE = 0.7237, 0.9734, 0.9834
SCORE_ADJ = "ADJ0TOKEN"


def _envelope(event: Event, actor: Actor) -> str:
    return Envelope(
        event_id=EVT,
        type=event.type_name,
        schema_version=event.schema_version,
        occurred_at=NOW,
        recorded_at=NOW,
        actor=actor,
        command_id=CMD,
        campaign_id=CAMPAIGN,
        correlation_id=CMD,
        data=event.model_dump(mode="json"),
    ).model_dump_json()


def _pledge_templates() -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """([(event type, envelope)] of make → published, (type, envelope) of a progress report)."""
    member = Actor(member_id=MEMBER, role=Role.member, unit_id=UNIT)
    head = Actor(member_id=HEAD, role=Role.unit_head, unit_id=UNIT)
    made = MakePledge(
        command_id="c1",
        actor=member,
        pledge_id=PLEDGE,
        campaign_id=CAMPAIGN,
        pledger=Pledger(kind="member", id=MEMBER, unit_id=UNIT),
        year=2026,
        title="争当排头兵公开承诺",
        lines=(ledger_line(MEMBER),),
    )
    steps = [(made, member), (SubmitPledge(command_id="c2", actor=member, pledge_id=PLEDGE), member)]
    steps.append((ApprovePledge(command_id="c3", actor=head, pledge_id=PLEDGE), head))
    state, out = domain.pledge_decider.initial, []
    for cmd, actor in steps:
        for e in domain.decide(cmd, state):
            state = domain.evolve(state, e)
            out.append((e.type_name, _envelope(e, actor)))
    entry = ProgressEntry(line_id="l1", current_value=6, metric_unit="篇", narrative="按月完成")
    rep = ReportProgress(command_id="c4", actor=member, pledge_id=PLEDGE, period="2026-06", entries=(entry,))
    (progress,) = domain.decide(rep, state)
    return out, (progress.type_name, _envelope(progress, member))


def _round_events(round_id: str, voters: Sequence[str]) -> tuple[list[tuple[str, str]], round.Round]:
    cut = max(1, len(voters) // 10)
    groups = (
        VoterGroup(name="leaders", weight=0.3, members=tuple(voters[:cut])),
        VoterGroup(name="members", weight=0.7, members=tuple(voters[cut:])),
    )
    define = DefineRound(
        command_id="c5",
        actor=OFFICE,
        round_id=round_id,
        campaign_id=CAMPAIGN,
        kind=RoundKind.mass,
        title="2026年上半年群众评议",
        subjects=SUBJECTS,
        criteria=CRITERIA,
        scale=SCALE,
        grades=GRADES,
        groups=groups,
        window=Window(opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=2)),
    )
    state, out = round.round_decider.initial, []
    for cmd in (define, OpenRound(command_id="c6", actor=OFFICE, round_id=round_id)):
        for e in round.decide(cmd, state, RoundFacts(now=NOW)):
            state = round.evolve(state, e)
            out.append((e.type_name, _envelope(e, OFFICE)))
    return out, state


def _ballot_template() -> tuple[str, str]:
    _, rnd = _round_events(ROUND, [MEMBER, "m-other"])
    voter = Actor(member_id=MEMBER, role=Role.member)
    ratings = tuple({"subject_id": s.id, "criterion": c, "level": "优秀"} for s in SUBJECTS for c in CRITERIA)
    cmd = CastBallot.model_validate({"command_id": "c7", "actor": voter, "round_id": ROUND, "ratings": ratings})
    facts = ballot.BallotFacts(rnd, voter, KEY, None, NOW)
    (cast,) = ballot.decide(cmd, ballot.ballot_decider.initial, facts)
    return cast.type_name, _envelope(cast, voter)


def _score_template() -> tuple[str, str]:
    """A fulfilment's points for a unit, as the scores policy appends them (the leaderboard's input)."""
    adjusted = ScoreAdjusted(
        adjustment_id=SCORE_ADJ,
        campaign_id=CAMPAIGN,
        subject=ScoredParty(kind="unit", id=UNIT),
        points=3.0,
        kind="fulfilment",
        year=2026,
        period="2026-06",
        counts_on=date(2026, 6, 15),
        rule_id=None,
        rule_trigger="fulfilled",
        rule_version=1,
        cause_event_id=EVT,
        cause_type="FulfilmentAssessed",
        reason="承诺全部兑现",
    )
    return adjusted.type_name, _envelope(adjusted, Actor(member_id="scores-policy", role=Role.system))


class LogFiller:
    """Yields (subject, payload) of a coherent log: pledges made before progress, rounds opened before ballots."""

    def __init__(self, tag: str, voters_per_round: int = 2000, seed: int = 11) -> None:
        self.tag, self.voters_per_round = tag, voters_per_round
        self.rng = random.Random(seed)
        self.lifecycle, self.progress = _pledge_templates()
        self.ballot = _ballot_template()
        self.score = _score_template()
        self.pledges = 0
        self.rounds = 0
        self._voters: list[str] = []
        self._round_id = ""
        self.n = 0
        self._uuid = f"{random.Random().getrandbits(32):08x}"

    def _ids(self) -> tuple[str, str]:
        self.n += 1
        return f"{self._uuid}-0000-5000-8000-{self.n:012x}", f"{self._uuid}-0000-4000-8000-{self.n:012x}"

    def _fill(self, text: str) -> bytes:
        evt, cmd = self._ids()
        return text.replace(EVT, evt).replace(CMD, cmd).encode()

    def _pledge(self, i: int, text: str) -> str:
        member, unit, head = member_of(1_000_000 + i)
        pid = f"rp-{self.tag}-{i:07d}"
        return text.replace(PLEDGE, pid).replace(MEMBER, member).replace(UNIT, unit).replace(HEAD, head)

    def _new_pledge(self) -> Iterator[tuple[str, bytes]]:
        i = self.pledges
        self.pledges += 1
        pid = f"rp-{self.tag}-{i:07d}"
        for typ, text in self.lifecycle:
            yield Boundary("pledges", pid).subject(typ), self._fill(self._pledge(i, text))

    def _new_round(self) -> Iterator[tuple[str, bytes]]:
        self._round_id = f"rr-{self.tag}-{self.rounds:04d}"
        self.rounds += 1
        self._voters = voters_of(self._round_id, self.voters_per_round)[::-1]
        events, _ = _round_events(self._round_id, self._voters)
        for typ, text in events:
            yield Boundary("evaluation", self._round_id).subject(typ), self._fill(text)

    def _cast(self) -> Iterator[tuple[str, bytes]]:
        if not self._voters:
            yield from self._new_round()
        voter = self._voters.pop()
        key = voter_key(self._round_id, voter, None)
        typ, text = self.ballot
        text = text.replace(ROUND, self._round_id).replace(MEMBER, voter).replace(KEY, key)
        yield Boundary(BALLOTS, ballot_boundary(self._round_id, key)).subject(typ), self._fill(text)

    def _adjust(self) -> Iterator[tuple[str, bytes]]:
        typ, text = self.score
        evt, cmd = self._ids()
        unit = member_of(self.rng.randrange(1000))[1]
        text = text.replace(SCORE_ADJ, f"adj-{self.tag}-{self.n:08d}").replace(UNIT, unit).replace(EVT, evt)
        yield Boundary("scores", cmd).subject(typ), text.replace(CMD, cmd).encode()

    def messages(self, count: int) -> Iterator[tuple[str, bytes]]:
        """Exactly `count` messages: ~70% progress reports, ~25% ballots, ~5% new pledges (made → published)."""
        sent = 0
        while sent < count:
            x = self.rng.random()
            if x < PROGRESS and self.pledges:
                typ, text = self.progress
                i = self.rng.randrange(self.pledges)
                batch: Iterator[tuple[str, bytes]] = iter(
                    [(Boundary("pledges", f"rp-{self.tag}-{i:07d}").subject(typ), self._fill(self._pledge(i, text)))]
                )
            elif x < BALLOT and self.pledges:
                batch = self._cast()
            elif x < SCORE:
                batch = self._adjust()
            else:
                batch = self._new_pledge()
            for msg in batch:
                if sent == count:
                    return
                yield msg
                sent += 1


async def fill(nc: NATS, filler: LogFiller, count: int, in_flight: int = 1024) -> float:
    """Publish `count` events with publish_async; events/s."""
    js = nc.jetstream(publish_async_max_pending=in_flight)
    t0 = time.perf_counter()
    for subject, payload in filler.messages(count):
        await js.publish_async(subject, payload)
    await js.publish_async_completed()
    return count / (time.perf_counter() - t0)
