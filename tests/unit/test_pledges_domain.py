"""The pledge decider, given events / when a command / then events or a named refusal."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.pledges.commands import ALL_COMMANDS, ReportProgress
from shared.authz import POLICY
from shared.errors import DomainError, Forbidden, NotFound
from shared.events.pledges import (
    FulfilmentAssessed,
    FulfilmentOutcome,
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
from tests.support.builders import MEMBER, ledger_line, make_pledge
from tests.support.pledges import (
    HEAD,
    OFFICE,
    OTHER_HEAD,
    OTHER_MEMBER,
    PLEDGE,
    UNIT,
    after,
    approve,
    assess,
    entry,
    goal_line,
    made,
    published,
    report,
    return_,
    revise,
    run,
    self_check,
    state_of,
    submit,
    unit_pledge,
    withdraw,
)


def refused(given: list, when: object, rule: str) -> None:
    with pytest.raises(DomainError) as err:
        run(given, when)  # type: ignore[arg-type]
    assert (err.value.code, err.value.rule) == ("rule_violated", rule), err.value.message


def forbidden(given: list, when: object) -> None:
    with pytest.raises(Forbidden):
        run(given, when)  # type: ignore[arg-type]


# --- making a pledge


def test_a_member_makes_a_draft_pledge() -> None:
    [e] = made()
    assert isinstance(e, PledgeMade)
    assert (e.pledge_id, e.pledger.id, e.year, e.recorded_by) == (PLEDGE, MEMBER.member_id, 2026, None)
    assert state_of([e]).status == "draft"


def test_the_unit_head_records_an_oral_pledge_for_a_member_of_their_unit() -> None:
    [e] = made(actor=HEAD)
    assert isinstance(e, PledgeMade) and e.recorded_by == HEAD.member_id


def test_a_member_may_not_pledge_for_another_member() -> None:
    forbidden([], make_pledge(PLEDGE, actor=OTHER_MEMBER))


def test_a_unit_head_may_not_record_a_pledge_for_a_member_of_another_unit() -> None:
    forbidden([], make_pledge(PLEDGE, actor=OTHER_HEAD))


def test_a_member_may_not_pledge_for_a_unit() -> None:
    forbidden([], make_pledge(PLEDGE, **unit_pledge()))


def test_a_unit_pledges_through_its_head_or_the_office() -> None:
    assert isinstance(made(actor=HEAD, **unit_pledge())[0], PledgeMade)
    assert isinstance(made(actor=OFFICE, **unit_pledge())[0], PledgeMade)
    forbidden([], make_pledge(PLEDGE, actor=OTHER_HEAD, **unit_pledge()))


def test_a_pledge_is_made_once() -> None:
    refused(made(), make_pledge(PLEDGE), "pledge_id_unique")


def test_line_ids_are_unique() -> None:
    refused([], make_pledge(PLEDGE, lines=(ledger_line("a"), ledger_line("a"))), "ledger_line_ids_unique")


def test_every_deadline_is_within_the_campaign_year() -> None:
    late = ledger_line(deadline=date(2027, 1, 15))
    refused([], make_pledge(PLEDGE, lines=(ledger_line("a"), late)), "deadline_within_campaign_year")


def test_a_member_pledge_names_the_member_unit() -> None:
    with pytest.raises(ValidationError):
        Pledger(kind="member", id="m-1")


def test_text_over_the_limit_is_invalid_input() -> None:
    with pytest.raises(ValidationError):
        ledger_line(description="字" * 2001)
    with pytest.raises(ValidationError):
        make_pledge(PLEDGE, title="x" * 201)


# --- submission and review


def test_a_draft_is_submitted_and_a_repeat_is_harmless() -> None:
    assert run(made(), submit()) == [PledgeSubmitted(pledge_id=PLEDGE, revision=0)]
    assert run(after(made(), submit()), submit()) == []


def test_only_the_pledger_submits() -> None:
    forbidden(made(), submit(OTHER_MEMBER))


def test_commands_on_an_unknown_pledge_are_not_found() -> None:
    with pytest.raises(NotFound):
        run([], submit())


def test_the_member_unit_head_approves_and_the_pledge_is_published() -> None:
    approved, pub = run(after(made(), submit()), approve(HEAD))
    assert approved == PledgeApproved(pledge_id=PLEDGE, revision=0, reviewer_id=HEAD.member_id)
    assert isinstance(pub, PledgePublished) and pub.lines == (ledger_line(),) and pub.revision == 0
    assert state_of(published()).status == "approved"


def test_the_office_reviews_any_pledge() -> None:
    assert isinstance(run(after(made(), submit()), approve(OFFICE))[0], PledgeApproved)


def test_reviewers_without_the_role_or_scope_are_forbidden() -> None:
    given = after(made(), submit())
    forbidden(given, approve(OTHER_MEMBER))
    forbidden(given, approve(OTHER_HEAD))
    forbidden(given, return_(MEMBER))


def test_a_unit_pledge_is_reviewed_by_the_office_not_its_own_head() -> None:
    given = after(made(actor=HEAD, **unit_pledge()), submit(HEAD))
    forbidden(given, approve(HEAD))
    assert isinstance(run(given, approve(OFFICE))[1], PledgePublished)


def test_nobody_reviews_their_own_pledge() -> None:
    own = Pledger(kind="member", id=HEAD.member_id, unit_id="u-office")
    forbidden(after(made(actor=HEAD, pledger=own), submit(HEAD)), approve(HEAD))


def test_only_a_submitted_pledge_is_reviewed() -> None:
    refused(made(), approve(), "review_needs_submission")
    refused(made(), return_(), "review_needs_submission")


def test_approving_twice_is_harmless() -> None:
    assert run(published(), approve(OFFICE)) == []


def test_a_returned_pledge_is_revised_resubmitted_and_approved() -> None:
    given = after(made(), submit())
    [returned] = run(given, return_())
    assert returned == PledgeReturned(
        pledge_id=PLEDGE, revision=0, reviewer_id=HEAD.member_id, reasons=("目标不够具体",)
    )
    events = after([*given, returned], revise(), submit(), approve())
    assert isinstance(events[-1], PledgePublished)
    assert events[-1].revision == 1 and events[-1].lines[0].target_value == 24


# --- revisions


def test_a_revision_keeps_the_old_lines_and_the_reason() -> None:
    [e] = run(made(), revise())
    assert isinstance(e, PledgeRevised)
    assert (e.revision, e.reason) == (1, "目标偏低，提高到24篇")
    assert e.previous_lines == (ledger_line(),) and e.lines == (ledger_line(target_value=24),)


def test_an_identical_revision_is_harmless() -> None:
    assert run(made(), revise(lines=[ledger_line()])) == []


def test_no_revision_while_under_review() -> None:
    refused(after(made(), submit()), revise(), "no_revision_under_review")


def test_a_withdrawn_pledge_cannot_be_revised() -> None:
    refused(after(made(), withdraw()), revise(), "pledge_not_withdrawn")


def test_a_revision_based_on_an_old_revision_is_refused() -> None:
    given = after(made(), revise(based_on_revision=0))
    refused(given, revise(lines=[ledger_line(target_value=30)], based_on_revision=0), "revision_is_current")


def test_a_revision_keeps_deadlines_within_the_year() -> None:
    refused(made(), revise(lines=[ledger_line(deadline=date(2025, 12, 1))]), "deadline_within_campaign_year")


def test_a_published_pledge_changes_only_through_a_reviewed_revision() -> None:
    proposed = after(published(), revise())
    state = state_of(proposed)
    assert state.status == "draft" and state.published == (ledger_line(),)
    refused(proposed, approve(), "review_needs_submission")
    events = after(proposed, submit(), approve())
    assert state_of(events).published == (ledger_line(target_value=24),)


def test_progress_goes_on_against_the_published_lines_while_a_revision_is_reviewed() -> None:
    [e] = run(after(published(), revise(), submit()), report(entry(current_value=7)))
    assert isinstance(e, ProgressReported)


def test_a_line_with_progress_keeps_its_measure_through_revisions() -> None:
    given = after(published(), report())
    refused(given, revise(lines=[ledger_line(metric_unit="次")]), "reported_line_keeps_its_measure")
    refused(given, revise(lines=[goal_line("l1")]), "reported_line_keeps_its_measure")
    assert run(given, revise(lines=[ledger_line(target_value=20)]))


def test_an_approved_pledge_without_a_revision_has_nothing_to_submit() -> None:
    refused(published(), submit(), "submit_needs_changes")


# --- withdrawal


def test_a_pledge_is_withdrawn_before_approval_and_a_repeat_is_harmless() -> None:
    assert run(after(made(), submit()), withdraw()) == [PledgeWithdrawn(pledge_id=PLEDGE, reason="调岗")]
    assert run(after(made(), withdraw()), withdraw()) == []


def test_an_approved_pledge_cannot_be_withdrawn() -> None:
    refused(published(), withdraw(), "withdraw_only_before_approval")


def test_nothing_follows_a_withdrawal() -> None:
    gone = after(made(), withdraw())
    refused(gone, submit(), "pledge_not_withdrawn")
    refused(gone, report(), "pledge_not_withdrawn")


# --- progress


def test_the_pledger_reports_progress_on_a_published_pledge() -> None:
    [e] = run(published(), report())
    assert e == ProgressReported(pledge_id=PLEDGE, period="2026-06", reported_by=MEMBER.member_id, entries=(entry(),))
    assert state_of([*published(), e]).progress["l1"].current_value == 6


def test_no_progress_before_approval() -> None:
    refused(made(), report(), "pledge_is_published")
    refused(after(made(), submit()), report(), "pledge_is_published")


def test_on_a_unit_pledge_the_responsible_member_and_the_unit_head_report() -> None:
    given = published(
        by=HEAD, reviewer=OFFICE, **unit_pledge(ledger_line(responsible_member_id=OTHER_MEMBER.member_id))
    )
    assert run(given, report(actor=OTHER_MEMBER))
    assert run(given, report(actor=HEAD))
    forbidden(given, report(actor=MEMBER))
    forbidden(given, report(actor=OFFICE))
    forbidden(given, report(actor=OTHER_HEAD))


def test_nobody_else_reports_on_a_member_pledge() -> None:
    forbidden(published(), report(actor=OTHER_MEMBER))


def test_who_recorded_an_oral_pledge_reports_for_the_member() -> None:
    assert run(published(by=HEAD, reviewer=OFFICE), report(actor=HEAD))


def test_a_value_in_the_wrong_unit_is_refused() -> None:
    refused(published(), report(entry(metric_unit="次")), "progress_unit_matches_line")
    refused(published(), report(entry(metric_unit=None)), "progress_unit_matches_line")


def test_a_value_of_the_wrong_kind_is_refused() -> None:
    refused(published(), report(entry(current_value=None, metric_unit=None, done=True)), "progress_value_matches_line")
    given = published(lines=(goal_line(),))
    refused(given, report(entry("g1", metric_unit=None)), "progress_value_matches_line")
    assert run(given, report(entry("g1", current_value=None, metric_unit=None, done=True)))


def test_a_value_of_the_wrong_type_is_invalid_input() -> None:
    with pytest.raises(ValidationError):
        entry(current_value="six")
    with pytest.raises(ValidationError):
        entry(current_value=-1)


def test_progress_names_lines_in_force_once_each() -> None:
    refused(published(), report(entry("nope")), "line_in_force")
    refused(published(), report(entry(), entry()), "ledger_line_ids_unique")


def test_progress_periods_fall_within_the_campaign_year() -> None:
    refused(published(), report(period="2027-01"), "period_within_campaign_year")
    with pytest.raises(ValidationError):
        ReportProgress(command_id="c", actor=MEMBER, pledge_id=PLEDGE, period="2026-13", entries=(entry(),))


# --- self-check and fulfilment


def test_the_pledger_files_a_self_check_once_with_the_percent_complete() -> None:
    given = after(published(lines=(ledger_line(), goal_line())), report(entry(current_value=6)))
    [e] = run(given, self_check())
    assert isinstance(e, SelfCheckFiled) and e.percent_complete == 25.0
    refused([*given, e], self_check(), "self_check_once")
    forbidden(given, self_check(OTHER_MEMBER))
    refused(made(), self_check(), "pledge_is_published")


def test_the_reviewer_assesses_fulfilment_and_the_pledge_closes() -> None:
    given = after(published(), report(entry(current_value=12)))
    [e] = run(given, assess(outcome=FulfilmentOutcome.fulfilled))
    assert isinstance(e, FulfilmentAssessed) and e.percent_complete == 100.0 and e.reviewer_id == HEAD.member_id
    closed = [*given, e]
    refused(closed, assess(), "pledge_not_closed")
    refused(closed, report(), "pledge_not_closed")
    refused(closed, revise(), "pledge_not_closed")


def test_only_a_reviewer_assesses() -> None:
    forbidden(published(), assess(MEMBER))
    forbidden(published(), assess(OTHER_HEAD))
    refused(made(), assess(), "pledge_is_published")


def test_every_pledge_command_is_in_the_authorisation_table() -> None:
    assert {c.__name__ for c in ALL_COMMANDS} <= set(POLICY)
    assert UNIT.scope_unit == "u-office"
