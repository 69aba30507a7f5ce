"""The award-round decider (boundary `<campaign>~<category>~<period>`): opening and the review steps. No I/O.

Nominations are in `nomination`, the committee's decisions in `decision`; `decide` dispatches to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from services.awards import decision, nomination, periods
from services.awards.commands import (
    AttachEvaluation,
    CloseNominations,
    GrantAward,
    Nominate,
    OpenAwardRound,
    ProposePreliminaryList,
    PublishAwards,
    RecommendUpward,
    RecordInspection,
    RecordNomineeEvaluation,
    RevokeAward,
    RoundCommand,
    WithdrawNomination,
)
from services.awards.errors import (
    AwardRoundAlreadyOpen,
    AwardRoundNotFound,
    NotANominee,
    PeriodDoesNotMatchCategory,
    PeriodOutsideCampaign,
    UnknownCategory,
    WrongEvaluationRound,
    WrongPhase,
)
from services.awards.state import AwardRound, Facts, evolve
from shared.authz import authorize
from shared.events import Event
from shared.events.awards import (
    AwardRoundOpened,
    EvaluationAttached,
    InspectionRecorded,
    NominationsClosed,
    NomineesEvaluated,
    PreliminaryListProposed,
)
from shared.shell import Decider

NO_FACTS = Facts()


def decide(command: RoundCommand, state: AwardRound, facts: Facts = NO_FACTS) -> Sequence[Event]:
    match command:
        case OpenAwardRound():
            return _open(command, state, facts)
        case Nominate():
            return nomination.nominate(command, opened(state, command.round_id), state, facts)
        case WithdrawNomination():
            return nomination.withdraw(command, opened(state, command.round_id), state, facts)
    authorize(type(command).__name__, command.actor)
    opening = opened(state, command.round_id)
    match command:
        case CloseNominations():
            if state.status != "open":
                return []
            return [NominationsClosed(**_ids(opening), nominees=tuple(state.nominees))]
        case AttachEvaluation():
            _in_review(state, opening, "review_after_nominations")
            if state.evaluation_round_id == command.evaluation_round_id:
                return []
            return [EvaluationAttached(**_ids(opening), evaluation_round_id=command.evaluation_round_id)]
        case RecordNomineeEvaluation():
            return _record_results(command, state, opening)
        case RecordInspection():
            _in_review(state, opening, "review_after_nominations")
            _nominee(state, command.nominee_id)
            fields = command.model_dump(include={"nominee_id", "findings", "satisfactory"})
            return [InspectionRecorded(**_ids(opening), **fields, inspector_id=command.actor.member_id)]
        case ProposePreliminaryList():
            _in_review(state, opening, "preliminary_list_after_nominations")
            for nominee_id in command.nominees:
                _nominee(state, nominee_id)
            return [PreliminaryListProposed(**_ids(opening), nominees=command.nominees, note=command.note)]
        case GrantAward():
            return decision.grant(command, opening, state, facts)
        case PublishAwards():
            return decision.publish(command, opening, state, facts)
        case RevokeAward():
            return decision.revoke(command, opening, state)
        case RecommendUpward():
            return decision.recommend(command, opening, state)
    raise TypeError(f"not an award round command: {command!r}")  # pragma: no cover


def opened(state: AwardRound, round_id: str) -> AwardRoundOpened:
    if state.opened is None:
        raise AwardRoundNotFound(round_id)
    return state.opened


def _ids(opening: AwardRoundOpened) -> dict[str, str]:
    return {"round_id": opening.round_id, "campaign_id": opening.campaign_id}


def _in_review(state: AwardRound, opening: AwardRoundOpened, rule: str) -> None:
    if state.status not in ("closed", "listed"):
        raise WrongPhase(rule, opening.round_id, state.status, "with nominations closed and undecided")


def _nominee(state: AwardRound, nominee_id: str) -> None:
    if nominee_id not in state.nominees:
        raise NotANominee(nominee_id)


def _open(cmd: OpenAwardRound, state: AwardRound, facts: Facts) -> Sequence[Event]:
    authorize("OpenAwardRound", cmd.actor)
    if state.opened is not None:
        raise AwardRoundAlreadyOpen(cmd.round_id)
    campaign = facts.campaign
    if campaign is None or not campaign.launched:
        raise UnknownCategory(cmd.campaign_id, cmd.category_id)
    if periods.year_of(cmd.period) != campaign.year:
        raise PeriodOutsideCampaign(cmd.period, campaign.year)
    day = periods.first_day(cmd.period)
    category = campaign.category(cmd.category_id, day)
    if category is None:
        raise UnknownCategory(cmd.campaign_id, cmd.category_id)
    if periods.kind_of(cmd.period) != category.period:
        raise PeriodDoesNotMatchCategory(cmd.period, category.period.value)
    trigger = f"award:{cmd.category_id}"
    rule = next((r for r in campaign.rules_on(day).scoring_rules if r.trigger == trigger), None)
    before = periods.previous(cmd.period) if cmd.rotating else None
    fields = cmd.model_dump(
        include={"campaign_id", "category_id", "period", "nominations_close_at", "decision_due", "conditions"}
    )
    return [
        AwardRoundOpened(
            **fields,
            round_id=cmd.round_id,
            category_name=category.name,
            winner=category.winner,
            quota=max(category.quota, 0),
            points=rule.points if rule else category.points,
            failing_grades=cmd.failing_grades,
            grades_round_id=cmd.grades_round_id,
            rotating=cmd.rotating,
            previous_round_id=f"{cmd.campaign_id}~{cmd.category_id}~{before}" if before else None,
        )
    ]


def _record_results(cmd: RecordNomineeEvaluation, state: AwardRound, opening: AwardRoundOpened) -> Sequence[Event]:
    if state.evaluation_round_id != cmd.evaluation_round_id:
        raise WrongEvaluationRound(cmd.evaluation_round_id)
    if state.status == "published":
        return []
    fresh = tuple(r for r in cmd.results if r.nominee_id in state.nominees and state.results.get(r.nominee_id) != r)
    if not fresh:
        return []
    return [NomineesEvaluated(**_ids(opening), evaluation_round_id=cmd.evaluation_round_id, results=fresh)]


round_decider: Decider[RoundCommand, AwardRound] = Decider(
    initial=AwardRound(), decide=partial(decide, facts=NO_FACTS), evolve=evolve
)
