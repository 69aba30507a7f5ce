"""The pledges service: command subscribers in the `pledges` queue group, nothing but adapters."""

from __future__ import annotations

from services.pledges.commands import MakePledge
from services.pledges.domain import pledge_decider
from shared.commands import Reply
from shared.service import Service
from shared.subjects import command_subject

CONTEXT = "pledges"
service = Service(CONTEXT)
broker, app = service.broker, service.app


@broker.subscriber(command_subject(CONTEXT, "MakePledge"), queue=CONTEXT)
async def make_pledge(cmd: MakePledge) -> Reply:
    """MakePledge → PledgeMade."""
    return await service.shell(CONTEXT, pledge_decider).execute(cmd.pledge_id, cmd)
