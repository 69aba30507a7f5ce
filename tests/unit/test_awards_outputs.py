"""Pure outputs of the awards context: honour certificates, flag history, the evaluation-results policy."""

from __future__ import annotations

from datetime import date

from services.awards.certificate import certificate_id, render_certificate, verify
from services.awards.commands import RecordNomineeEvaluation
from services.awards.policies import PolicyState, evolve, react
from services.awards.rotation import flag_history, holders
from shared.events import Event
from shared.events.awards import AwardGranted, AwardRevoked, EvaluationAttached, FlagHandedOver, Nominee
from shared.events.evaluation import CriterionScore, Party, ResultsPublished, SubjectResult, Tally
from tests.support.awards import FLAGS_H2, STARS
from tests.support.campaigns import CAMPAIGN

KEY = b"k" * 32


def award(unit: str, period: str = "2026-H1", flag_no: int | None = 1, name: str = "创先争优先锋旗") -> AwardGranted:
    return AwardGranted(
        award_id=f"a-{unit}-{period}",
        round_id=f"{CAMPAIGN}~vanguard_flag~{period}",
        campaign_id=CAMPAIGN,
        category_id="vanguard_flag",
        category_name=name,
        period=period,
        winner=Nominee(kind="unit", id=unit),
        points=1,
        decided_by="m-committee",
        flag_no=flag_no,
    )


def test_a_certificate_prints_the_award_and_an_id_that_verifies() -> None:
    grant = award("u-1")
    html = render_certificate(grant, "财务股", "局党委", date(2026, 7, 1), KEY)
    cid = certificate_id(grant.award_id, KEY)
    assert "荣誉证书" in html and "财务股" in html and "创先争优先锋旗" in html and cid in html
    assert verify(cid, grant.award_id, KEY)
    assert verify(cid.lower().replace("-", ""), grant.award_id, KEY)


def test_a_certificate_id_does_not_verify_for_another_award_or_key() -> None:
    cid = certificate_id("a-1", KEY)
    assert not verify(cid, "a-2", KEY)
    assert not verify(cid, "a-1", b"x" * 32)
    assert not verify(cid[:-1] + ("0" if cid[-1] != "0" else "1"), "a-1", KEY)


def test_names_are_escaped_on_the_certificate() -> None:
    html = render_certificate(award("u-1"), "<script>x</script>", "局党委", date(2026, 7, 1), KEY)
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_the_flag_history_shows_who_held_each_flag_when() -> None:
    h1a, h1b, h2 = award("u-a"), award("u-b", flag_no=2), award("u-x", "2026-H2")
    events: list[Event] = [
        h1a,
        h1b,
        h2,
        FlagHandedOver(
            round_id=FLAGS_H2,
            campaign_id=CAMPAIGN,
            category_id="vanguard_flag",
            flag_no=1,
            from_unit_id="u-a",
            from_period="2026-H1",
            to_unit_id="u-x",
            to_period="2026-H2",
        ),
        AwardRevoked(
            award_id=h2.award_id,
            round_id=FLAGS_H2,
            campaign_id=CAMPAIGN,
            category_id="vanguard_flag",
            period="2026-H2",
            winner=h2.winner,
            points=1,
            reason="复查",
            revoked_by="m-committee",
            flag_no=1,
        ),
    ]
    history = flag_history(events)
    assert [(t.unit_id, t.flag_no, t.period, t.ended, t.successor) for t in history] == [
        ("u-a", 1, "2026-H1", "handed_over", "u-x"),
        ("u-b", 2, "2026-H1", None, None),
        ("u-x", 1, "2026-H2", "revoked", None),
    ]
    assert holders(events, "vanguard_flag", "2026-H1") == {1: "u-a", 2: "u-b"}
    assert holders(events, "vanguard_flag", "2026-H2") == {}


def results(round_id: str = "e-1") -> ResultsPublished:
    score = CriterionScore(criterion="群众满意度", score=95, ratings=10)
    subject = SubjectResult(
        subject=Party(kind="member", id="m-zhang"),
        criteria=(score,),
        overall=95,
        grade="优秀",
        warning_talk_required=False,
    )
    return ResultsPublished(
        round_id=round_id, campaign_id=CAMPAIGN, cutoff_seq=10, tally=Tally(subjects=(subject,), turnout=(), ballots=10)
    )


ATTACHED = EvaluationAttached(round_id=STARS, campaign_id=CAMPAIGN, evaluation_round_id="e-1")


def test_results_published_after_the_attachment_are_recorded_on_the_award_round() -> None:
    state = evolve(PolicyState(), ATTACHED)
    [cmd] = react(results(), state)
    assert isinstance(cmd, RecordNomineeEvaluation)
    assert (cmd.round_id, cmd.evaluation_round_id, cmd.results[0].grade) == (STARS, "e-1", "优秀")


def test_results_published_before_the_attachment_are_recorded_with_the_same_command_id() -> None:
    early = react(ATTACHED, evolve(PolicyState(), results()))
    late = react(results(), evolve(PolicyState(), ATTACHED))
    assert [c.command_id for c in early] == [c.command_id for c in late] and len(early) == 1


def test_results_of_an_evaluation_no_award_round_named_call_for_nothing() -> None:
    assert react(results("e-other"), evolve(PolicyState(), ATTACHED)) == []
    assert react(ATTACHED, PolicyState()) == []
