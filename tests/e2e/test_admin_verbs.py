"""The admin verbs on the demo campaign: audit verify, point-in-time replay, blue/green rebuild, idempotent demo.

One stack (`pacesetter up` on the session's servers, its own read schema) with `pacesetter demo` loaded.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
import pytest_asyncio

from tests.conftest import Servers
from tests.e2e.demo_stack import DemoStack, demo_stack

CAMPAIGN = "c-demo-2026"
H1_UNITS = f"/campaigns/{CAMPAIGN}/leaderboard?kind=unit&period=2026-H1&limit=100"


@pytest.fixture(scope="module")
def stack(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    with demo_stack(servers, tmp_path_factory.mktemp("admin")) as s:
        yield s


@pytest_asyncio.fixture
async def db(stack: DemoStack) -> AsyncIterator[asyncpg.Connection]:
    con = await asyncpg.connect(stack.database_url, server_settings={"search_path": stack.schema})
    yield con
    await con.close()


def test_a_second_demo_appends_nothing(stack: DemoStack) -> None:
    before = stack.settled()
    done = stack.cli("demo")
    assert done.returncode == 0, done.stderr
    assert " 0 commands applied" in done.stdout, done.stdout
    assert stack.settled() == before


async def test_audit_verify_passes_then_names_the_row_altered_by_hand(stack: DemoStack, db: asyncpg.Connection) -> None:
    done = stack.cli("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intact" in done.stdout
    seq, subject, data = await db.fetchrow(
        "select seq, subject, data from audit_trail where type = 'AwardRevoked' and campaign_id = $1", CAMPAIGN
    )
    await db.execute("update audit_trail set data = jsonb_set(data, '{reason}', '\"无\"') where seq = $1", seq)
    try:
        done = stack.cli("audit", "verify")
    finally:
        await db.execute("update audit_trail set data = $2::jsonb where seq = $1", seq, data)
    assert done.returncode == 1, done.stdout
    assert f"at seq {seq}" in done.stdout and subject in done.stdout.replace("\n", "")
    assert "field data" in done.stdout
    assert stack.cli("audit", "verify").returncode == 0


async def _stored_at(stack: DemoStack, seq: int) -> str:
    nc = await nats.connect(stack.up.info["nats_url"])
    try:
        msg = await nc.jetstream().get_msg(stack.up.info["stream"], seq=seq)
    finally:
        await nc.close()
    assert msg.time is not None
    return msg.time.isoformat()


async def test_a_point_in_time_before_the_h1_awards_shows_no_flags(stack: DemoStack, db: asyncpg.Connection) -> None:
    grants = await db.fetch(
        "select seq from audit_trail where type = 'AwardGranted' and campaign_id = $1"
        " and data->>'category_id' = 'vanguard_flag' and data->>'period' = '2026-H1' order by seq",
        CAMPAIGN,
    )
    assert len(grants) == 4
    first, last = grants[0]["seq"], grants[-1]["seq"]
    before = await _stored_at(stack, first - 1)
    for schema, until in (("asof_before_h1", before), ("asof_after_h1", str(last))):
        done = stack.cli("replay", "--until", until, "--into", schema, "--replace", "boards", "scores_board")
        assert done.returncode == 0, done.stdout + done.stderr
    assert f"as of sequence {first - 1}" in stack.cli("replay", "--until", before, "--into", "asof_again",
                                                      "--replace", "boards").stdout  # fmt: skip
    flags = "select count(*) from {}.awards where campaign_id = $1 and category_id = 'vanguard_flag'"
    assert await db.fetchval(flags.format("asof_before_h1"), CAMPAIGN) == 0
    assert await db.fetchval(flags.format("asof_after_h1"), CAMPAIGN) == 4
    points = "select coalesce(sum(points), 0) from {}.score_totals where campaign_id = $1 and period = '2026-H1'"
    assert await db.fetchval(points.format("asof_before_h1"), CAMPAIGN) == 0
    assert await db.fetchval(flags.format(stack.schema), CAMPAIGN) == 8  # live: H1 and H2


def _gongye_h1(stack: DemoStack) -> float:
    return _points(httpx.get(stack.http + H1_UNITS).json(), "u-gongye")


def _points(board: dict[str, object], unit: str) -> float:
    items = board["items"]
    assert isinstance(items, list)
    return float(next(i["points"] for i in items if i["subject_id"] == unit))


async def test_rebuild_switches_atomically_while_reads_go_on(stack: DemoStack, db: asyncpg.Connection) -> None:
    stack.settled()
    await db.execute(
        "update score_totals set points = 99 where campaign_id = $1 and subject_id = 'u-gongye'"
        " and period = '2026-H1' and subject_kind = 'unit'",
        CAMPAIGN,
    )
    assert _gongye_h1(stack) == 99  # the old (tampered) tables serve
    seen: list[tuple[int, float | None]] = []
    done = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=stack.http, timeout=30) as client:
            while not done.is_set():
                r = client.get(H1_UNITS)
                seen.append((r.status_code, _points(r.json(), "u-gongye") if r.status_code == 200 else None))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        rebuilt = stack.cli("rebuild", "scores_board")
    finally:
        done.set()
        reader.join()
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "switched" in rebuilt.stdout
    assert {code for code, _ in seen} == {200}
    values = [v for _, v in seen]
    first_new = values.index(1.0) if 1.0 in values else len(values)
    assert set(values[:first_new]) <= {99.0} and set(values[first_new:]) <= {1.0}  # old, then new, never back
    assert _gongye_h1(stack) == 1.0
    assert stack.cli("audit", "verify").returncode == 0
    assert not await db.fetchval("select exists (select 1 from pg_namespace where nspname like $1)", "%_next_%")


def test_status_shows_each_projection_with_its_lag(stack: DemoStack) -> None:
    stack.settled()
    done = stack.cli("status")
    assert done.returncode == 0, done.stdout
    for name in ("audit_trail", "boards", "pledge_board", "scores_board"):
        assert f"projection {name}" in done.stdout
    assert "0 behind the log" in done.stdout


def test_export_writes_csv_and_json_with_filters(stack: DemoStack, tmp_path: Path) -> None:
    import csv
    import json

    out = tmp_path / "grants.csv"
    assert stack.cli("export", "--type", "AwardGranted", "--output", str(out)).returncode == 0
    rows = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["campaign_id"] == CAMPAIGN]
    assert len(rows) == 24 and {r["type"] for r in rows} == {"AwardGranted"}  # 2 halves x (4 flags + 8 stars)
    done = stack.cli("audit", "export", "--format", "json", "--type", "AwardRevoked", "--actor", "m-secretary-wang")
    revoked = [e for e in json.loads(done.stdout) if e["campaign_id"] == CAMPAIGN]
    assert [e["data"]["reason"] for e in revoked] == ["经复查，事迹材料与实际不符"]
