"""Campaigns deciders, given [events] / when command / then [events] or a named error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from services.campaigns import campaign, members, units
from services.campaigns.commands import (
    AmendCampaignRules,
    FileGapReport,
    GrantRole,
    MoveUnit,
    NameBenchmarkPair,
    RemoveMember,
    RevokeRole,
    TransferMember,
)
from services.campaigns.errors import (
    AmendmentOutOfOrder,
    BenchmarkSelf,
    CampaignNotFound,
    DateOutsideCampaignYear,
    DuplicateId,
    GradesNotDescending,
    MemberInAnotherUnit,
    NegativeQuota,
    NoBenchmarkPair,
    OrganiserIsRoot,
    RoleNotGrantable,
    UnitCycle,
    UnknownMember,
    UnknownUnit,
    UnknownVoterGroup,
    VoterWeightsNotOne,
)
from shared.errors import Forbidden
from shared.events import Event, Role
from shared.events.campaigns import AwardCategory, CampaignRulesAmended, Deadline, EvaluationScale, Grade, VoterGroup
from shared.events.organisation import (
    BenchmarkPairNamed,
    GapReportFiled,
    MemberLeft,
    MemberTransferred,
    RoleGrant,
    RoleGranted,
    RoleRevoked,
    UnitMoved,
)
from shared.ids import new_id
from tests.support.campaigns import (
    CAMPAIGN,
    COMMITTEE,
    OFFICE,
    ORGANISER,
    enrol,
    enrolled,
    fold,
    head_of,
    launch,
    launched,
    member_actor,
    register,
    seed_rules,
    unit_registered,
)

HEAD = RoleGrant(role=Role.unit_head)
OFFICE_ROLE = RoleGrant(role=Role.office)
SERVICE_USER = RoleGrant(role=Role.voter, voter_group="service_users")


def when_campaign(cmd: campaign.CampaignRulesCommand, *given: Event) -> Sequence[Event]:
    return campaign.decide(cmd, fold(campaign.evolve, campaign.Campaign(), given))


def when_units(cmd: units.UnitCommand, *given: Event, launched_: bool = True) -> Sequence[Event]:
    facts = fold(campaign.evolve, campaign.Campaign(), [launched()] if launched_ else [])
    return units.decide(cmd, fold(units.evolve, units.UnitTree(), given), facts)


def when_member(cmd: members.MemberCommand, *given: Event, tree: Sequence[Event] | None = None) -> Sequence[Event]:
    tree_events = [unit_registered("u-office"), unit_registered("u-finance")] if tree is None else tree
    facts = members.Facts(
        fold(campaign.evolve, campaign.Campaign(), [launched()]), fold(units.evolve, units.UnitTree(), tree_events)
    )
    return members.decide(cmd, fold(members.evolve, members.Member(), given), facts)


def amend(effective_on: date = date(2026, 7, 1), **parts: object) -> AmendCampaignRules:
    return AmendCampaignRules(
        command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, effective_on=effective_on, reason="调整名额", **parts
    )


def categories(star_quota: int) -> tuple[AwardCategory, ...]:
    flag, star = seed_rules()["categories"]
    return (flag, star.model_copy(update={"quota": star_quota}))


# --- the campaign ---------------------------------------------------------------------------------


def test_launching_the_seed_campaign_records_its_rules() -> None:
    assert when_campaign(launch()) == [launched()]


def test_the_seed_quotas_are_four_flags_and_eight_stars_per_half_year_worth_one_and_a_half_point() -> None:
    state = fold(campaign.evolve, campaign.Campaign(), [launched()])
    flag, star = state.category("vanguard_flag", date(2026, 6, 30)), state.category("model_star", date(2026, 6, 30))
    assert flag is not None and star is not None
    assert (flag.quota, flag.points, flag.winner, star.quota, star.points, star.winner) == (
        4,
        1,
        "unit",
        8,
        0.5,
        "member",
    )


def test_a_campaign_id_is_launched_once() -> None:
    with pytest.raises(DuplicateId):
        when_campaign(launch(), launched())


def test_a_deadline_outside_the_campaign_year_is_refused() -> None:
    late = Deadline(key="pledges", label="公开承诺", due=date(2027, 6, 10))
    with pytest.raises(DateOutsideCampaignYear):
        when_campaign(launch(calendar=(late,)))


def test_a_quota_below_zero_is_refused() -> None:
    with pytest.raises(NegativeQuota):
        when_campaign(launch(categories=categories(-1)))


def test_a_quota_of_zero_is_allowed() -> None:
    assert len(when_campaign(launch(categories=categories(0)))) == 1


def test_a_category_id_appears_once() -> None:
    flag = seed_rules()["categories"][0]
    with pytest.raises(DuplicateId):
        when_campaign(launch(categories=(flag, flag)))


def test_grade_thresholds_go_from_high_to_low() -> None:
    scale = EvaluationScale(
        scale_id="s", name="测评", grades=(Grade(name="合格", min_score=60), Grade(name="优秀", min_score=90))
    )
    with pytest.raises(GradesNotDescending):
        when_campaign(launch(scales=(scale,)))


def test_voter_group_weights_add_up_to_one() -> None:
    groups = (
        VoterGroup(group_id="leaders", name="领导", weight=0.3),
        VoterGroup(group_id="members", name="党员", weight=0.3),
    )
    with pytest.raises(VoterWeightsNotOne):
        when_campaign(launch(voter_groups=groups))


@pytest.mark.parametrize("actor", [member_actor(), head_of("u-office"), COMMITTEE])
def test_only_the_organiser_launches(actor) -> None:
    with pytest.raises(Forbidden):
        when_campaign(launch(actor=actor))


def test_an_amendment_takes_effect_on_its_date_and_keeps_the_earlier_rules_before_it() -> None:
    [amended] = when_campaign(amend(categories=categories(10)), launched())
    assert isinstance(amended, CampaignRulesAmended)
    state = fold(campaign.evolve, campaign.Campaign(), [launched(), amended])
    stars = [state.category("model_star", date(2026, d, 1)) for d in (6, 7)]
    assert [s.quota for s in stars if s] == [8, 10]
    assert amended.rules.calendar == launched().rules.calendar


def test_an_amendment_needs_a_launched_campaign() -> None:
    with pytest.raises(CampaignNotFound):
        when_campaign(amend(categories=categories(10)))


def test_an_amendment_outside_the_campaign_year_is_refused() -> None:
    with pytest.raises(DateOutsideCampaignYear):
        when_campaign(amend(date(2027, 1, 1), categories=categories(10)), launched())


def test_amendments_take_effect_in_order() -> None:
    first = when_campaign(amend(date(2026, 9, 1), categories=categories(10)), launched())
    with pytest.raises(AmendmentOutOfOrder):
        when_campaign(amend(date(2026, 7, 1), categories=categories(9)), launched(), *first)


def test_an_amendment_to_a_negative_quota_is_refused() -> None:
    with pytest.raises(NegativeQuota):
        when_campaign(amend(categories=categories(-2)), launched())


def test_an_amendment_that_changes_nothing_is_a_harmless_repeat() -> None:
    assert when_campaign(amend(categories=categories(8)), launched()) == []


# --- the unit tree -------------------------------------------------------------------------------


def test_a_unit_registers_under_the_organiser() -> None:
    assert when_units(register("u-office")) == [unit_registered("u-office")]


def test_a_unit_registers_under_a_registered_unit() -> None:
    assert when_units(register("u-branch", "u-office"), unit_registered("u-office")) == [
        unit_registered("u-branch", "u-office")
    ]


def test_a_unit_needs_a_launched_campaign() -> None:
    with pytest.raises(CampaignNotFound):
        when_units(register("u-office"), launched_=False)


def test_a_unit_under_an_unknown_parent_is_refused() -> None:
    with pytest.raises(UnknownUnit):
        when_units(register("u-branch", "u-nowhere"))


def test_a_unit_id_is_registered_once() -> None:
    with pytest.raises(DuplicateId):
        when_units(register("u-office", name="另一个股室"), unit_registered("u-office"))


def test_the_organiser_id_cannot_be_registered_again() -> None:
    with pytest.raises(DuplicateId):
        when_units(register(ORGANISER))


def test_registering_the_same_unit_again_is_a_harmless_repeat() -> None:
    assert when_units(register("u-office"), unit_registered("u-office")) == []


def move(unit_id: str, parent_id: str) -> MoveUnit:
    return MoveUnit(command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, unit_id=unit_id, parent_id=parent_id)


TREE = (unit_registered("u-a"), unit_registered("u-b", "u-a"), unit_registered("u-c", "u-b"))


def test_a_unit_moves_under_another_parent() -> None:
    assert when_units(move("u-c", "u-a"), *TREE) == [
        UnitMoved(campaign_id=CAMPAIGN, unit_id="u-c", from_parent_id="u-b", to_parent_id="u-a")
    ]


@pytest.mark.parametrize(("unit", "parent"), [("u-a", "u-c"), ("u-a", "u-b"), ("u-b", "u-b")])
def test_a_move_that_closes_a_cycle_is_refused(unit: str, parent: str) -> None:
    with pytest.raises(UnitCycle):
        when_units(move(unit, parent), *TREE)


def test_a_cycle_through_an_earlier_move_is_refused() -> None:
    moved = when_units(move("u-c", "u-a"), *TREE)
    with pytest.raises(UnitCycle):
        when_units(move("u-a", "u-c"), *TREE, *moved)


def test_the_organiser_stays_the_root() -> None:
    with pytest.raises(OrganiserIsRoot):
        when_units(move(ORGANISER, "u-a"), *TREE)


def test_moving_an_unknown_unit_is_refused() -> None:
    with pytest.raises(UnknownUnit):
        when_units(move("u-x", "u-a"), *TREE)


def test_moving_a_unit_to_its_parent_is_a_harmless_repeat() -> None:
    assert when_units(move("u-c", "u-b"), *TREE) == []


def pair(unit_id: str = "u-b", internal: str = "u-a", actor=OFFICE) -> NameBenchmarkPair:
    return NameBenchmarkPair(
        command_id=new_id(),
        actor=actor,
        campaign_id=CAMPAIGN,
        unit_id=unit_id,
        internal_unit_id=internal,
        external_benchmark="寿光市经信局",
    )


def pair_named(unit_id: str = "u-b", internal: str = "u-a") -> BenchmarkPairNamed:
    return BenchmarkPairNamed(
        campaign_id=CAMPAIGN, unit_id=unit_id, internal_unit_id=internal, external_benchmark="寿光市经信局"
    )


def test_a_unit_head_names_their_units_benchmark_pair() -> None:
    assert when_units(pair(actor=head_of("u-b")), *TREE) == [pair_named()]


def test_a_unit_head_cannot_name_another_units_pair() -> None:
    with pytest.raises(Forbidden):
        when_units(pair(actor=head_of("u-c")), *TREE)


def test_a_unit_is_not_its_own_benchmark() -> None:
    with pytest.raises(BenchmarkSelf):
        when_units(pair("u-b", "u-b"), *TREE)


def test_a_benchmark_unit_must_be_in_the_tree() -> None:
    with pytest.raises(UnknownUnit):
        when_units(pair("u-b", "u-elsewhere"), *TREE)


def report(report_id: str = "r1", filed_on: date = date(2026, 3, 14)) -> FileGapReport:
    return FileGapReport(
        command_id=new_id(),
        actor=head_of("u-b"),
        campaign_id=CAMPAIGN,
        unit_id="u-b",
        report_id=report_id,
        filed_on=filed_on,
        summary="与先进单位相比，项目推进速度存在差距",
        gaps=("重点项目开工率低于对标单位",),
    )


def test_a_gap_report_is_filed_against_the_units_pair() -> None:
    [filed] = when_units(report(), *TREE, pair_named())
    assert isinstance(filed, GapReportFiled)
    assert (filed.internal_unit_id, filed.external_benchmark) == ("u-a", "寿光市经信局")


def test_a_gap_report_needs_a_benchmark_pair() -> None:
    with pytest.raises(NoBenchmarkPair):
        when_units(report(), *TREE)


def test_a_gap_report_dated_outside_the_campaign_year_is_refused() -> None:
    with pytest.raises(DateOutsideCampaignYear):
        when_units(report(filed_on=date(2025, 12, 31)), *TREE, pair_named())


def test_a_gap_report_id_is_used_once() -> None:
    filed = when_units(report(), *TREE, pair_named())
    with pytest.raises(DuplicateId):
        when_units(report(), *TREE, pair_named(), *filed)


# --- members -------------------------------------------------------------------------------------


def granted(grant: RoleGrant, unit_id: str | None = None, member_id: str = "m-zhang") -> RoleGranted:
    return RoleGranted(campaign_id=CAMPAIGN, member_id=member_id, grant=grant, unit_id=unit_id)


def test_a_member_enrols_in_a_unit_with_roles() -> None:
    assert when_member(enrol("m-zhang", "u-office", HEAD, SERVICE_USER)) == [
        enrolled(),
        granted(HEAD, "u-office"),
        granted(SERVICE_USER),
    ]


def test_a_member_of_the_organiser_enrols_in_the_organiser() -> None:
    assert when_member(enrol("m-li", ORGANISER)) == [enrolled("m-li", ORGANISER)]


def test_a_member_needs_a_launched_campaign() -> None:
    facts = members.Facts(campaign.Campaign(), units.UnitTree())
    with pytest.raises(CampaignNotFound):
        members.decide(enrol(), members.Member(), facts)


def test_a_member_in_an_unknown_unit_is_refused() -> None:
    with pytest.raises(UnknownUnit):
        when_member(enrol("m-zhang", "u-nowhere"))


def test_a_member_is_in_one_unit_at_a_time() -> None:
    with pytest.raises(MemberInAnotherUnit):
        when_member(enrol("m-zhang", "u-finance"), enrolled())


def test_enrolling_again_in_the_same_unit_is_a_harmless_repeat() -> None:
    assert when_member(enrol("m-zhang", "u-office", HEAD), enrolled(), granted(HEAD, "u-office")) == []


def test_enrolling_again_with_a_new_role_grants_only_that_role() -> None:
    assert when_member(enrol("m-zhang", "u-office", HEAD, OFFICE_ROLE), enrolled(), granted(HEAD, "u-office")) == [
        granted(OFFICE_ROLE)
    ]


@pytest.mark.parametrize(
    "grant",
    [
        RoleGrant(role=Role.member),
        RoleGrant(role=Role.system),
        RoleGrant(role=Role.voter),
        RoleGrant(role=Role.office, voter_group="leaders"),
    ],
)
def test_only_real_roles_are_granted(grant: RoleGrant) -> None:
    with pytest.raises(RoleNotGrantable):
        when_member(enrol("m-zhang", "u-office", grant))


def test_a_voter_group_must_be_one_of_the_campaigns() -> None:
    with pytest.raises(UnknownVoterGroup):
        when_member(enrol("m-zhang", "u-office", RoleGrant(role=Role.voter, voter_group="passers_by")))


@pytest.mark.parametrize("actor", [member_actor(), head_of("u-office"), COMMITTEE])
def test_only_the_organiser_enrols(actor) -> None:
    with pytest.raises(Forbidden):
        when_member(enrol("m-zhang", "u-office", actor=actor))


def transfer(unit_id: str = "u-finance", on: date = date(2026, 5, 1)) -> TransferMember:
    return TransferMember(
        command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, member_id="m-zhang", unit_id=unit_id, effective_on=on
    )


def transferred() -> MemberTransferred:
    return MemberTransferred(
        campaign_id=CAMPAIGN,
        member_id="m-zhang",
        from_unit_id="u-office",
        to_unit_id="u-finance",
        effective_on=date(2026, 5, 1),
    )


def test_a_member_transfers_to_another_unit() -> None:
    assert when_member(transfer(), enrolled()) == [transferred()]


def test_a_unit_head_who_transfers_stops_heading_the_old_unit() -> None:
    ended = RoleRevoked(campaign_id=CAMPAIGN, member_id="m-zhang", grant=HEAD, reason="transferred")
    events = when_member(transfer(), enrolled(), granted(HEAD, "u-office"))
    assert events == [transferred(), ended]
    assert not fold(members.evolve, members.Member(), [enrolled(), granted(HEAD, "u-office"), *events]).holds(
        Role.unit_head
    )


def test_transferring_a_member_who_is_not_enrolled_is_refused() -> None:
    with pytest.raises(UnknownMember):
        when_member(transfer())


def test_a_transfer_to_an_unknown_unit_is_refused() -> None:
    with pytest.raises(UnknownUnit):
        when_member(transfer("u-nowhere"), enrolled())


def test_a_transfer_dated_outside_the_campaign_year_is_refused() -> None:
    with pytest.raises(DateOutsideCampaignYear):
        when_member(transfer(on=date(2027, 1, 2)), enrolled())


def test_a_transfer_to_the_members_own_unit_is_a_harmless_repeat() -> None:
    assert when_member(transfer("u-office"), enrolled()) == []


def remove(on: date = date(2026, 10, 1)) -> RemoveMember:
    return RemoveMember(
        command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, member_id="m-zhang", effective_on=on, reason="退休"
    )


def test_a_member_leaves_and_their_roles_end() -> None:
    events = when_member(remove(), enrolled(), granted(HEAD, "u-office"))
    assert events == [
        MemberLeft(
            campaign_id=CAMPAIGN, member_id="m-zhang", unit_id="u-office", effective_on=date(2026, 10, 1), reason="退休"
        )
    ]
    after = fold(members.evolve, members.Member(), [enrolled(), granted(HEAD, "u-office"), *events])
    assert (after.status, after.roles) == ("left", frozenset())


def test_a_member_who_left_can_enrol_again() -> None:
    left = when_member(remove(), enrolled())
    assert when_member(enrol("m-zhang", "u-finance"), enrolled(), *left) == [enrolled("m-zhang", "u-finance")]


def test_leaving_dated_outside_the_campaign_year_is_refused() -> None:
    with pytest.raises(DateOutsideCampaignYear):
        when_member(remove(date(2025, 12, 1)), enrolled())


def grant(g: RoleGrant) -> GrantRole:
    return GrantRole(command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, member_id="m-zhang", grant=g)


def revoke(g: RoleGrant) -> RevokeRole:
    return RevokeRole(
        command_id=new_id(), actor=OFFICE, campaign_id=CAMPAIGN, member_id="m-zhang", grant=g, reason="换届"
    )


def test_a_unit_head_role_is_scoped_to_the_members_unit() -> None:
    [event] = when_member(grant(HEAD), enrolled())
    state = fold(members.evolve, members.Member(), [enrolled(), event])
    assert (state.holds(Role.unit_head, "u-office"), state.holds(Role.unit_head, "u-finance")) == (True, False)


def test_a_role_goes_only_to_an_enrolled_member() -> None:
    with pytest.raises(UnknownMember):
        when_member(grant(HEAD))


def test_granting_a_held_role_is_a_harmless_repeat() -> None:
    assert when_member(grant(OFFICE_ROLE), enrolled(), granted(OFFICE_ROLE)) == []


def test_a_role_is_revoked() -> None:
    assert when_member(revoke(OFFICE_ROLE), enrolled(), granted(OFFICE_ROLE)) == [
        RoleRevoked(campaign_id=CAMPAIGN, member_id="m-zhang", grant=OFFICE_ROLE, reason="换届")
    ]


def test_revoking_a_role_not_held_is_a_harmless_repeat() -> None:
    assert when_member(revoke(OFFICE_ROLE), enrolled()) == []
