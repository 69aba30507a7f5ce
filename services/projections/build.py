"""Build projections into a schema up to a sequence, then exit (rebuilds, point-in-time, tests).

python -m services.projections.build --schema side_1 [--until SEQ] [--batch N] [projection ...]
Resumes from the schema's checkpoints; prints one JSON line; exits 1 if a projection stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import structlog

from services.projections import catalog
from services.projections.connect import connect_nats, database_url
from services.projections.runner import Outcome, ProjectionRunner
from shared.logfanout import SharedLog
from shared.logging import configure_logging
from shared.settings import Settings, get_settings


async def build(
    settings: Settings, schema: str, until: int | None, batch: int, names: list[str] | None = None
) -> tuple[int, dict[str, Outcome]]:
    """(the sequence built to, outcome per projection); `until` None means the log's last sequence now."""
    projections = catalog.select(names)
    nc = await connect_nats(settings)
    try:
        if until is None:
            until = int((await nc.jetstream().stream_info(settings.stream_name)).state.last_seq)
        log = SharedLog(nc, settings.stream_name, batch)
        dsn = database_url(settings)
        runners = [
            ProjectionRunner(p, nc, dsn, settings.stream_name, schema, batch=batch, until=until, log=log)
            for p in projections
        ]
        outcomes = await asyncio.gather(*(r.run() for r in runners))
        return until, {r.projection.name: o for r, o in zip(runners, outcomes, strict=True)}
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m services.projections.build", description=__doc__)
    parser.add_argument("--schema", required=True, help="target PostgreSQL schema (created if missing)")
    parser.add_argument("--until", type=int, default=None, help="last sequence to apply (default: the log's end)")
    parser.add_argument("--batch", type=int, default=settings.build_batch, help="events per transaction")
    parser.add_argument("projections", nargs="*", help=f"default: all of {sorted(catalog.PROJECTIONS)}")
    args = parser.parse_args(argv)
    configure_logging(settings.log_level, settings.log_json)
    structlog.contextvars.bind_contextvars(service="projections.build")
    until, outcomes = asyncio.run(build(settings, args.schema, args.until, args.batch, args.projections or None))
    print(json.dumps({"schema": args.schema, "until": until, "outcomes": outcomes}), flush=True)
    return 0 if all(o == "finished" for o in outcomes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
