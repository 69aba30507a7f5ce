"""The evaluation deciders, given events / when a command / then events or a named error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.evaluation import ballot, review, round
from services.evaluation.ballot import Ballot, BallotFacts
from services.evaluation.commands import (
    CloseRound,
    CountBallotBox,
    OpenRound,
    PublishResults,
    RecordLeaderReview,
    StateRectification,
)
from services.evaluation.errors import (
    BallotAlreadyCast,
    BoxAlreadyCounted,
    BoxSubtotalMismatch,
    DuplicateInRound,
    DuplicateRating,
    MissingRoundSecret,
    NothingToRectify,
    OutsideWindow,
    RatingOffScale,
    RectificationAlreadyStated,
    RectificationCheckMissing,
    ResultsBeforeClose,
    ReviewNotFound,
    ReviewOutOfOrder,
    RoundAlreadyClosed,
    RoundAlreadyDefined,
    RoundKeyChanged,
    RoundNotFound,
    RoundNotOpen,
    UnknownCriterion,
    UnknownGroup,
    UnknownSubject,
    VoterInTwoGroups,
    VoterNotInRound,
    WeightsDoNotSumToOne,
    WindowInverted,
)
from services.evaluation.keys import round_secret, voter_key
from services.evaluation.round import Round, RoundFacts
from shared.errors import Forbidden
from shared.events import Event, Role
from shared.events.evaluation import (
    BallotBoxCounted,
    BallotCast,
    PaperBallot,
    Party,
    ResultsPublished,
    RoundClosed,
    RoundDefined,
    RoundOpened,
    VoterGroup,
)
from shared.ids import new_id
from tests.support.evaluation import (
    GROUPS,
    NOW,
    OFFICE,
    cast,
    define_round,
    full_ratings,
    given,
    rating,
    voter,
    window,
)

RID = "r-2026h1"
SECRET = round_secret(b"unit-test-service-secret-0123456789abcdef", RID)


def defined(**overrides: object) -> list[Event]:
    return list(round.decide(define_round(RID, **overrides), Round(), RoundFacts(round_secret=SECRET)))


def opened(**overrides: object) -> list[Event]:
    events = defined(**overrides)
    state = given(Round(), round.evolve, events)
    return [*events, *round.decide(OpenRound(command_id=new_id(), actor=OFFICE, round_id=RID), state)]


def round_state(events: list[Event]) -> Round:
    return given(Round(), round.evolve, events)


def when_cast(round_events: list[Event], cmd=None, *, cast_before: bool = False, now=NOW, key_check=None):
    cmd = cmd or cast(RID)
    rnd = round_state(round_events)
    key = voter_key(RID, cmd.actor.member_id, SECRET if rnd.secret else None)
    facts = BallotFacts(rnd, cmd.actor, key, key_check, now)
    return ballot.decide(cmd, Ballot(cast=cast_before), facts)


def office(cmd_type, **fields):
    return cmd_type(command_id=new_id(), actor=OFFICE, round_id=RID, **fields)


# --- defining a round ---


def test_a_round_is_defined_as_commanded() -> None:
    (event,) = defined()
    assert isinstance(event, RoundDefined) and event.groups == GROUPS and not event.secret


def test_a_round_id_is_defined_once() -> None:
    with pytest.raises(RoundAlreadyDefined):
        round.decide(define_round(RID), round_state(defined()))


def test_weights_must_sum_to_one() -> None:
    groups = (GROUPS[0], GROUPS[1].model_copy(update={"weight": 0.6}), GROUPS[2])
    with pytest.raises(WeightsDoNotSumToOne) as err:
        round.decide(define_round(RID, groups=groups), Round())
    assert err.value.rule == "weights_sum_to_one"


def test_weights_that_sum_to_one_in_floating_point_are_accepted() -> None:
    groups = tuple(VoterGroup(name=f"g{i}", weight=0.1, members=(f"m{i}",)) for i in range(10))
    assert defined(groups=groups)


def test_a_voter_is_in_one_group_only() -> None:
    groups = (GROUPS[0], GROUPS[1].model_copy(update={"members": ("m-lead-1",)}), GROUPS[2])
    with pytest.raises(VoterInTwoGroups):
        round.decide(define_round(RID, groups=groups), Round())


@pytest.mark.parametrize("field", ["subjects", "criteria", "scale", "grades", "groups"])
def test_a_rounds_entries_are_unique(field: str) -> None:
    entries = getattr(define_round(), field)
    with pytest.raises(DuplicateInRound):
        round.decide(define_round(RID, **{field: (*entries, entries[0])}), Round())


def test_the_window_opens_before_it_closes() -> None:
    w = window()
    with pytest.raises(WindowInverted):
        round.decide(define_round(RID, window=w.model_copy(update={"closes_at": w.opens_at})), Round())


def test_only_the_office_defines_a_round() -> None:
    with pytest.raises(Forbidden):
        round.decide(define_round(RID, actor=voter("m-mem-1")), Round())


# --- opening and closing ---


def test_opening_records_the_key_fingerprint() -> None:
    state = round_state(defined(secret=True))
    (event,) = round.decide(office(OpenRound), state, RoundFacts(key_check="abc"))
    assert event == RoundOpened(round_id=RID, campaign_id="c-2026", key_check="abc")


def test_opening_an_open_round_again_is_harmless() -> None:
    assert round.decide(office(OpenRound), round_state(opened())) == []


def test_an_unknown_round_cannot_be_opened() -> None:
    with pytest.raises(RoundNotFound):
        round.decide(office(OpenRound), Round())


def test_a_close_records_when_it_closed() -> None:
    (event,) = round.decide(office(CloseRound), round_state(opened()), RoundFacts(now=NOW))
    assert event == RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)


def test_a_round_that_never_opened_cannot_close() -> None:
    with pytest.raises(RoundNotOpen):
        round.decide(office(CloseRound), round_state(defined()), RoundFacts(now=NOW))


def test_a_closed_round_does_not_reopen() -> None:
    closed = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    with pytest.raises(RoundAlreadyClosed):
        round.decide(office(OpenRound), round_state(closed))
    assert round.decide(office(CloseRound), round_state(closed), RoundFacts(now=NOW)) == []


# --- ballots ---


def test_an_eligible_voter_casts_a_ballot_in_their_group() -> None:
    (event,) = when_cast(opened(), cast(RID, "m-svc-2"))
    assert isinstance(event, BallotCast)
    assert (event.group, event.voter_id, event.ratings) == ("service_users", "m-svc-2", full_ratings())


def test_a_secret_ballot_names_only_the_pseudonym() -> None:
    (event,) = when_cast(opened(secret=True))
    assert isinstance(event, BallotCast) and event.voter_id is None
    assert (event.voter_key, event.group) == (voter_key(RID, "m-mem-1", SECRET), "members")


def test_a_secret_rounds_roll_lists_voter_keys_only() -> None:
    (event,) = defined(secret=True)
    assert isinstance(event, RoundDefined)
    assert event.groups[0].members == tuple(voter_key(RID, m, SECRET) for m in GROUPS[0].members)


def test_a_secret_round_cannot_be_defined_without_its_key() -> None:
    with pytest.raises(MissingRoundSecret):
        round.decide(define_round(RID, secret=True), Round())


def test_a_voter_outside_a_secret_rounds_groups_is_refused() -> None:
    with pytest.raises(VoterNotInRound):
        when_cast(opened(secret=True), cast(RID, "m-stranger"))


def test_a_second_ballot_is_refused() -> None:
    with pytest.raises(BallotAlreadyCast):
        when_cast(opened(), cast_before=True)


def test_a_voter_outside_the_groups_is_refused() -> None:
    with pytest.raises(VoterNotInRound):
        when_cast(opened(), cast(RID, "m-stranger"))


@pytest.mark.parametrize("offset", [timedelta(hours=-25), timedelta(hours=24), timedelta(days=3)])
def test_a_ballot_outside_the_window_is_refused(offset: timedelta) -> None:
    with pytest.raises(OutsideWindow):
        when_cast(opened(), now=NOW + offset)


def test_a_ballot_before_the_opening_is_refused() -> None:
    with pytest.raises(RoundNotOpen):
        when_cast(defined())


def test_a_ballot_after_the_close_is_refused() -> None:
    closed = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    with pytest.raises(RoundAlreadyClosed):
        when_cast(closed)


def test_a_ballot_in_an_unknown_round_is_refused() -> None:
    with pytest.raises(RoundNotFound):
        when_cast([])


def test_a_secret_ballot_with_another_services_key_is_refused() -> None:
    with pytest.raises(RoundKeyChanged):
        when_cast(opened(secret=True), key_check="other")


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (rating(level="很好"), RatingOffScale),
        (rating(subject_id="u-nobody"), UnknownSubject),
        (rating(criterion="颜值"), UnknownCriterion),
    ],
)
def test_a_ballot_with_a_bad_rating_is_refused(bad, error) -> None:
    with pytest.raises(error):
        when_cast(opened(), cast(RID, ratings=(rating(), bad)))


def test_a_subject_is_rated_once_per_criterion() -> None:
    with pytest.raises(DuplicateRating):
        when_cast(opened(), cast(RID, ratings=(rating(), rating(level="合格"))))


def test_a_system_actor_cannot_cast_a_ballot() -> None:
    with pytest.raises(Forbidden):
        when_cast(opened(), cast(RID).model_copy(update={"actor": voter("m-mem-1", Role.system)}))


# --- ballot boxes ---


def box(box_id: str = "box-1", subtotal: int = 2, n: int = 2, group: str = "members") -> CountBallotBox:
    ballots = tuple(PaperBallot(group=group, ratings=full_ratings("合格")) for _ in range(n))
    return office(CountBallotBox, box_id=box_id, subtotal=subtotal, ballots=ballots)


def test_a_box_that_matches_its_subtotal_is_counted() -> None:
    (event,) = round.decide(box(), round_state(opened()))
    assert isinstance(event, BallotBoxCounted) and len(event.ballots) == 2


def test_a_box_whose_subtotal_does_not_match_is_refused() -> None:
    with pytest.raises(BoxSubtotalMismatch):
        round.decide(box(subtotal=3), round_state(opened()))


def test_a_box_is_counted_once() -> None:
    events = opened()
    events += round.decide(box(), round_state(events))
    with pytest.raises(BoxAlreadyCounted):
        round.decide(box(), round_state(events))


def test_a_box_with_an_unknown_group_is_refused() -> None:
    with pytest.raises(UnknownGroup):
        round.decide(box(group="visitors"), round_state(opened()))


def test_a_box_after_the_close_is_refused() -> None:
    closed = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    with pytest.raises(RoundNotOpen):
        round.decide(box(), round_state(closed))


# --- results ---


def test_results_wait_for_the_close() -> None:
    with pytest.raises(ResultsBeforeClose):
        round.decide(office(PublishResults), round_state(opened(secret=True)))


def test_results_count_the_ballots_stored_before_the_close_and_the_paper_ballots() -> None:
    events = opened()
    events += round.decide(box(n=1, subtotal=1, group="leaders"), round_state(events))
    events.append(RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW))
    counted = [(5, _ballot("m-mem-1", "优秀")), (9, _ballot("m-svc-1", "不合格")), (11, _ballot("m-mem-2", "不合格"))]
    other_round = (7, _ballot("m-mem-3", "不合格").model_copy(update={"round_id": "r-other"}))

    facts = RoundFacts(ballots=[*counted, other_round], closed_seq=11)  # the ballot at 11 came after the close
    (event,) = round.decide(office(PublishResults), round_state(events), facts)

    assert isinstance(event, ResultsPublished) and event.cutoff_seq == 10
    finance = event.tally.subjects[0]
    assert finance.overall == pytest.approx(0.3 * 80 + 0.5 * 100 + 0.2 * 0)  # 74: 基本合格
    assert (finance.grade, finance.warning_talk_required) == ("基本合格", True)
    assert [(t.group, t.eligible, t.cast) for t in event.tally.turnout] == [
        ("leaders", 2, 1),
        ("members", 3, 1),
        ("service_users", 2, 1),
    ]


def test_good_grades_need_no_warning_talk() -> None:
    events = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    facts = RoundFacts(ballots=[(3, _ballot())], closed_seq=4)
    (event,) = round.decide(office(PublishResults), round_state(events), facts)
    assert isinstance(event, ResultsPublished)
    assert {(s.grade, s.warning_talk_required) for s in event.tally.subjects} == {("优秀", False)}


def test_results_need_to_know_where_the_close_stands_in_the_log() -> None:
    events = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    with pytest.raises(round.MissingCloseSequence):
        round.decide(office(PublishResults), round_state(events), RoundFacts(ballots=[(3, _ballot())]))


def test_results_are_published_once() -> None:
    events = [*opened(), RoundClosed(round_id=RID, campaign_id="c-2026", closed_at=NOW)]
    events += round.decide(office(PublishResults), round_state(events), RoundFacts(closed_seq=2))
    assert round.decide(office(PublishResults), round_state(events)) == []


def _ballot(member_id: str = "m-mem-1", level: str = "优秀") -> BallotCast:
    rnd = round_state(opened())
    return BallotCast(
        round_id=RID,
        campaign_id="c-2026",
        voter_key=voter_key(RID, member_id, None),
        voter_id=member_id,
        group=rnd.group_of(member_id) or "",
        ratings=full_ratings(level),
    )


# --- leader reviews ---

UNIT = Party(kind="unit", id="u-finance")
HEAD = voter("m-head-wang", Role.unit_head).model_copy(update={"unit_id": "u-finance"})


def leader_review(no: int, rectify: str | None = "加强台账管理", done: bool | None = None) -> RecordLeaderReview:
    return RecordLeaderReview(
        command_id=new_id(),
        actor=OFFICE,
        campaign_id="c-2026",
        party=UNIT,
        review_no=no,
        achievements="承诺事项推进有力",
        required_rectification=rectify,
        previous_rectification_done=done,
    )


def statement(no: int = 1, actor=HEAD) -> StateRectification:
    return StateRectification(
        command_id=new_id(), actor=actor, campaign_id="c-2026", party=UNIT, review_no=no, statement="月底前完成"
    )


def reviewed(*commands) -> review.Reviews:
    state = review.Reviews()
    for c in commands:
        for e in review.decide(c, state):
            state = review.evolve(state, e)
    return state


def test_the_first_review_records_the_leader_and_the_required_rectification() -> None:
    (event,) = review.decide(leader_review(1), review.Reviews())
    assert event.reviewer_id == OFFICE.member_id and event.required_rectification == "加强台账管理"


def test_reviews_come_in_order() -> None:
    with pytest.raises(ReviewOutOfOrder):
        review.decide(leader_review(2, done=True), review.Reviews())


def test_the_next_review_must_say_whether_the_rectification_was_done() -> None:
    with pytest.raises(RectificationCheckMissing):
        review.decide(leader_review(2), reviewed(leader_review(1)))
    (event,) = review.decide(leader_review(2, done=False), reviewed(leader_review(1)))
    assert event.previous_rectification_done is False


def test_the_reviewed_unit_states_its_rectification_once() -> None:
    state = reviewed(leader_review(1), statement(1))
    with pytest.raises(RectificationAlreadyStated):
        review.decide(statement(1), state)


def test_a_statement_needs_a_review_that_asked_for_rectification() -> None:
    with pytest.raises(ReviewNotFound):
        review.decide(statement(1), review.Reviews())
    with pytest.raises(NothingToRectify):
        review.decide(statement(1), reviewed(leader_review(1, rectify=None)))


def test_only_the_reviewed_party_states_its_rectification() -> None:
    other_head = HEAD.model_copy(update={"unit_id": "u-tax"})
    with pytest.raises(Forbidden):
        review.decide(statement(1, other_head), reviewed(leader_review(1)))
    with pytest.raises(Forbidden):
        review.decide(statement(1, voter("m-mem-1")), reviewed(leader_review(1)))


def test_a_member_does_not_review_leaders() -> None:
    with pytest.raises(Forbidden):
        review.decide(leader_review(1).model_copy(update={"actor": voter("m-mem-1")}), review.Reviews())
