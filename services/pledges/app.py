"""The pledges service: command subscribers in the `pledges` queue group, nothing but adapters."""

from __future__ import annotations

from services.pledges.commands import (
    ApprovePledge,
    AssessFulfilment,
    FileSelfCheck,
    MakePledge,
    PledgeCommand,
    ReportProgress,
    ReturnPledge,
    RevisePledge,
    SubmitPledge,
    WithdrawPledge,
)
from services.pledges.domain import pledge_decider
from shared.commands import Reply
from shared.service import Service

CONTEXT = "pledges"
service = Service(CONTEXT)
broker, app = service.broker, service.app


async def _execute(cmd: PledgeCommand) -> Reply:
    return await service.shell(CONTEXT, pledge_decider).execute(cmd.pledge_id, cmd)


@service.command("MakePledge")
async def make_pledge(cmd: MakePledge) -> Reply:
    """MakePledge → PledgeMade (a draft)."""
    return await _execute(cmd)


@service.command("RevisePledge")
async def revise_pledge(cmd: RevisePledge) -> Reply:
    """RevisePledge → PledgeRevised (old and new lines, with the reason)."""
    return await _execute(cmd)


@service.command("SubmitPledge")
async def submit_pledge(cmd: SubmitPledge) -> Reply:
    """SubmitPledge → PledgeSubmitted."""
    return await _execute(cmd)


@service.command("ReturnPledge")
async def return_pledge(cmd: ReturnPledge) -> Reply:
    """ReturnPledge → PledgeReturned (with reasons)."""
    return await _execute(cmd)


@service.command("ApprovePledge")
async def approve_pledge(cmd: ApprovePledge) -> Reply:
    """ApprovePledge → PledgeApproved + PledgePublished, appended atomically."""
    return await _execute(cmd)


@service.command("WithdrawPledge")
async def withdraw_pledge(cmd: WithdrawPledge) -> Reply:
    """WithdrawPledge → PledgeWithdrawn (only before approval)."""
    return await _execute(cmd)


@service.command("ReportProgress")
async def report_progress(cmd: ReportProgress) -> Reply:
    """ReportProgress → ProgressReported (only on a published pledge)."""
    return await _execute(cmd)


@service.command("FileSelfCheck")
async def file_self_check(cmd: FileSelfCheck) -> Reply:
    """FileSelfCheck → SelfCheckFiled."""
    return await _execute(cmd)


@service.command("AssessFulfilment")
async def assess_fulfilment(cmd: AssessFulfilment) -> Reply:
    """AssessFulfilment → FulfilmentAssessed (the pledge is closed)."""
    return await _execute(cmd)
