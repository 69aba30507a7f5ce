"""The award-round decider, given events / when a command / then events or a named error."""

from __future__ import annotations

import pytest
from hypothesis import given as hgiven
from hypothesis import settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.awards.commands import (
    AttachEvaluation,
    CloseNominations,
    ProposePreliminaryList,
    PublishAwards,
    RecommendUpward,
    RecordInspection,
    RecordNomineeEvaluation,
    RevokeAward,
    WithdrawNomination,
)
from services.awards.decision import award_id_of
from services.awards.round import decide
from services.awards.state import AwardRound, Facts
from services.campaigns.members import Member
from shared.errors import DomainError, Forbidden, NotFound
from shared.events import Actor, Event, Role
from shared.events.awards import (
    AwardGranted,
    AwardRecommendedUpward,
    AwardRevoked,
    AwardRoundOpened,
    AwardsPublished,
    Condition,
    EvaluationAttached,
    FlagHandedOver,
    InspectionRecorded,
    NominationsClosed,
    NominationWithdrawn,
    NomineeNominated,
    NomineeResult,
    NomineesEvaluated,
    PreliminaryListProposed,
    Route,
)
from shared.events.evaluation import CriterionScore, Party, SubjectResult
from shared.events.pledges import Pledger
from shared.ids import new_id
from tests.support.awards import (
    CLOSE_AT,
    FLAGS,
    FLAGS_H2,
    NOW,
    STARS,
    campaign,
    grant,
    listed,
    member_facts,
    nominate,
    nominated,
    open_round,
    opened,
    state,
    unit_facts,
)
from tests.support.campaigns import ADMIN, CAMPAIGN, COMMITTEE, OFFICE, head_of, member_actor

UNITS = [f"u-{i}" for i in range(6)]


def rule_of(exc: pytest.ExceptionInfo[DomainError]) -> str | None:
    return exc.value.rule


NO_FACTS = Facts()


def refused(events: list[Event], command: object, facts: Facts = NO_FACTS, rule: str | None = None) -> None:
    with pytest.raises(DomainError) as exc:
        decide(command, state(events), facts)  # type: ignore[arg-type]
    if rule is not None:
        assert rule_of(exc) == rule


# --- opening ---------------------------------------------------------------------------------------------


def test_the_office_opens_a_round_with_the_categorys_quota_and_points_for_the_period() -> None:
    [event] = decide(open_round(), AwardRound(), Facts(campaign=campaign()))
    assert isinstance(event, AwardRoundOpened)
    assert (event.round_id, event.winner, event.quota, event.points) == (FLAGS, "unit", 4, 1)
    [stars] = decide(open_round("model_star"), AwardRound(), Facts(campaign=campaign()))
    assert isinstance(stars, AwardRoundOpened) and (stars.winner, stars.quota, stars.points) == ("member", 8, 0.5)


def test_a_rotating_round_takes_over_from_the_previous_half_year() -> None:
    [event] = decide(open_round(period="2026-H2", rotating=True), AwardRound(), Facts(campaign=campaign()))
    assert isinstance(event, AwardRoundOpened) and event.previous_round_id == FLAGS


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        (open_round(period="2026-Q1"), "period_of_category"),
        (open_round(period="2025-H1"), "period_in_campaign_year"),
    ],
)
def test_a_round_opens_only_for_a_period_of_the_category_in_the_campaign_year(command: object, rule: str) -> None:
    with pytest.raises(DomainError) as exc:
        decide(command, AwardRound(), Facts(campaign=campaign()))  # type: ignore[arg-type]
    assert rule_of(exc) == rule


def test_one_round_per_category_and_period() -> None:
    refused([opened()], open_round(), Facts(campaign=campaign()), "one_round_per_category_and_period")


def test_an_unknown_category_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide(open_round("no_such_prize"), AwardRound(), Facts(campaign=campaign()))


@pytest.mark.parametrize("role", [Role.member, Role.unit_head, Role.committee])
def test_only_the_office_opens_rounds(role: Role) -> None:
    with pytest.raises(Forbidden):
        decide(open_round(actor=Actor(member_id="m-1", role=role)), AwardRound(), Facts(campaign=campaign()))


# --- nominations -----------------------------------------------------------------------------------------


def test_a_member_applies_for_a_star_themselves() -> None:
    cmd = nominate("m-zhang", member_actor("m-zhang"), STARS, route=Route.self_application)
    [event] = decide(cmd, state([opened(STARS)]), member_facts())
    assert isinstance(event, NomineeNominated)
    assert (event.nominee.id, event.nominee.unit_id, event.route) == ("m-zhang", "u-office", Route.self_application)


def test_a_unit_head_applies_for_their_unit_and_recommends_its_members() -> None:
    head = head_of("u-office")
    assert decide(nominate("u-office", head, route=Route.self_application), state([opened()]), unit_facts())
    assert decide(nominate("m-zhang", head, STARS), state([opened(STARS)]), member_facts())


def test_a_self_application_is_made_by_the_nominee() -> None:
    cmd = nominate("m-zhang", OFFICE, STARS, route=Route.self_application)
    refused([opened(STARS)], cmd, member_facts(), "self_application_by_nominee")


@pytest.mark.parametrize(
    ("actor", "nominee_id", "round_id"),
    [
        (member_actor("m-li"), "m-zhang", STARS),  # a member only for themselves
        (member_actor("m-li"), "u-office", FLAGS),  # a member never for a unit
        (head_of("u-tax"), "m-zhang", STARS),  # a head only for their own unit's members
        (head_of("u-tax"), "u-office", FLAGS),
        (COMMITTEE, "u-office", FLAGS),
    ],
)
def test_nominating_for_someone_out_of_scope_is_forbidden(actor: Actor, nominee_id: str, round_id: str) -> None:
    facts = member_facts() if round_id == STARS else unit_facts()
    with pytest.raises(Forbidden):
        decide(nominate(nominee_id, actor, round_id), state([opened(round_id)]), facts)


def test_a_nomination_at_or_after_the_deadline_is_refused() -> None:
    refused([opened()], nominate("u-1"), unit_facts(now=CLOSE_AT), "nomination_before_deadline")


def test_a_nomination_after_nominations_closed_is_refused() -> None:
    closed = NominationsClosed(round_id=FLAGS, campaign_id=CAMPAIGN, nominees=())
    refused([opened(), closed], nominate("u-1"), unit_facts(), "nomination_before_deadline")


def test_a_nomination_to_an_unopened_round_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide(nominate("u-1"), AwardRound(), unit_facts())


def test_a_flag_goes_to_a_unit_not_a_member() -> None:
    refused([opened()], nominate("m-zhang", kind="member"), member_facts(), "nominee_kind")


@pytest.mark.parametrize(
    ("round_id", "facts"),
    [(FLAGS, unit_facts(unit_known=False)), (STARS, member_facts(status="left")), (STARS, Facts(now=NOW))],
)
def test_a_nominee_must_be_enrolled(round_id: str, facts: Facts) -> None:
    refused([opened(round_id)], nominate("x-1", round_id=round_id), facts, "nominee_enrolled")


def test_a_nominee_is_nominated_once() -> None:
    refused([opened(), nominated("u-1")], nominate("u-1"), unit_facts(), "nominated_once")


def test_deeds_over_1500_characters_are_invalid_input() -> None:
    assert nominate("u-1", deeds="字" * 1500)
    with pytest.raises(ValidationError):
        nominate("u-1", deeds="字" * 1501)


PLEDGED = opened(STARS, conditions=(Condition.approved_pledge,))
OWN = Pledger(kind="member", id="m-zhang", unit_id="u-office")


@pytest.mark.parametrize(
    ("pledge_id", "facts"),
    [
        (None, member_facts()),
        ("p-1", member_facts(pledge_owner=OWN, pledge_approved=False)),
        ("p-1", member_facts(pledge_owner=OWN.model_copy(update={"id": "m-li"}), pledge_approved=True)),
    ],
)
def test_a_round_that_requires_an_approved_pledge_refuses_without_ones_own(pledge_id: str | None, facts: Facts) -> None:
    refused([PLEDGED], nominate("m-zhang", round_id=STARS, pledge_id=pledge_id), facts, "approved_pledge")


def test_an_approved_pledge_of_the_nominee_makes_them_eligible() -> None:
    facts = member_facts(pledge_owner=OWN, pledge_approved=True)
    assert decide(nominate("m-zhang", round_id=STARS, pledge_id="p-1"), state([PLEDGED]), facts)


def _graded(grade: str) -> tuple[SubjectResult, ...]:
    party = Party(kind="unit", id="u-1")
    score = CriterionScore(criterion="群众满意度", score=50, ratings=3)
    return (SubjectResult(subject=party, criteria=(score,), overall=50, grade=grade, warning_talk_required=True),)


def test_a_failing_grade_in_the_latest_evaluation_disqualifies() -> None:
    strict = opened(conditions=(Condition.no_failing_grade,), failing_grades=("不合格",))
    refused([strict], nominate("u-1"), unit_facts(grades=_graded("不合格")), "no_failing_grade")
    assert decide(nominate("u-1"), state([strict]), unit_facts(grades=_graded("合格")))


def test_a_nomination_is_withdrawn_while_nominations_are_open() -> None:
    withdraw = WithdrawNomination(
        command_id=new_id(), actor=head_of("u-1"), round_id=FLAGS, nominee_id="u-1", reason="材料不全"
    )
    [event] = decide(withdraw, state([opened(), nominated("u-1")]), Facts())
    assert isinstance(event, NominationWithdrawn)
    refused([opened()], withdraw, rule="nominee_of_round")
    closed = NominationsClosed(round_id=FLAGS, campaign_id=CAMPAIGN, nominees=("u-1",))
    refused([opened(), nominated("u-1"), closed], withdraw, rule="nomination_before_deadline")


# --- review ----------------------------------------------------------------------------------------------


def _office(cmd_type: type, **fields: object) -> object:
    return cmd_type(command_id=new_id(), actor=OFFICE, round_id=FLAGS, **fields)


def test_closing_nominations_fixes_the_nominees_and_a_repeat_is_harmless() -> None:
    events = [opened(), nominated("u-1"), nominated("u-2")]
    [closed] = decide(_office(CloseNominations), state(events), Facts())  # type: ignore[arg-type]
    assert isinstance(closed, NominationsClosed) and closed.nominees == ("u-1", "u-2")
    assert decide(_office(CloseNominations), state([*events, closed]), Facts()) == []  # type: ignore[arg-type]


def test_the_nominees_evaluation_results_are_recorded_for_nominees_only() -> None:
    events = listed(["u-1", "u-2"])
    [attached] = decide(_office(AttachEvaluation, evaluation_round_id="e-1"), state(events), Facts())  # type: ignore[arg-type]
    assert isinstance(attached, EvaluationAttached)
    results = (
        NomineeResult(nominee_id="u-1", overall=92, grade="优秀"),
        NomineeResult(nominee_id="u-9", overall=1, grade="不合格"),
    )
    record = _office(RecordNomineeEvaluation, evaluation_round_id="e-1", results=results)
    [recorded] = decide(record, state([*events, attached]), Facts())  # type: ignore[arg-type]
    assert isinstance(recorded, NomineesEvaluated) and [r.nominee_id for r in recorded.results] == ["u-1"]
    assert decide(record, state([*events, attached, recorded]), Facts()) == []  # type: ignore[arg-type]
    wrong = _office(RecordNomineeEvaluation, evaluation_round_id="e-2", results=results)
    refused([*events, attached], wrong, rule="results_of_attached_evaluation")


def test_inspection_notes_are_on_nominees_after_nominations_close() -> None:
    inspect = _office(RecordInspection, nominee_id="u-1", findings="台账齐全，措施落实")
    [event] = decide(inspect, state(listed(["u-1"])), Facts())  # type: ignore[arg-type]
    assert isinstance(event, InspectionRecorded) and event.inspector_id == OFFICE.member_id
    refused([opened(), nominated("u-1")], inspect, rule="review_after_nominations")
    refused(listed(["u-2"]), inspect, rule="nominee_of_round")


def test_the_preliminary_list_names_nominees_only() -> None:
    closed = [opened(), nominated("u-1"), NominationsClosed(round_id=FLAGS, campaign_id=CAMPAIGN, nominees=("u-1",))]
    [event] = decide(_office(ProposePreliminaryList, nominees=("u-1",)), state(closed), Facts())  # type: ignore[arg-type]
    assert isinstance(event, PreliminaryListProposed)
    refused(closed, _office(ProposePreliminaryList, nominees=("u-1", "u-9")), rule="nominee_of_round")
    refused(closed[:2], _office(ProposePreliminaryList, nominees=("u-1",)), rule="preliminary_list_after_nominations")


# --- decisions within quota ------------------------------------------------------------------------------


def test_the_committee_grants_an_award_that_carries_what_the_score_ledger_needs() -> None:
    cmd = grant("u-1")
    [event] = decide(cmd, state(listed(UNITS)), unit_facts())
    assert isinstance(event, AwardGranted)
    assert event.award_id == award_id_of(cmd.round_id, cmd.command_id)
    assert (event.campaign_id, event.category_id, event.period, event.points) == (
        CAMPAIGN,
        "vanguard_flag",
        "2026-H1",
        1,
    )
    assert (event.winner.kind, event.winner.id, event.round_id, event.decided_by) == (
        "unit",
        "u-1",
        FLAGS,
        "m-committee",
    )


@pytest.mark.parametrize("actor", [OFFICE, ADMIN, head_of("u-1"), member_actor()])
def test_only_the_committee_decides_awards(actor: Actor) -> None:
    with pytest.raises(Forbidden):
        decide(grant("u-1", actor=actor), state(listed(UNITS)), unit_facts())


def test_the_quota_is_never_exceeded() -> None:
    events = listed(UNITS)
    for unit in UNITS[:4]:
        events += decide(grant(unit), state(events), unit_facts())
    refused(events, grant(UNITS[4]), unit_facts(), "award_quota")


def test_a_revoked_award_frees_its_place_in_the_quota() -> None:
    events = listed(UNITS)
    for unit in UNITS[:4]:
        events += decide(grant(unit), state(events), unit_facts())
    revoke = RevokeAward(
        command_id=new_id(), actor=COMMITTEE, round_id=FLAGS, award_id=events[-1].award_id, reason="弄虚作假"
    )  # type: ignore[attr-defined]
    events += decide(revoke, state(events), Facts())
    assert decide(grant(UNITS[4]), state(events), unit_facts())


def test_a_grant_of_a_non_nominee_or_off_the_preliminary_list_is_refused() -> None:
    refused(listed(UNITS), grant("u-stranger"), unit_facts(), "nominee_of_round")
    events = [*listed(UNITS[:2]), nominated("u-late")]  # nominated in the given, but not on the list
    refused(events, grant("u-late"), unit_facts(), "grant_from_preliminary_list")


def test_a_grant_waits_for_the_preliminary_list() -> None:
    refused([opened(), nominated("u-1")], grant("u-1"), unit_facts(), "decision_on_preliminary_list")


def test_granting_the_same_winner_again_is_a_harmless_repeat() -> None:
    events = listed(UNITS)
    events += decide(grant("u-1"), state(events), unit_facts())
    assert decide(grant("u-1"), state(events), unit_facts()) == []


def test_a_member_who_left_cannot_be_granted_a_star() -> None:
    events = listed(["m-zhang"], STARS)
    refused(events, grant("m-zhang", STARS), member_facts(status="left"), "nominee_enrolled")


@settings(max_examples=60, deadline=None)
@hgiven(st.lists(st.tuples(st.sampled_from(["grant", "revoke"]), st.integers(0, 9)), max_size=40))
def test_no_sequence_of_grants_and_revocations_exceeds_the_quota(steps: list[tuple[str, int]]) -> None:
    nominees = [f"u-{i}" for i in range(10)]
    events: list[Event] = listed(nominees)
    for action, i in steps:
        current = state(events)
        try:
            if action == "grant":
                events += decide(grant(nominees[i]), current, unit_facts())
            elif current.in_force():
                award = current.in_force()[i % len(current.in_force())]
                cmd = RevokeAward(
                    command_id=new_id(), actor=COMMITTEE, round_id=FLAGS, award_id=award.award_id, reason="复查"
                )
                events += decide(cmd, current, Facts())
        except DomainError as exc:
            assert exc.rule == "award_quota"
        assert len(state(events).in_force()) <= 4


# --- publication, rotation, revocation, upward recommendation ---------------------------------------------


def _granted(round_id: str, units: list[str], facts: Facts | None = None, **opening: object) -> list[Event]:
    events = listed(units, round_id, **opening)
    for unit in units:
        events += decide(grant(unit, round_id), state(events), facts or unit_facts())
    return events


def test_publication_lists_the_awards_in_force_and_ends_the_grants() -> None:
    events = _granted(FLAGS, UNITS[:2])
    [published] = decide(PublishAwards(command_id=new_id(), actor=OFFICE, round_id=FLAGS), state(events), Facts())
    assert isinstance(published, AwardsPublished) and len(published.award_ids) == 2
    refused([*events, published], grant(UNITS[2]), unit_facts(), "decision_on_preliminary_list")


def test_rotating_flags_are_numbered_and_handed_over_by_the_previous_holders() -> None:
    h1 = state(_granted(FLAGS, ["u-a", "u-b", "u-c"], rotating=True))
    assert h1.flags() == {1: "u-a", 2: "u-b", 3: "u-c"}
    h2 = listed(["u-x", "u-y"], FLAGS_H2, rotating=True, previous_round_id=FLAGS)
    granted, handed = decide(grant("u-x", FLAGS_H2), state(h2), unit_facts(previous=h1))
    assert isinstance(granted, AwardGranted) and granted.flag_no == 1
    assert isinstance(handed, FlagHandedOver)
    assert (handed.flag_no, handed.from_unit_id, handed.to_unit_id, handed.from_period) == (1, "u-a", "u-x", "2026-H1")
    h2 += [granted, handed]
    publish = PublishAwards(command_id=new_id(), actor=OFFICE, round_id=FLAGS_H2)
    _, *returned = decide(publish, state(h2), Facts(previous=h1))
    assert [(e.flag_no, e.from_unit_id, e.to_unit_id) for e in returned] == [(2, "u-b", None), (3, "u-c", None)]  # type: ignore[attr-defined]


def test_a_revocation_takes_back_exactly_the_granted_points_and_a_repeat_is_harmless() -> None:
    events = _granted(STARS, ["m-zhang"], member_facts())
    award = events[-1]
    assert isinstance(award, AwardGranted)
    revoke = RevokeAward(command_id=new_id(), actor=COMMITTEE, round_id=STARS, award_id=award.award_id, reason="违纪")
    [revoked] = decide(revoke, state(events), Facts())
    assert isinstance(revoked, AwardRevoked)
    assert (revoked.points, revoked.winner, revoked.period, revoked.category_id) == (
        0.5,
        award.winner,
        "2026-H1",
        "model_star",
    )
    assert decide(revoke, state([*events, revoked]), Facts()) == []
    with pytest.raises(NotFound):
        decide(revoke.model_copy(update={"award_id": "nope"}), state(events), Facts())
    with pytest.raises(Forbidden):
        decide(revoke.model_copy(update={"actor": OFFICE}), state(events), Facts())


def test_a_winner_is_recommended_upward_unless_revoked() -> None:
    events = _granted(FLAGS, ["u-1"])
    award_id = events[-1].award_id  # type: ignore[attr-defined]
    up = RecommendUpward(
        command_id=new_id(), actor=COMMITTEE, round_id=FLAGS, award_id=award_id, to_organisation="市经信委"
    )
    [event] = decide(up, state(events), Facts())
    assert isinstance(event, AwardRecommendedUpward) and event.winner.id == "u-1"
    revoke = RevokeAward(command_id=new_id(), actor=COMMITTEE, round_id=FLAGS, award_id=award_id, reason="复查不合格")
    events += decide(revoke, state(events), Facts())
    refused(events, up, rule="award_in_force")


def test_a_member_unit_of_an_open_round_is_read_from_the_enrolment() -> None:
    facts = Facts(now=NOW, member=Member("enrolled", "张伟", "u-tax"))
    [event] = decide(nominate("m-zhang", round_id=STARS), state([opened(STARS)]), facts)
    assert isinstance(event, NomineeNominated) and event.nominee.unit_id == "u-tax"
