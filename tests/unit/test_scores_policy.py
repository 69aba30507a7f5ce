"""The scoring policy, pure: given events, when an event, then these adjustments (and nothing twice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.scores.policy import Source, react, step
from services.scores.state import ScoringState
from shared.events import Event
from shared.events.campaigns import ScoringRule
from shared.events.pledges import FulfilmentOutcome
from shared.events.scores import ScoreAdjusted
from shared.ids import new_id
from tests.support.builders import pledge_made
from tests.support.campaigns import launched
from tests.support.scores import FLAG_RULE, STAR_RULE, amended, assessed, granted, results, revoked

MAY = date(2026, 5, 10)


def src(event: Event, on: date = MAY) -> Source:
    event_id = getattr(event, "award_id", None) if event.type_name == "AwardGranted" else new_id()
    return Source(event, str(event_id or new_id()), on)


def given(*events: Event | Source) -> ScoringState:
    state = ScoringState()
    for e in events:
        state, _ = step(state, e if isinstance(e, Source) else src(e))
    return state


def then(state: ScoringState, when: Event | Source) -> list[ScoreAdjusted]:
    return react(when if isinstance(when, Source) else src(when), state)


def points(adjustments: Sequence[ScoreAdjusted]) -> list[tuple[str, float, str]]:
    return [(a.subject.id, a.points, a.kind) for a in adjustments]


def test_a_vanguard_flag_gives_its_unit_one_point_under_the_flag_rule() -> None:
    flag = granted("u-finance")
    [adj] = then(given(launched()), flag)
    assert (adj.subject.kind, adj.subject.id, adj.points) == ("unit", "u-finance", 1)
    assert (adj.rule_id, adj.rule_version, adj.adjustment_id) == ("flag", 1, flag.award_id)
    assert (adj.cause_event_id, adj.period, adj.year, adj.counts_on) == (
        flag.award_id,
        "2026-H1",
        2026,
        date(2026, 6, 30),
    )


def test_a_model_star_gives_its_member_half_a_point() -> None:
    assert points(then(given(launched()), granted("m-li", "model_star"))) == [("m-li", 0.5, "award")]


def test_revoking_an_award_reverses_exactly_its_points_once() -> None:
    flag = granted("u-finance")
    state = given(launched(), flag)
    revocation = src(revoked(flag))
    [reversal] = then(state, revocation)
    assert (reversal.points, reversal.kind, reversal.adjustment_id) == (-1, "revocation", revocation.event_id)
    assert then(given(launched(), flag, revocation), revoked(flag)) == []


def test_grades_and_fulfilment_score_only_when_a_rule_names_them() -> None:
    fail = ScoringRule(rule_id="fail", trigger="grade:不合格", points=-2)
    done = ScoringRule(rule_id="done", trigger="pledge:fulfilled", points=0.5)
    pledge = pledge_made()
    state = given(launched(), amended(date(2026, 1, 1), FLAG_RULE, fail, done), pledge)
    graded = then(state, results(("u-finance", "不合格"), ("u-tax", "优秀")))
    assert points(graded) == [("u-finance", -2, "grade")]
    assert points(then(state, assessed(pledge.pledge_id))) == [(pledge.pledger.id, 0.5, "fulfilment")]
    assert then(state, assessed(pledge.pledge_id, FulfilmentOutcome.partly_fulfilled)) == []
    assert then(given(launched()), results(("u-finance", "不合格"))) == []


def test_the_rules_in_force_on_the_events_date_apply() -> None:
    double = ScoringRule(rule_id="flag2", trigger="award:vanguard_flag", points=2)
    state = given(launched(), amended(date(2026, 7, 1), double, STAR_RULE))
    assert points(then(state, src(granted("u-a"), date(2026, 6, 30)))) == [("u-a", 1, "award")]
    [adj] = then(state, src(granted("u-a", period="2026-H2"), date(2026, 7, 1)))
    assert (adj.points, adj.rule_id, adj.rule_version) == (2, "flag2", 2)


def test_an_amendment_corrects_the_causes_it_changes_once_per_version() -> None:
    early, late = granted("u-early"), granted("u-late")
    state = given(launched(), src(early, date(2026, 2, 1)), src(late, date(2026, 8, 1)))
    change = amended(date(2026, 7, 1), ScoringRule(rule_id="flag3", trigger="award:vanguard_flag", points=3))
    [fix] = then(state, change)
    assert (fix.subject.id, fix.points, fix.kind, fix.rule_version) == ("u-late", 2, "correction", 2)
    assert fix.cause_event_id == late.award_id and fix.adjustment_id not in (late.award_id, early.award_id)
    after = given(launched(), src(early, date(2026, 2, 1)), src(late, date(2026, 8, 1)), change)
    assert points(then(after, revoked(late))) == [("u-late", -3, "revocation")]


def test_a_revoked_award_is_not_corrected_by_a_later_amendment() -> None:
    flag = granted("u-a")
    state = given(launched(), flag, revoked(flag))
    assert (
        then(state, amended(date(2026, 1, 1), ScoringRule(rule_id="x", trigger="award:vanguard_flag", points=5))) == []
    )


def test_without_a_rule_an_award_counts_its_categorys_points() -> None:
    state = given(launched(), amended(date(2026, 1, 1)))
    [adj] = then(state, granted("u-a"))
    assert (adj.points, adj.rule_id, adj.rule_version) == (1, "category:vanguard_flag", 2)


def test_events_of_unknown_campaigns_use_the_events_own_points() -> None:
    assert points(then(ScoringState(), granted("u-a"))) == [("u-a", 1, "award")]
    assert then(ScoringState(), assessed("p-unknown")) == []
