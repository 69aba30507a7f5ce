"""Builders of valid commands and events for tests (one place, so tests state only what differs)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.pledges.commands import MakePledge
from shared.events import Actor, Envelope, Event, Role
from shared.events.pledges import LedgerLine, PledgeCategory, PledgeMade, Pledger
from shared.eventstore import PendingEvent
from shared.ids import event_id_for, new_id

MEMBER = Actor(member_id="m-zhang-wei", role=Role.member, unit_id="u-office")


def ledger_line(line_id: str = "l1", **overrides: Any) -> LedgerLine:
    fields: dict[str, Any] = {
        "line_id": line_id,
        "description": "每月撰写学习心得一篇",
        "category": PledgeCategory.learning,
        "target_value": 12,
        "metric_unit": "篇",
        "deadline": date(2026, 12, 31),
        "responsible_member_id": MEMBER.member_id,
    }
    return LedgerLine(**{**fields, **overrides})


def make_pledge(pledge_id: str | None = None, **overrides: Any) -> MakePledge:
    fields: dict[str, Any] = {
        "command_id": new_id(),
        "actor": MEMBER,
        "pledge_id": pledge_id or new_id(),
        "campaign_id": "c-2026",
        "pledger": Pledger(kind="member", id=MEMBER.member_id, unit_id=MEMBER.unit_id),
        "year": 2026,
        "title": "争当排头兵公开承诺",
        "lines": (ledger_line(),),
    }
    return MakePledge(**{**fields, **overrides})


def pledge_made(pledge_id: str | None = None) -> PledgeMade:
    cmd = make_pledge(pledge_id)
    return PledgeMade(
        pledge_id=cmd.pledge_id,
        campaign_id=cmd.campaign_id,
        pledger=cmd.pledger,
        year=cmd.year,
        title=cmd.title,
        lines=cmd.lines,
    )


def pending(event: Event, command_id: str | None = None, index: int = 0) -> PendingEvent:
    """An event wrapped as the command shell would wrap it."""
    cid = command_id or new_id()
    now = datetime.now(UTC)
    return PendingEvent(
        Envelope(
            event_id=event_id_for(cid, index),
            type=event.type_name,
            schema_version=event.schema_version,
            occurred_at=now,
            recorded_at=now,
            actor=MEMBER,
            command_id=cid,
            campaign_id="c-2026",
            correlation_id=cid,
            data=event.model_dump(mode="json"),
        )
    )
