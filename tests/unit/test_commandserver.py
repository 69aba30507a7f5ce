"""Commands as the running process serves them: one validation, a reply for every input, never an exception."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from services.pledges.commands import SubmitPledge
from shared.commands import Reply
from shared.commandserver import CommandRoute, NotACommandHandler
from shared.errors import RuleViolated
from shared.eventstore import WrongExpectedSequence, _ack_seq
from tests.support.pledges import submit


async def accept(cmd: SubmitPledge) -> Reply:
    return Reply.accepted([])


async def refuse(cmd: SubmitPledge) -> Reply:
    raise RuleViolated("pledge_is_draft", "only a draft can be submitted")


async def crash(cmd: SubmitPledge) -> Reply:
    raise KeyError("boom")


async def answer(handler: Any, body: bytes) -> dict[str, Any]:
    route = CommandRoute.of("ps.cmd.pledges.{organisation}.SubmitPledge", handler)
    assert route.wildcard == "ps.cmd.pledges.*.SubmitPledge"
    reply: dict[str, Any] = json.loads(await route.answer("ps.cmd.pledges.default.SubmitPledge", body))
    return reply


async def test_a_valid_command_reaches_its_handler() -> None:
    assert (await answer(accept, submit().model_dump_json().encode()))["ok"] is True


@pytest.mark.parametrize(
    "body", [b"", b"not json", b'{"command_id": ', b"{}", b"[" * 100_000, b'{"pledge_id": "a.b"}'], ids=repr
)
async def test_bad_input_is_a_validation_error(body: bytes) -> None:
    reply = await answer(accept, body)
    assert reply["ok"] is False and reply["error"]["code"] == "validation_error"


async def test_a_domain_refusal_keeps_its_code_and_rule() -> None:
    reply = await answer(refuse, submit().model_dump_json().encode())
    assert (reply["error"]["code"], reply["error"]["rule"]) == ("rule_violated", "pledge_is_draft")


async def test_an_unexpected_failure_is_an_internal_error_reply() -> None:
    reply = await answer(crash, submit().model_dump_json().encode())
    assert reply["error"]["code"] == "internal_error" and "KeyError" in reply["error"]["message"]


def test_a_handler_must_take_a_command() -> None:
    async def untyped(cmd: dict[str, Any]) -> Reply:
        return Reply.accepted([])

    with pytest.raises(NotACommandHandler):
        CommandRoute.of("ps.cmd.pledges.X", untyped)


def test_an_ack_of_a_duplicate_msg_id_is_not_an_append() -> None:
    ack = SimpleNamespace(data=json.dumps({"stream": "S", "seq": 7, "duplicate": True}).encode())
    with pytest.raises(WrongExpectedSequence):
        _ack_seq(ack)  # type: ignore[arg-type]
    assert _ack_seq(SimpleNamespace(data=b'{"stream": "S", "seq": 8}')) == 8  # type: ignore[arg-type]
