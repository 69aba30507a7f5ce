"""The campaigns service as a process on the session's real servers: launch, roster import, authorisation."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.campaigns.commands import CampaignCommand
from services.campaigns.directory import Directory, units_boundary
from services.campaigns.roster import read_roster
from shared.commands import Reply
from shared.events import Actor
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.subjects import Boundary, command_subject
from tests.conftest import Servers
from tests.support.campaign_commands import every_command
from tests.support.campaigns import ADMIN, COMMITTEE, OFFICE, enrol, head_of, launch, member_actor, register
from tests.support.processes import healthy

FIXTURES = Path(__file__).parent.parent / "fixtures"
ROOT = Path(__file__).parent.parent.parent


@pytest_asyncio.fixture(scope="module")
async def campaigns(
    servers: Servers, nc: NATS, store: EventStore, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    """The service once it answers its health request (it dies loudly if it cannot start)."""
    async with healthy(servers.env(), tmp_path_factory.mktemp("campaigns-service"), ["campaigns"], nc):
        yield


async def send(nc: NATS, cmd: CampaignCommand, organisation: str = "default") -> Reply:
    subject = command_subject("campaigns", type(cmd).__name__, organisation)
    msg = await nc.request(subject, cmd.model_dump_json().encode(), timeout=10)
    return Reply.model_validate_json(msg.data)


async def last_seq(nc: NATS, servers: Servers) -> int:
    return int((await nc.jetstream().stream_info(servers.stream)).state.last_seq)


def import_roster(servers: Servers, path: Path, campaign_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.roster", "import", str(path), "--campaign", campaign_id],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest_asyncio.fixture(scope="module")
async def seeded(campaigns: None, nc: NATS, servers: Servers) -> tuple[str, subprocess.CompletedProcess[str]]:
    """The seed campaign, launched over NATS, with the seed roster imported from the CLI."""
    campaign_id = "c-" + new_id()
    reply = await send(nc, launch(campaign_id))
    assert reply.ok, reply.error
    return campaign_id, await asyncio.to_thread(import_roster, servers, FIXTURES / "roster_seed.csv", campaign_id)


async def test_the_seed_campaign_is_launched_with_its_quotas_and_points(seeded, store: EventStore) -> None:
    campaign = await Directory(store).campaign(seeded[0])
    flag, star = (
        campaign.category("vanguard_flag", date(2026, 6, 1)),
        campaign.category("model_star", date(2026, 12, 1)),
    )
    assert flag is not None and star is not None
    assert [(flag.quota, flag.points), (star.quota, star.points)] == [(4, 1), (8, 0.5)]
    assert [e.envelope.type for e in await store.load(Boundary("campaigns", seeded[0]))] == ["CampaignLaunched"]


async def test_the_roster_import_registers_12_units_and_enrols_80_members(seeded, store: EventStore) -> None:
    campaign_id, result = seeded
    assert result.returncode == 0, result.stdout + result.stderr
    assert "92 rows: 92 applied, 0 already imported, 0 unchanged, 0 rejected" in result.stdout
    directory = Directory(store)
    tree = await directory.units(campaign_id)
    assert len(tree.units) == 12
    assert tree.parent("u-dangxiaozu-1") == "u-jiguan-dzb"
    rows = [r.command for r in read_roster(FIXTURES / "roster_seed.csv", campaign_id, OFFICE) if r.kind == "member"]
    members = [await directory.member(campaign_id, r.member_id) for r in rows if r is not None]
    assert [(m.status, m.unit_id) for m in members] == [("enrolled", r.unit_id) for r in rows if r is not None]
    assert sum(len(m.roles) for m in members) == sum(len(r.roles) for r in rows if r is not None)


async def test_importing_the_same_roster_again_appends_nothing(seeded, nc: NATS, servers: Servers) -> None:
    before = await last_seq(nc, servers)
    again = await asyncio.to_thread(import_roster, servers, FIXTURES / "roster_seed.csv", seeded[0])
    as_json = await asyncio.to_thread(import_roster, servers, FIXTURES / "roster_seed.json", seeded[0])
    assert (again.returncode, as_json.returncode) == (0, 0), again.stdout + as_json.stdout
    assert "92 rows: 0 applied, 92 already imported" in again.stdout
    assert "92 rows: 0 applied, 92 already imported" in as_json.stdout
    assert await last_seq(nc, servers) == before


async def test_a_json_roster_enrols_into_another_campaign(campaigns, nc: NATS, servers: Servers, store) -> None:
    campaign_id = "c-" + new_id()
    assert (await send(nc, launch(campaign_id))).ok
    result = await asyncio.to_thread(import_roster, servers, FIXTURES / "roster_seed.json", campaign_id)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len((await Directory(store).units(campaign_id)).units) == 12


async def test_bad_rows_are_reported_one_by_one_and_append_nothing(seeded, nc: NATS, servers, store) -> None:
    campaign_id = seeded[0]
    before = await last_seq(nc, servers)
    result = await asyncio.to_thread(import_roster, servers, FIXTURES / "roster_bad.csv", campaign_id)
    assert result.returncode == 1
    rejected = sorted(line for line in result.stdout.splitlines() if line.startswith("rejected"))
    assert [line.split(":")[0] for line in rejected] == [
        "rejected line 10 team t-1",
        "rejected line 11 member m-105",
        "rejected line 4 member m-102",
        "rejected line 5 member m-001",
        "rejected line 6 member m-103",
        "rejected line 7 member m.104",
        "rejected line 8 unit u-renshi",
        "rejected line 9 unit u-ghost",
    ]
    reasons = " | ".join(rejected)
    for expected in ("not_found: unit u-nowhere", "member_in_one_unit", "ids_unique", "unit u-missing-parent"):
        assert expected in reasons
    assert "11 rows: 3 applied, 0 already imported, 0 unchanged, 8 rejected" in result.stdout
    assert await last_seq(nc, servers) == before + 5  # u-jixie; m-101 and m-106 with one role each
    assert (await Directory(store).member(campaign_id, "m-001")).unit_id == "u-party-committee"


async def test_a_unit_cycle_over_nats_is_a_named_rule_and_appends_nothing(seeded, nc: NATS, servers, store) -> None:
    from services.campaigns.commands import MoveUnit

    before = await last_seq(nc, servers)
    move = MoveUnit(
        command_id=new_id(), actor=OFFICE, campaign_id=seeded[0], unit_id="u-jiguan-dzb", parent_id="u-dangxiaozu-2"
    )
    reply = await send(nc, move)
    assert reply.error is not None and (reply.error.code, reply.error.rule) == ("rule_violated", "unit_tree_acyclic")
    assert await last_seq(nc, servers) == before


async def test_an_invalid_payload_is_a_validation_error(campaigns, nc: NATS, servers) -> None:
    before = await last_seq(nc, servers)
    msg = await nc.request(command_subject("campaigns", "LaunchCampaign"), b'{"campaign_id": "x.y"}', timeout=10)
    reply = Reply.model_validate_json(msg.data)
    assert reply.error is not None and reply.error.code == "validation_error"
    assert await last_seq(nc, servers) == before


FORBIDDEN_ACTORS = [member_actor("m-005", "u-jiguan-dzb"), head_of("u-caiwu", "m-007"), COMMITTEE]


@pytest.mark.parametrize("actor", FORBIDDEN_ACTORS, ids=lambda a: a.role.value)
async def test_the_authorisation_matrix_over_nats(seeded, nc: NATS, servers, actor: Actor) -> None:
    before = await last_seq(nc, servers)
    refused = []
    for cmd in every_command(seeded[0], actor):
        reply = await send(nc, cmd)
        refused.append((type(cmd).__name__, reply.error.code if reply.error else "accepted"))
    assert refused == [(name, "forbidden") for name, _ in refused]
    assert len(refused) == 11
    assert await last_seq(nc, servers) == before


async def test_a_unit_head_names_their_own_units_pair_and_files_its_gap_report(seeded, nc: NATS, store) -> None:
    commands = every_command(seeded[0], head_of("u-gongye", "m-006"))
    [name_pair, file_report] = [c for c in commands if type(c).__name__ in ("NameBenchmarkPair", "FileGapReport")]
    assert [(await send(nc, c)).ok for c in (name_pair, file_report)] == [True, True]
    loaded = await store.load(Boundary("campaigns", units_boundary(seeded[0])))
    assert [e.envelope.type for e in loaded[-2:]] == ["BenchmarkPairNamed", "GapReportFiled"]


async def test_admin_may_do_what_the_office_does(seeded, nc: NATS) -> None:
    commands = every_command(seeded[0], ADMIN)
    transfer = next(c for c in commands if type(c).__name__ == "TransferMember")
    assert (await send(nc, transfer)).ok


async def test_an_organisation_never_touches_another_organisations_campaign(
    campaigns: None, nc: NATS, store: EventStore, servers: Servers
) -> None:
    campaign_id = "c-" + new_id()
    launched = await send(nc, launch(campaign_id), "bureau-a")
    assert launched.ok, launched.error
    assert launched.events[0].subject == f"ps.evt.campaigns.bureau-a.{campaign_id}.CampaignLaunched"
    before = await last_seq(nc, servers)

    refused = [
        await send(nc, launch(campaign_id), "bureau-b"),  # the id is taken in the whole deployment
        await send(nc, register("u-b1", campaign_id=campaign_id), "bureau-b"),  # reads A's campaign to decide
        await send(nc, enrol("m-b1", "u-b1").model_copy(update={"campaign_id": campaign_id}), "bureau-b"),
    ]
    for reply in refused:
        assert reply.error is not None and (reply.error.code, reply.error.rule) == ("forbidden", "organisation")
    assert await last_seq(nc, servers) == before

    registered = await send(nc, register("u-a1", campaign_id=campaign_id), "bureau-a")
    assert registered.ok, registered.error
    assert [e.subject.split(".")[3] for e in registered.events] == ["bureau-a"]
    assert [e.envelope.type for e in await store.load(Boundary("campaigns", campaign_id))] == ["CampaignLaunched"]


async def test_a_command_on_a_malformed_organisation_token_is_refused(campaigns: None, nc: NATS) -> None:
    msg = await nc.request(
        "ps.cmd.campaigns.b$d.LaunchCampaign", launch("c-" + new_id()).model_dump_json().encode(), 10
    )
    reply = Reply.model_validate_json(msg.data)
    assert reply.error is not None and reply.error.code == "validation_error" and "organisation" in reply.error.message
