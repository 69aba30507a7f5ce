"""The HR integration example (plain nats-py) against the running stack: a durable consumer that survives
a crash without missing or double-counting an event, and a roster update sent as a command."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from nats.aio.client import Client as NATS

from services.campaigns.commands import CampaignCommand
from shared.commands import Reply
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.subjects import command_subject
from tests.conftest import Servers
from tests.support.campaigns import OFFICE, launch, register
from tests.support.processes import healthy
from tests.support.scores import boundary_of, envelope, granted

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hr_integration.py"


def run_example(servers: Servers, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), "--nats", servers.nats_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def append_grants(store: EventStore, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        event = granted(new_id(), award_id=new_id())
        pending = envelope(event)
        boundary = boundary_of(event)
        await store.append(boundary, [pending], expected=await store.last_sequence(boundary))
        ids.append(pending.envelope.event_id)
    return ids


async def test_the_consumer_survives_a_crash_without_missing_or_repeating(
    servers: Servers, nc: NATS, store: EventStore, tmp_path: Path
) -> None:
    start = (await nc.jetstream().stream_info(servers.stream)).state.last_seq + 1
    expected = await append_grants(store, 12)
    db = tmp_path / "hr.sqlite"
    consume = ["consume", "--db", str(db), "--stream", servers.stream, "--durable", f"hr-{new_id()}"]
    consume += ["--from-seq", str(start), "--ack-wait", "1", "--idle-exit", "3"]

    crashed = run_example(servers, *consume, "--crash-after", "5")
    later = await append_grants(store, 4)
    resumed = run_example(servers, *consume)

    assert crashed.returncode == 137, crashed.stderr
    assert resumed.returncode == 0, resumed.stderr
    rows = sqlite3.connect(db).execute("select event_id from processed order by seq").fetchall()
    assert [r[0] for r in rows] == expected + later
    assert json.loads(resumed.stdout)["applied"] == len(expected) + len(later) - 5


async def send(nc: NATS, cmd: CampaignCommand) -> Reply:
    msg = await nc.request(command_subject("campaigns", type(cmd).__name__), cmd.model_dump_json().encode(), timeout=10)
    return Reply.model_validate_json(msg.data)


async def test_a_roster_update_is_sent_as_a_command_and_its_reply_checked(
    servers: Servers, nc: NATS, tmp_path: Path
) -> None:
    campaign = f"c-{new_id()}"
    async with healthy(servers.env(), tmp_path / "logs", ["campaigns"], nc):
        assert (await send(nc, launch(campaign))).ok
        assert (await send(nc, register("u-hr-1", campaign_id=campaign))).ok
        row = ["--campaign", campaign, "--member", "m-hr-1", "--name", "王芳", "--unit", "u-hr-1"]
        row += ["--actor-member", OFFICE.member_id, "--actor-role", OFFICE.role.value]

        first = run_example(servers, "enrol", *row)
        again = run_example(servers, "enrol", *row)
        elsewhere = ["--member", "m-hr-2", "--unit", "u-nowhere"]
        unknown_unit = run_example(servers, "enrol", *row[:2], "--name", "李强", *elsewhere, *row[8:])

    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert json.loads(first.stdout)["events"][0]["type"] == "MemberEnrolled"
    assert json.loads(again.stdout)["duplicate"] is True
    assert unknown_unit.returncode == 1
    assert json.loads(unknown_unit.stdout)["error"]["code"] in {"not_found", "rule_violated"}
