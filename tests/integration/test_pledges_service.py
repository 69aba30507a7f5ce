"""The pledges service as it runs: two replicas (`python -m services.pledges`) on the real NATS, over request/reply."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.commands import Command, Reply
from shared.events import Actor, Role
from shared.events.pledges import FulfilmentOutcome, Pledger, PledgeRevised
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.runtime.health import ask_health
from shared.subjects import Boundary, command_subject
from tests.conftest import Servers
from tests.support.builders import ledger_line, make_pledge
from tests.support.pledges import (
    HEAD,
    OFFICE,
    approve,
    assess,
    entry,
    report,
    return_,
    revise,
    self_check,
    submit,
    withdraw,
)
from tests.support.processes import healthy

REPLICAS = 2
ROOT = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(scope="module")
async def service(
    servers: Servers, nc: NATS, store: EventStore, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    """Every replica running and answering its health check as connected to the log."""
    async with healthy(servers.env(), tmp_path_factory.mktemp("pledges-service"), ["pledges"] * REPLICAS, nc):
        yield


async def send(nc: NATS, name: str, body: Command | bytes, organisation: str = "default") -> Reply:
    data = body if isinstance(body, bytes) else body.model_dump_json().encode()
    msg = await nc.request(command_subject("pledges", name, organisation), data, timeout=30)
    return Reply.model_validate_json(msg.data)


async def last_seq(nc: NATS, servers: Servers) -> int:
    return int((await nc.jetstream().stream_info(servers.stream)).state.last_seq)


def member(i: int) -> Actor:
    return Actor(member_id=f"m-{i:03d}", role=Role.member, unit_id="u-office")


def pledge_by(actor: Actor, pledge_id: str, **overrides: Any) -> Command:
    line = ledger_line(responsible_member_id=actor.member_id)
    pledger = Pledger(kind="member", id=actor.member_id, unit_id=actor.unit_id)
    return make_pledge(pledge_id, actor=actor, pledger=pledger, lines=(line,), **overrides)


def on(pledge_id: str, cmd: Command) -> Command:
    return cmd.model_copy(update={"pledge_id": pledge_id})


def error_of(reply: Reply) -> tuple[str, str | None]:
    assert reply.error is not None, f"expected a refusal, got {reply}"
    return reply.error.code, reply.error.rule


async def types_of(store: EventStore, pledge_id: str) -> list[str]:
    return [r.envelope.type for r in await store.load(Boundary("pledges", pledge_id))]


async def test_a_pledge_lives_its_whole_year_over_nats(service: None, nc: NATS, store: EventStore) -> None:
    p = new_id()
    steps: list[tuple[str, Command]] = [
        ("MakePledge", make_pledge(p)),
        ("SubmitPledge", on(p, submit())),
        ("ReturnPledge", on(p, return_())),
        ("RevisePledge", on(p, revise())),
        ("SubmitPledge", on(p, submit())),
        ("ApprovePledge", on(p, approve())),
        ("ReportProgress", on(p, report(entry(current_value=10)))),
        ("RevisePledge", on(p, revise(lines=[ledger_line(target_value=10)]))),
        ("SubmitPledge", on(p, submit())),
        ("ApprovePledge", on(p, approve(OFFICE))),
        ("FileSelfCheck", on(p, self_check())),
        ("AssessFulfilment", on(p, assess(HEAD, FulfilmentOutcome.fulfilled))),
    ]
    replies = [await send(nc, name, cmd) for name, cmd in steps]
    assert [r.error for r in replies if not r.ok] == []

    retried = await send(nc, "ApprovePledge", steps[5][1])
    assert retried.duplicate and retried.events == replies[5].events
    assert error_of(await send(nc, "ReportProgress", on(p, report()))) == ("rule_violated", "pledge_not_closed")
    recorded = await store.load(Boundary("pledges", p))
    assert [r.envelope.type for r in recorded] == [
        "PledgeMade", "PledgeSubmitted", "PledgeReturned", "PledgeRevised", "PledgeSubmitted", "PledgeApproved",
        "PledgePublished", "ProgressReported", "PledgeRevised", "PledgeSubmitted", "PledgeApproved",
        "PledgePublished", "SelfCheckFiled", "FulfilmentAssessed",
    ]  # fmt: skip
    assert {r.envelope.campaign_id for r in recorded} == {steps[0][1].campaign_id}  # type: ignore[attr-defined]
    assert recorded[-1].event.percent_complete == 100.0  # type: ignore[attr-defined]
    assert recorded[8].event.previous_lines[0].target_value == 24  # type: ignore[attr-defined]


async def test_a_withdrawn_pledge_takes_no_revision(service: None, nc: NATS, store: EventStore) -> None:
    p = new_id()
    assert (await send(nc, "MakePledge", make_pledge(p))).ok
    assert (await send(nc, "WithdrawPledge", on(p, withdraw()))).ok
    assert error_of(await send(nc, "RevisePledge", on(p, revise()))) == ("rule_violated", "pledge_not_withdrawn")
    assert await types_of(store, p) == ["PledgeMade", "PledgeWithdrawn"]


async def test_bad_input_gets_a_stable_code_and_appends_nothing(
    service: None, nc: NATS, store: EventStore, servers: Servers
) -> None:
    p = new_id()
    assert (await send(nc, "MakePledge", make_pledge(p))).ok
    wrong_type = json.loads(on(p, report()).model_dump_json())
    wrong_type["entries"][0]["current_value"] = "six"
    too_long = json.loads(make_pledge(new_id()).model_dump_json())
    too_long["title"] = "长" * 201
    late = make_pledge(new_id(), lines=(ledger_line(deadline="2027-03-01"),))
    before = await last_seq(nc, servers)

    outcomes = [
        await send(nc, "MakePledge", b'{"command_id": "x", "pledge_id": '),
        await send(nc, "ReportProgress", json.dumps(wrong_type).encode()),
        await send(nc, "MakePledge", json.dumps(too_long).encode()),
        await send(nc, "MakePledge", late),
        await send(nc, "ReportProgress", on(p, report())),
        await send(nc, "ApprovePledge", on(p, approve(Actor(member_id="m-x", role=Role.member, unit_id="u-office")))),
        await send(nc, "ApprovePledge", on(new_id(), approve())),
    ]

    assert [error_of(r) for r in outcomes] == [
        ("validation_error", None),
        ("validation_error", None),
        ("validation_error", None),
        ("rule_violated", "deadline_within_campaign_year"),
        ("rule_violated", "pledge_is_published"),
        ("forbidden", None),
        ("not_found", None),
    ]
    assert await last_seq(nc, servers) == before
    assert await types_of(store, p) == ["PledgeMade"]


async def test_200_reporters_and_20_racing_revisions_lose_nothing_and_duplicate_nothing(
    service: None, nc: NATS, store: EventStore
) -> None:
    members = [member(i) for i in range(200)]
    pledges = [new_id() for _ in members]
    for step in ("MakePledge", "SubmitPledge", "ApprovePledge"):
        replies = await asyncio.gather(
            *(send(nc, step, _lifecycle(step, m, p)) for m, p in zip(members, pledges, strict=True))
        )
        assert all(r.ok for r in replies), [r.error for r in replies if not r.ok][:3]
    shared = pledges[0]
    revisions = [
        on(shared, revise(members[0], lines=[ledger_line(target_value=100 + i, responsible_member_id="m-000")]))
        for i in range(20)
    ]

    results = await asyncio.gather(
        *(send(nc, "ReportProgress", on(p, report(entry(current_value=i % 12), actor=m)))
          for i, (m, p) in enumerate(zip(members, pledges, strict=True))),
        *(send(nc, "RevisePledge", r) for r in revisions),
    )  # fmt: skip

    reports, revised = results[:200], results[200:]
    assert all(r.ok for r in reports), [r.error for r in reports if not r.ok][:3]
    for p in pledges[1:]:
        assert await types_of(store, p) == ["PledgeMade", "PledgeSubmitted", "PledgeApproved", "PledgePublished",
                                            "ProgressReported"]  # fmt: skip
    accepted = {c.command_id for c, r in zip(revisions, revised, strict=True) if r.ok}
    refused = [error_of(r)[0] for r in revised if not r.ok]
    assert accepted and set(refused) <= {"conflict", "rule_violated"}
    assert len(accepted) + len(refused) == 20
    log = await store.load(Boundary("pledges", shared))
    assert len({r.envelope.event_id for r in log}) == len(log)
    made_by = Counter(r.envelope.command_id for r in log if r.envelope.type == "PledgeRevised")
    assert made_by == Counter(accepted)
    chain = [r.event for r in log if isinstance(r.event, PledgeRevised)]
    assert [e.revision for e in chain] == list(range(1, len(chain) + 1))
    assert all(a.lines == b.previous_lines for a, b in pairwise(chain))
    assert Counter(r.envelope.type for r in log)["ProgressReported"] == 1


def _lifecycle(step: str, actor: Actor, pledge_id: str) -> Command:
    if step == "MakePledge":
        return pledge_by(actor, pledge_id)
    if step == "SubmitPledge":
        return on(pledge_id, submit(actor))
    return on(pledge_id, approve(HEAD))


async def test_another_organisation_cannot_touch_a_pledge_on_either_replica(
    service: None, nc: NATS, store: EventStore
) -> None:
    p = new_id()
    made = await send(nc, "MakePledge", make_pledge(p), "bureau-a")
    assert made.ok, made.error
    # several tries, so that both replicas (warm and cold caches) answer some
    refused = [await send(nc, "SubmitPledge", on(p, submit()), "bureau-b") for _ in range(4)]
    remade = await send(nc, "MakePledge", make_pledge(p), "bureau-b")

    for reply in (*refused, remade):
        assert error_of(reply) == ("forbidden", "organisation")
    assert [r.organisation for r in await store.load(Boundary("pledges", p))] == ["bureau-a"]
    assert (await send(nc, "SubmitPledge", on(p, submit()), "bureau-a")).ok


async def test_a_command_id_is_retried_only_by_its_sender_on_either_replica(
    service: None, nc: NATS, store: EventStore, servers: Servers
) -> None:
    p = new_id()
    assert (await send(nc, "MakePledge", make_pledge(p))).ok
    assert (await send(nc, "SubmitPledge", on(p, submit()))).ok
    approval = on(p, approve(HEAD))
    approved = await send(nc, "ApprovePledge", approval)
    assert approved.ok, approved.error
    before = await last_seq(nc, servers)

    # the office may approve pledges itself, so only the taken id can refuse it; several tries reach both replicas
    borrowed = approval.model_copy(update={"actor": OFFICE})
    refused = [await send(nc, "ApprovePledge", borrowed) for _ in range(4)]
    retried = await send(nc, "ApprovePledge", approval)

    assert {error_of(r) for r in refused} == {("rule_violated", "command_id_taken")}
    assert all(r.events == [] for r in refused)
    assert retried.duplicate and retried.events == approved.events
    assert await last_seq(nc, servers) == before


async def test_every_replica_freezes_what_it_keeps_so_full_collections_skip_it(service: None, nc: NATS) -> None:
    """The garbage-collection policy (shared/gcpolicy.py) is installed in each running replica."""
    replies = await ask_health(nc, "pledges", 1.0, lambda _: False)

    assert len(replies) == REPLICAS
    assert all(r["gc_frozen"] > 0 for r in replies), replies
