"""The pledges service's subscribers over FastStream's in-memory broker, on an in-memory log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from faststream.nats import TestNatsBroker

from services.pledges import app as pledges_app
from services.pledges.commands import ALL_COMMANDS
from shared.commands import Command, Reply
from shared.subjects import command_subject
from tests.support.builders import make_pledge
from tests.support.memory_store import MemoryStore
from tests.support.pledges import HEAD, PLEDGE, approve, entry, report, submit


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryStore]:
    store = MemoryStore()
    monkeypatch.setattr(pledges_app.service, "_store", store)
    monkeypatch.setattr(pledges_app.service, "_shells", {})
    yield store


async def send(
    br: TestNatsBroker, name: str, body: Command | bytes | dict[str, Any], organisation: str = "default"
) -> Reply:
    payload = body.model_dump_json().encode() if isinstance(body, Command) else body
    msg = await br.request(payload, command_subject("pledges", name, organisation))
    return Reply.model_validate(await msg.decode())


async def test_the_lifecycle_runs_through_the_subscribers(log: MemoryStore) -> None:
    async with TestNatsBroker(pledges_app.broker) as br:
        made = await send(br, "MakePledge", make_pledge(PLEDGE))
        await send(br, "SubmitPledge", submit())
        approved = await send(br, "ApprovePledge", approve())
        reported = await send(br, "ReportProgress", report(entry(current_value=3)))

    assert made.ok and [e.type for e in made.events] == ["PledgeMade"]
    assert [e.type for e in approved.events] == ["PledgeApproved", "PledgePublished"]
    assert reported.ok and reported.events[0].seq == 5
    assert [r.type for r in log.log] == [
        "PledgeMade",
        "PledgeSubmitted",
        "PledgeApproved",
        "PledgePublished",
        "ProgressReported",
    ]


async def test_every_pledge_command_has_a_subscriber(log: MemoryStore) -> None:
    async with TestNatsBroker(pledges_app.broker) as br:
        for command in ALL_COMMANDS:
            reply = await send(br, command.__name__, {})
            assert reply.error is not None and reply.error.code == "validation_error", command.__name__


async def test_a_domain_refusal_is_an_error_reply_with_its_rule(log: MemoryStore) -> None:
    async with TestNatsBroker(pledges_app.broker) as br:
        await send(br, "MakePledge", make_pledge(PLEDGE))
        early = await send(br, "ReportProgress", report())
        stranger = await send(br, "ApprovePledge", approve(HEAD.model_copy(update={"unit_id": "u-elsewhere"})))

    assert early.error is not None and (early.error.code, early.error.rule) == ("rule_violated", "pledge_is_published")
    assert stranger.error is not None and stranger.error.code == "forbidden"
    assert len(log.log) == 1


async def test_malformed_json_gets_a_validation_error_and_appends_nothing(log: MemoryStore) -> None:
    async with TestNatsBroker(pledges_app.broker) as br:
        reply = await send(br, "MakePledge", b'{"command_id": "c1", "pledge_id": ')

    assert reply.error is not None and reply.error.code == "validation_error"
    assert log.log == []


async def test_a_value_of_the_wrong_type_gets_a_validation_error_naming_it(log: MemoryStore) -> None:
    body = json.loads(report().model_dump_json())
    body["entries"][0]["current_value"] = "six"
    async with TestNatsBroker(pledges_app.broker) as br:
        await send(br, "MakePledge", make_pledge(PLEDGE))
        reply = await send(br, "ReportProgress", json.dumps(body).encode())

    assert reply.error is not None and reply.error.code == "validation_error"
    assert reply.error.details and any("current_value" in d["loc"] for d in reply.error.details)
    assert len(log.log) == 1


async def test_a_pledge_is_written_only_by_the_organisation_that_made_it(log: MemoryStore) -> None:
    async with TestNatsBroker(pledges_app.broker) as br:
        made = await send(br, "MakePledge", make_pledge(PLEDGE), "org-a")
        submitted_elsewhere = await send(br, "SubmitPledge", submit(), "org-b")
        remade_elsewhere = await send(br, "MakePledge", make_pledge(PLEDGE), "org-b")
        submitted = await send(br, "SubmitPledge", submit(), "org-a")

    assert made.ok and submitted.ok
    for refused in (submitted_elsewhere, remade_elsewhere):
        assert refused.error is not None and refused.error.code == "forbidden"
        assert "another organisation" in refused.error.message
    assert [r.subject.split(".")[3] for r in log.log] == ["org-a", "org-a"]
