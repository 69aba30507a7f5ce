"""The awards service: adapters that gather facts, call the pure round decider and reply. No rules here."""

from __future__ import annotations

from functools import cache, partial

from services.awards import round
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
from services.awards.decision import CONTEXT
from services.awards.policy_runner import start_policy
from services.awards.sources import Sources
from services.awards.state import AwardRound, Facts
from shared.commands import Reply
from shared.service import Service
from shared.shell import CommandShell

service = Service(CONTEXT)
broker, app = service.broker, service.app


def rounds() -> CommandShell[RoundCommand, AwardRound]:
    return service.shell(CONTEXT, round.round_decider)


async def _round_state(round_id: str) -> AwardRound:
    return await rounds().view.state(round_id)


@cache
def sources() -> Sources:
    return Sources(service.store, _round_state)


async def _execute(round_id: str, cmd: RoundCommand, facts: Facts | None = None) -> Reply:
    decide = partial(round.decide, facts=facts) if facts else None
    return await rounds().execute(round_id, cmd, decide)


@service.command("OpenAwardRound")
async def open_award_round(cmd: OpenAwardRound) -> Reply:
    """OpenAwardRound → AwardRoundOpened with the category's quota and points for the period."""
    return await _execute(cmd.round_id, cmd, await sources().for_opening(cmd.campaign_id))


@service.command("Nominate")
async def nominate(cmd: Nominate) -> Reply:
    """Nominate → NomineeNominated, if the nominee is eligible under the round's conditions."""
    opening = (await _round_state(cmd.round_id)).opened
    if opening is None:
        return await _execute(cmd.round_id, cmd)
    facts = await sources().for_nomination(opening, cmd.kind, cmd.nominee_id, cmd.pledge_id)
    return await _execute(cmd.round_id, cmd, facts)


@service.command("WithdrawNomination")
async def withdraw_nomination(cmd: WithdrawNomination) -> Reply:
    """WithdrawNomination → NominationWithdrawn."""
    return await _execute(cmd.round_id, cmd)


@service.command("CloseNominations")
async def close_nominations(cmd: CloseNominations) -> Reply:
    """CloseNominations → NominationsClosed."""
    return await _execute(cmd.round_id, cmd)


@service.command("AttachEvaluation")
async def attach_evaluation(cmd: AttachEvaluation) -> Reply:
    """AttachEvaluation → EvaluationAttached."""
    return await _execute(cmd.round_id, cmd)


@service.command("RecordNomineeEvaluation")
async def record_nominee_evaluation(cmd: RecordNomineeEvaluation) -> Reply:
    """RecordNomineeEvaluation → NomineesEvaluated (the nominees' results only)."""
    return await _execute(cmd.round_id, cmd)


@service.command("RecordInspection")
async def record_inspection(cmd: RecordInspection) -> Reply:
    """RecordInspection → InspectionRecorded."""
    return await _execute(cmd.round_id, cmd)


@service.command("ProposePreliminaryList")
async def propose_preliminary_list(cmd: ProposePreliminaryList) -> Reply:
    """ProposePreliminaryList → PreliminaryListProposed."""
    return await _execute(cmd.round_id, cmd)


@service.command("GrantAward")
async def grant_award(cmd: GrantAward) -> Reply:
    """GrantAward → AwardGranted (and a rotating flag's FlagHandedOver), within the quota."""
    state = await _round_state(cmd.round_id)
    if state.opened is None:
        return await _execute(cmd.round_id, cmd)
    facts = await sources().for_decision(state.opened, state.nominees.get(cmd.nominee_id))
    return await _execute(cmd.round_id, cmd, facts)


@service.command("PublishAwards")
async def publish_awards(cmd: PublishAwards) -> Reply:
    """PublishAwards → AwardsPublished (and the flags of the previous period not taken over go back)."""
    state = await _round_state(cmd.round_id)
    if state.opened is None:
        return await _execute(cmd.round_id, cmd)
    return await _execute(cmd.round_id, cmd, await sources().for_decision(state.opened, None))


@service.command("RevokeAward")
async def revoke_award(cmd: RevokeAward) -> Reply:
    """RevokeAward → AwardRevoked with the points to take back."""
    return await _execute(cmd.round_id, cmd)


@service.command("RecommendUpward")
async def recommend_upward(cmd: RecommendUpward) -> Reply:
    """RecommendUpward → AwardRecommendedUpward."""
    return await _execute(cmd.round_id, cmd)


start_policy(app, service)
