"""Properties of random rounds run through the deciders: the tally is a plain recomputation from the
ballots, and a secret round's events and envelopes never contain a voter id."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.evaluation import ballot, round
from services.evaluation.ballot import Ballot, BallotFacts
from services.evaluation.ballot_log import BALLOTS
from services.evaluation.commands import CastBallot, CloseRound, DefineRound, OpenRound, PublishResults
from services.evaluation.keys import ballot_boundary, key_check, round_secret, voter_key
from services.evaluation.round import Round, RoundFacts
from shared.events import Actor, Event, Role
from shared.events.evaluation import (
    Grade,
    Party,
    Rating,
    ResultsPublished,
    ScaleLevel,
    Tally,
    VoterGroup,
)
from shared.eventstore import PendingEvent
from shared.ids import new_id
from shared.shell import _pending
from shared.subjects import Boundary
from tests.support.evaluation import NOW, OFFICE, define_round

SECRET = b"property-test-service-secret-0123456789"
VOTER_ALPHABET = "ghijklmnopqrstuvwxyz"  # no hex digits: a voter id cannot hide inside a key by chance


@st.composite
def rounds(draw: st.DrawFn) -> tuple[DefineRound, list[tuple[str, tuple[Rating, ...]]]]:
    """A random round definition and random ballots: (voter, ratings) of eligible voters, each once."""
    voters = draw(st.lists(st.text(VOTER_ALPHABET, min_size=10, max_size=14), min_size=1, max_size=30, unique=True))
    n_groups = draw(st.integers(1, min(4, len(voters))))
    parts = draw(st.lists(st.integers(1, 20), min_size=n_groups, max_size=n_groups))
    weights = [p / sum(parts) for p in parts]
    weights[-1] = 1 - sum(weights[:-1])
    groups = tuple(
        VoterGroup(name=f"g{i}", weight=w, members=tuple(voters[i::n_groups])) for i, w in enumerate(weights)
    )
    subjects = tuple(Party(kind="member", id=f"s{i}") for i in range(draw(st.integers(1, 4))))
    criteria = tuple(f"c{i}" for i in range(draw(st.integers(1, 3))))
    scores = draw(st.lists(st.integers(0, 100), min_size=2, max_size=5, unique=True))
    scale = tuple(ScaleLevel(label=f"L{s}", score=s) for s in scores)
    grades = (Grade(label="优秀", min_score=90), Grade(label="合格", min_score=60), Grade(label="不合格", min_score=0))
    secret = draw(st.booleans())
    cmd = define_round(subjects=subjects, criteria=criteria, scale=scale, grades=grades, groups=groups, secret=secret)
    pairs = [(s.id, c) for s in subjects for c in criteria]
    ballots = []
    for v in draw(st.lists(st.sampled_from(voters), unique=True)):
        chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
        ballots.append(
            (v, tuple(Rating(subject_id=s, criterion=c, level=draw(st.sampled_from(scale)).label) for s, c in chosen))
        )
    return cmd, ballots


def run_round(definition: DefineRound, ballots: list[tuple[str, tuple[Rating, ...]]]) -> list[PendingEvent]:
    """Every event of the round as the service would append it: deciders, recorded commands, envelopes."""
    rid = definition.round_id
    secret = round_secret(SECRET, rid) if definition.secret else None
    check = key_check(secret) if secret else None
    out: list[PendingEvent] = []
    state = Round()

    def apply(cmd, events: list[Event]) -> None:
        nonlocal state
        for i, e in enumerate(events):
            out.append(_pending(cmd, e, i, Boundary("evaluation", rid)))
            state = round.evolve(state, e)

    apply(definition, list(round.decide(definition, state, RoundFacts(round_secret=secret))))
    open_cmd = OpenRound(command_id=new_id(), actor=OFFICE, round_id=rid)
    apply(open_cmd, list(round.decide(open_cmd, state, RoundFacts(key_check=check))))
    cast_events: list[tuple[int, ballot.BallotCast]] = []
    for seq, (voter_id, ratings) in enumerate(ballots, start=100):
        cmd = CastBallot(
            command_id=new_id(), actor=Actor(member_id=voter_id, role=Role.member), round_id=rid, ratings=ratings
        )
        key = voter_key(rid, voter_id, secret)
        (event,) = ballot.decide(cmd, Ballot(), BallotFacts(state, cmd.actor, key, check, NOW))
        assert isinstance(event, ballot.BallotCast)
        recorded = ballot.recorded_command(cmd, state, key)
        out.append(_pending(recorded, event, 0, Boundary(BALLOTS, ballot_boundary(rid, key))))
        assert ballot_boundary(rid, key).rsplit("_", 1) == [rid, event.voter_key]
        cast_events.append((seq, event))
    close = CloseRound(command_id=new_id(), actor=OFFICE, round_id=rid)
    apply(close, list(round.decide(close, state, RoundFacts(now=NOW))))
    publish = PublishResults(command_id=new_id(), actor=OFFICE, round_id=rid)
    apply(publish, list(round.decide(publish, state, RoundFacts(ballots=cast_events, closed_seq=10_000))))
    return out


def recompute(definition: DefineRound, ballots: list[tuple[str, tuple[Rating, ...]]]):
    """The tally straight from the definition, with exact fractions: {subject: ({criterion: score}, overall)}."""
    group_of = {m: g.name for g in definition.groups for m in g.members}
    weight = {g.name: Fraction(g.weight) for g in definition.groups}
    points = {lv.label: Fraction(lv.score) for lv in definition.scale}
    out = {}
    for s in definition.subjects:
        per_criterion = {}
        for c in definition.criteria:
            by_group: dict[str, list[Fraction]] = {}
            for v, ratings in ballots:
                for r in ratings:
                    if (r.subject_id, r.criterion) == (s.id, c):
                        by_group.setdefault(group_of[v], []).append(points[r.level])
            if by_group:
                total_w = sum(weight[g] for g in by_group)
                per_criterion[c] = sum(weight[g] * sum(xs) / len(xs) for g, xs in by_group.items()) / total_w
        overall = sum(per_criterion.values()) / len(per_criterion) if per_criterion else None
        out[s.id] = (per_criterion, overall)
    return out


def published(events: list[PendingEvent]) -> Tally:
    (tally,) = [
        ResultsPublished.model_validate(p.envelope.data).tally for p in events if p.envelope.type == "ResultsPublished"
    ]
    return tally


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_the_published_tally_is_a_recomputation_from_the_ballots(case) -> None:
    definition, ballots = case
    tally = published(run_round(definition, ballots))

    expected = recompute(definition, ballots)
    for result in tally.subjects:
        per_criterion, overall = expected[result.subject.id]
        for cs in result.criteria:
            want = per_criterion.get(cs.criterion)
            assert (cs.score is None) == (want is None)
            assert want is None or abs(cs.score - float(want)) < 1e-9
        assert (result.overall is None) == (overall is None)
        if overall is not None:
            assert abs(result.overall - float(overall)) < 1e-9
            if all(abs(overall - g.min_score) > 1e-6 for g in definition.grades):
                want_grade = "优秀" if overall >= 90 else "合格" if overall >= 60 else "不合格"
                assert result.grade == want_grade
                assert result.warning_talk_required == (want_grade == "不合格")
    group_of = {m: g.name for g in definition.groups for m in g.members}
    assert {t.group: t.cast for t in tally.turnout} == {
        g.name: sum(1 for v, _ in ballots if group_of[v] == g.name) for g in definition.groups
    }
    assert tally.ballots == len(ballots)


@settings(max_examples=150, deadline=None)
@given(rounds())
def test_no_voter_id_appears_in_a_secret_rounds_ballots_or_envelopes(case) -> None:
    definition, ballots = case
    events = run_round(definition, ballots)
    cast = [p for p in events if p.envelope.type == "BallotCast"]
    ballot_log = "\n".join(p.envelope.model_dump_json() for p in cast)

    if definition.secret:
        assert not [v for v, _ in ballots if v in ballot_log]
        assert not [
            v for v, _ in ballots if any(v in p.encode().decode() for p in events if p.envelope.type != "RoundDefined")
        ]
    else:  # the check can fail: an open round names its voters
        assert all(v in ballot_log for v, _ in ballots)
    keys = [p.envelope.data["voter_key"] for p in cast]
    assert len(set(keys)) == len(keys) == len(ballots)  # one ballot per voter, provable without names
