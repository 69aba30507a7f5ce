"""Broker permissions against a real nats-server started with deploy/nats/auth.conf and generated passwords.

A refused publish is silent on the wire: the server drops it and sends the connection an error, so each
refusal is asserted as a timeout (or nothing stored) plus a permissions violation on the error callback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.eventstore import EventStore, WrongExpectedSequence, stream_config
from shared.ids import new_id
from shared.logreader import LogReader
from shared.natsauth import client_options
from shared.runtime.embedded import EmbeddedNats
from shared.runtime.secure import NatsSecrets, init_secrets, start_secure_nats
from shared.settings import Settings
from shared.subjects import Boundary
from tests.support.builders import pending, pledge_made

STREAM = "PACESETTER"  # the name auth.conf grants
ORGANISATIONS = ("default", "bureau-b")
OTHER = "integration-bureau-b"
REFUSAL_WAIT_S = 1.0


@dataclass
class SecureBroker:
    url: str
    secrets: NatsSecrets


@dataclass
class Conn:
    nc: NATS
    errors: list[str] = field(default_factory=list)

    async def violation(self, subject_part: str) -> str:
        """The permissions violation naming `subject_part`, waited for a bounded time; fails if none came."""
        for _ in range(40):
            found = [e for e in self.errors if f"permissions violation for {subject_part}".lower() in e.lower()]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no permissions violation for {subject_part!r}; errors: {self.errors}")


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    root: Path = tmp_path_factory.mktemp("secure")
    secrets = init_secrets(root / "data", organisations=ORGANISATIONS)
    server: EmbeddedNats | None = None
    try:
        server = start_secure_nats(root / "nats", secrets, organisations=ORGANISATIONS)
        asyncio.run(_create_stream(server.url, secrets))
        yield SecureBroker(server.url, secrets)
    finally:
        if server is not None:
            server.stop()


async def _create_stream(url: str, secrets: NatsSecrets) -> None:
    nc = await nats.connect(url, **_options(url, secrets, "operator"))
    try:
        await EventStore(nc, STREAM).ensure_stream()
    finally:
        await nc.close()


def _options(url: str, secrets: NatsSecrets, user: str) -> dict[str, object]:
    settings = Settings(nats_url=url, **{k.lower(): v for k, v in secrets.client_env(user).items()})
    return client_options(settings)


@asynccontextmanager
async def connected(secure: SecureBroker, user: str) -> AsyncIterator[Conn]:
    conn = Conn(nc=NATS())

    async def on_error(exc: Exception) -> None:
        conn.errors.append(str(exc))

    await conn.nc.connect(secure.url, error_cb=on_error, **_options(secure.url, secure.secrets, user))
    try:
        yield conn
    finally:
        await conn.nc.close()


async def last_seq(secure: SecureBroker) -> int:
    async with connected(secure, "operator") as op:
        info = await op.nc.jetstream().stream_info(STREAM)
        return int(info.state.last_seq)


async def append_pledge(conn: Conn, context: str = "pledges", events: int = 1, organisation: str = "default") -> int:
    b = Boundary(context, new_id(), organisation)
    made = pledge_made(b.id)
    cid = new_id()
    appended = await EventStore(conn.nc, STREAM, timeout=REFUSAL_WAIT_S).append(
        b, [pending(made, cid, i) for i in range(events)], expected=0
    )
    return appended[-1].seq


# --- refused -------------------------------------------------------------------------------------------


async def test_integration_user_cannot_append_an_event(secure: SecureBroker) -> None:
    before = await last_seq(secure)
    async with connected(secure, "integration") as it:
        with pytest.raises(NatsTimeout):
            await it.nc.jetstream(timeout=REFUSAL_WAIT_S).publish("ps.evt.pledges.default.p1.PledgeMade", b"{}")
        await it.violation('publish to "ps.evt.pledges.default.p1.PledgeMade"')
    assert await last_seq(secure) == before


Admin = Callable[[NATS], Awaitable[object]]
ADMIN_ACTIONS: dict[str, tuple[str, Admin]] = {
    "purge": ("$JS.API.STREAM.PURGE", lambda nc: nc.jetstream(timeout=REFUSAL_WAIT_S).purge_stream(STREAM)),
    "delete": ("$JS.API.STREAM.DELETE", lambda nc: nc.jetstream(timeout=REFUSAL_WAIT_S).delete_stream(STREAM)),
    "delete message": (
        "$JS.API.STREAM.MSG.DELETE",
        lambda nc: nc.jetstream(timeout=REFUSAL_WAIT_S).delete_msg(STREAM, 1),
    ),
    "update": ("$JS.API.STREAM.UPDATE", lambda nc: _update_stream(nc)),
}


async def _update_stream(nc: NATS) -> object:
    config = stream_config(STREAM, 1, 120.0)  # built here: integration users may not read the stream's info
    config.deny_purge = False
    return await nc.jetstream(timeout=REFUSAL_WAIT_S).update_stream(config)


@pytest.mark.parametrize("user", ["integration", OTHER, "pledges", "projections"])
@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
async def test_only_the_operator_may_purge_delete_or_update_the_stream(
    secure: SecureBroker, user: str, action: str
) -> None:
    async with connected(secure, "pledges") as svc:
        await append_pledge(svc)
    before = await last_seq(secure)
    api_subject, act = ADMIN_ACTIONS[action]
    async with connected(secure, user) as conn:
        with pytest.raises(NatsTimeout):
            await act(conn.nc)
        await conn.violation(f'publish to "{api_subject}.{STREAM}')
    async with connected(secure, "operator") as op:
        info = await op.nc.jetstream().stream_info(STREAM)
    assert info.state.last_seq == before and info.state.messages == before
    assert info.config.deny_purge and info.config.deny_delete


@pytest.mark.parametrize("user", ["pledges", "projections"])
@pytest.mark.parametrize("events", [1, 3])
async def test_a_service_cannot_append_to_another_context(secure: SecureBroker, user: str, events: int) -> None:
    before = await last_seq(secure)
    async with connected(secure, user) as conn:
        with pytest.raises(NatsTimeout):
            await append_pledge(conn, "campaigns", events)
        await conn.violation('publish to "ps.evt.campaigns.')
    assert await last_seq(secure) == before


async def test_a_service_cannot_answer_another_contexts_commands(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        await svc.nc.subscribe("ps.cmd.campaigns.*.LaunchCampaign", queue="campaigns")
        await svc.violation('subscription to "ps.cmd.campaigns.*.LaunchCampaign"')
        await svc.nc.subscribe("ps.cmd.pledges.*.MakePledge")  # its own commands, but outside its queue group
        await svc.violation('subscription to "ps.cmd.pledges.*.MakePledge"')


async def test_nobody_reads_another_users_replies(secure: SecureBroker) -> None:
    async with connected(secure, "integration") as it:
        await it.nc.subscribe("_INBOX.pledges.>")
        await it.violation('subscription to "_INBOX.pledges.>"')


# --- allowed -------------------------------------------------------------------------------------------


async def test_a_service_appends_its_events_with_expected_sequences_and_atomic_batches(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        store = EventStore(svc.nc, STREAM)
        b = Boundary("pledges", new_id())
        first = await store.append(b, [pending(pledge_made(b.id))], expected=0)
        cid = new_id()
        batch = await store.append(b, [pending(pledge_made(b.id), cid, i) for i in range(3)], expected=first[0].seq)
        with pytest.raises(WrongExpectedSequence):
            await store.append(b, [pending(pledge_made(b.id))], expected=first[0].seq)
        assert await store.last_sequence(b) == batch[-1].seq
        assert [r.seq for r in await store.load(b)] == [first[0].seq, *(a.seq for a in batch)]
        assert svc.errors == []


async def test_projections_append_score_adjustments(secure: SecureBroker) -> None:
    async with connected(secure, "projections") as proj:
        seq = await append_pledge(proj, "scores")
        assert seq == await last_seq(secure)


async def test_integration_sends_a_command_and_a_service_replies(secure: SecureBroker) -> None:
    async def respond(msg: Msg) -> None:
        await msg.respond(b'{"accepted": true, "echo": ' + msg.data + b"}")

    async with connected(secure, "pledges") as svc, connected(secure, "integration") as it:
        await svc.nc.subscribe("ps.cmd.pledges.>", queue="pledges", cb=respond)
        await svc.nc.flush()
        reply = await it.nc.request("ps.cmd.pledges.default.MakePledge", b'{"n": 1}', timeout=2)
        assert reply.data == b'{"accepted": true, "echo": {"n": 1}}'
        assert reply.subject.startswith("_INBOX.integration.")
        assert it.errors == [] and svc.errors == []


async def test_integration_reads_events_with_its_own_durable_consumer(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        seq = await append_pledge(svc)
    async with connected(secure, "integration") as it:
        js = it.nc.jetstream(timeout=2)
        name = "default"  # the one consumer name the organisation's user may use
        sub = await js.pull_subscribe("ps.evt.*.default.>", durable=name, stream=STREAM, config=_from_seq(seq, name))
        msgs = await sub.fetch(1, timeout=2)
        await msgs[0].ack()
        assert msgs[0].metadata.sequence.stream == seq
        assert (await js.consumer_info(STREAM, name)).config.durable_name == name
        await js.delete_consumer(STREAM, name)
        assert it.errors == []


def _from_seq(seq: int, name: str) -> ConsumerConfig:
    return ConsumerConfig(
        name=name,
        durable_name=name,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=seq,
    )


async def test_projections_read_the_whole_log(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        await append_pledge(svc)
    until = await last_seq(secure)
    async with connected(secure, "projections") as proj:
        seen = [raw.seq async for batch in LogReader(proj.nc, STREAM, batch=50).batches(0, until) for raw in batch]
        assert seen == list(range(1, until + 1))
        assert proj.errors == []


# --- organisations -------------------------------------------------------------------------------------


async def test_an_organisations_integration_user_cannot_send_another_organisations_commands(
    secure: SecureBroker,
) -> None:
    async with connected(secure, OTHER) as it:
        with pytest.raises(NatsTimeout):
            await it.nc.request("ps.cmd.pledges.default.MakePledge", b"{}", timeout=REFUSAL_WAIT_S)
        await it.violation('publish to "ps.cmd.pledges.default.MakePledge"')


async def test_an_organisations_integration_user_sees_only_its_own_events(secure: SecureBroker) -> None:
    async with connected(secure, OTHER) as it:
        live = await it.nc.subscribe("ps.evt.*.bureau-b.>")
        await it.nc.subscribe("ps.evt.*.default.>")
        await it.violation('subscription to "ps.evt.*.default.>"')
        await it.nc.flush()
        async with connected(secure, "pledges") as svc:
            await append_pledge(svc, organisation="default")
            mine = await append_pledge(svc, organisation="bureau-b")
        msg = await live.next_msg(timeout=2)
        assert msg.subject.split(".")[3] == "bureau-b"
        with pytest.raises(NatsTimeout):
            await live.next_msg(timeout=0.3)  # the default organisation's event never arrived
        assert mine == await last_seq(secure)


@pytest.mark.parametrize(
    ("name", "subject_filter"),
    [
        ("default", "ps.evt.*.default.>"),
        ("bureau-b", "ps.evt.>"),
        ("bureau-b", "ps.evt.*.default.>"),
        ("x", "ps.evt.*.bureau-b.>"),
    ],
)
async def test_an_organisations_consumer_must_be_its_own_and_filtered_to_it(
    secure: SecureBroker, name: str, subject_filter: str
) -> None:
    async with connected(secure, OTHER) as it:
        config = _from_seq(1, name)
        config.filter_subject = subject_filter
        with pytest.raises(NatsTimeout):
            await it.nc.jetstream(timeout=REFUSAL_WAIT_S).add_consumer(STREAM, config)
        await it.violation(f'publish to "$JS.API.CONSUMER.CREATE.{STREAM}.{name}')


async def test_an_organisations_consumer_reads_its_events_only(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        first = await append_pledge(svc, organisation="bureau-b")
        await append_pledge(svc, organisation="default")
        second = await append_pledge(svc, organisation="bureau-b")
    async with connected(secure, OTHER) as it:
        js = it.nc.jetstream(timeout=2)
        config = _from_seq(first, "bureau-b")
        sub = await js.pull_subscribe("ps.evt.*.bureau-b.>", durable="bureau-b", stream=STREAM, config=config)
        msgs = await sub.fetch(2, timeout=2)
        for m in msgs:
            await m.ack()
        assert [m.metadata.sequence.stream for m in msgs] == [first, second]
        await js.delete_consumer(STREAM, "bureau-b")
        assert it.errors == []


async def test_an_organisations_user_cannot_direct_get_another_organisations_events(secure: SecureBroker) -> None:
    async with connected(secure, "pledges") as svc:
        await append_pledge(svc, organisation="default")
    async with connected(secure, OTHER) as it:
        for subject in (f"$JS.API.DIRECT.GET.{STREAM}.ps.evt.*.default.>", f"$JS.API.DIRECT.GET.{STREAM}"):
            with pytest.raises(NatsTimeout):
                await it.nc.request(subject, b"", timeout=REFUSAL_WAIT_S)
            await it.violation(f'publish to "{subject}"')
