"""Nominations: who may nominate whom, eligibility under the round's conditions, withdrawal. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from services.awards.commands import Nominate, WithdrawNomination
from services.awards.errors import (
    AlreadyNominated,
    FailingGrade,
    NoApprovedPledge,
    NominationsClosedAlready,
    NomineeNotEnrolled,
    NotANominee,
    NotSelf,
    WrongKindOfNominee,
)
from services.awards.state import AwardRound, Facts
from shared.authz import authorize
from shared.events import Actor, Event, Role
from shared.events.awards import AwardRoundOpened, Condition, NominationWithdrawn, Nominee, NomineeNominated, Route


def nominate(cmd: Nominate, opening: AwardRoundOpened, state: AwardRound, facts: Facts) -> Sequence[Event]:
    """Eligible: the right kind, enrolled (a member) or registered (a unit), and the round's conditions."""
    nominee = _nominee(cmd, facts)
    _authorize("Nominate", cmd.actor, nominee)
    if cmd.route == Route.self_application and not _is_self(cmd.actor, nominee):
        raise NotSelf()
    if state.status != "open" or facts.now is None or facts.now >= opening.nominations_close_at:
        raise NominationsClosedAlready(opening.round_id)
    if cmd.kind != opening.winner:
        raise WrongKindOfNominee(opening.winner, cmd.kind)
    if nominee.id in state.nominees:
        raise AlreadyNominated(nominee.id)
    _check_conditions(cmd, opening, facts)
    return [
        NomineeNominated(
            round_id=opening.round_id,
            campaign_id=opening.campaign_id,
            nominee=nominee,
            route=cmd.route,
            nominated_by=cmd.actor.member_id,
            deeds=cmd.deeds,
            pledge_id=cmd.pledge_id,
        )
    ]


def withdraw(cmd: WithdrawNomination, opening: AwardRoundOpened, state: AwardRound, facts: Facts) -> Sequence[Event]:
    nominee = state.nominees.get(cmd.nominee_id)
    if nominee is None:
        raise NotANominee(cmd.nominee_id)
    _authorize("WithdrawNomination", cmd.actor, nominee)
    if state.status != "open":
        raise NominationsClosedAlready(opening.round_id)
    return [
        NominationWithdrawn(
            round_id=opening.round_id, campaign_id=opening.campaign_id, nominee_id=nominee.id, reason=cmd.reason
        )
    ]


def eligible_now(nominee: Nominee, facts: Facts) -> bool:
    """Still eligible at the decision: a member still enrolled, a unit still registered."""
    if nominee.kind == "unit":
        return facts.unit_known
    return facts.member is not None and facts.member.status == "enrolled"


def _nominee(cmd: Nominate, facts: Facts) -> Nominee:
    if cmd.kind == "unit":
        if not facts.unit_known:
            raise NomineeNotEnrolled(cmd.nominee_id)
        return Nominee(kind="unit", id=cmd.nominee_id)
    if facts.member is None or facts.member.status != "enrolled":
        raise NomineeNotEnrolled(cmd.nominee_id)
    return Nominee(kind="member", id=cmd.nominee_id, unit_id=facts.member.unit_id)


def _authorize(command: str, actor: Actor, nominee: Nominee) -> None:
    """A member acts only for themselves, a unit head for their unit and its members, the office for anyone."""
    unit = nominee.unit_id if nominee.kind == "member" else nominee.id
    authorize(command, actor, for_member=nominee.id, for_unit=unit)


def _is_self(actor: Actor, nominee: Nominee) -> bool:
    if nominee.kind == "member":
        return actor.member_id == nominee.id
    return actor.role == Role.unit_head and actor.unit_id == nominee.id


def _check_conditions(cmd: Nominate, opening: AwardRoundOpened, facts: Facts) -> None:
    if Condition.approved_pledge in opening.conditions:
        owner = facts.pledge_owner
        if cmd.pledge_id is None or not facts.pledge_approved or owner is None or owner.id != cmd.nominee_id:
            raise NoApprovedPledge(cmd.nominee_id)
    if Condition.no_failing_grade in opening.conditions:
        grade = next((r.grade for r in facts.grades if r.subject.id == cmd.nominee_id), None)
        if grade is not None and grade in opening.failing_grades:
            raise FailingGrade(cmd.nominee_id, grade)
