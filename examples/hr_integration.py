#!/usr/bin/env python3
"""How an HR system integrates with Pacesetter, with nothing but nats-py and the standard library.

  consume  a durable JetStream consumer of the organisation's events (ps.evt.*.<organisation>.>), of which
           it keeps AwardGranted and ScoreAdjusted. Each event is recorded in a
           local SQLite file in the same transaction as its effect (points per person) and only then
           acknowledged, so a crash at any moment neither loses nor double-counts an event: a
           redelivered event is found by its event_id and only acknowledged again.
  enrol    a roster update (EnrolMember) sent as a command; the reply is checked. The command id is
           derived from the row, so sending the same row again is answered `duplicate`, not applied twice.

  python examples/hr_integration.py consume --nats nats://127.0.0.1:4222 --db hr.sqlite
  python examples/hr_integration.py enrol --nats … --campaign c-2026 --member m-1 --name 张伟 --unit u-1 \
      --actor-member m-hr --actor-role office
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import uuid

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

WANTED = {"AwardGranted", "ScoreAdjusted"}
DEFAULT_ORGANISATION = os.environ.get("ORGANISATION", "default")


def events_of(organisation: str) -> str:
    """All events of one organisation: the only filter a scoped integration user may consume."""
    return f"ps.evt.*.{organisation}.>"


SCHEMA = """
create table if not exists processed (event_id text primary key, type text, seq integer, subject text);
create table if not exists points (person text primary key, kind text, total real not null);
"""


def effect(db: sqlite3.Connection, env: dict) -> None:
    """What HR does with an event: here, keep each person's points from ScoreAdjusted."""
    if env["type"] == "ScoreAdjusted":
        subject = env["data"]["subject"]
        db.execute(
            "insert into points values (?, ?, ?) on conflict(person) do update set total = total + excluded.total",
            (subject["id"], subject["kind"], env["data"]["points"]),
        )


def record(db: sqlite3.Connection, msg: nats.aio.msg.Msg) -> bool:
    """Apply the event once; False if it had been applied before (a redelivery) or is not wanted."""
    if msg.subject.rsplit(".", 1)[-1] not in WANTED:
        return False
    env = json.loads(msg.data)
    with db:  # one SQLite transaction: the dedup row and the effect commit together
        try:
            db.execute(
                "insert into processed values (?, ?, ?, ?)",
                (env["event_id"], env["type"], msg.metadata.sequence.stream, msg.subject),
            )
        except sqlite3.IntegrityError:
            return False
        effect(db, env)
    return True


async def ensure_consumer(js: nats.js.JetStreamContext, args: argparse.Namespace) -> None:
    durable = args.durable or args.organisation
    try:
        await js.consumer_info(args.stream, durable)
    except NotFoundError:
        start = {"deliver_policy": DeliverPolicy.ALL}
        if args.from_seq:
            start = {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": args.from_seq}
        await js.add_consumer(
            args.stream,
            ConsumerConfig(
                name=durable,  # with one filter subject, nats-py creates it on a subject the broker can scope
                durable_name=durable,
                filter_subject=events_of(args.organisation),
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=args.ack_wait,
                **start,
            ),
        )


async def consume(args: argparse.Namespace) -> int:
    db = sqlite3.connect(args.db)
    db.executescript(SCHEMA)
    nc = await nats.connect(args.nats)
    js = nc.jetstream()
    await ensure_consumer(js, args)
    sub = await js.pull_subscribe_bind(args.durable or args.organisation, args.stream)
    applied = idle = 0
    while idle < args.idle_exit:
        try:
            msgs = await sub.fetch(50, timeout=1)
        except (TimeoutError, nats.errors.TimeoutError):
            idle += 1
            continue
        idle = 0
        for msg in msgs:
            if record(db, msg):
                applied += 1
                if args.crash_after and applied == args.crash_after:
                    os._exit(137)  # as a crash would: committed locally, never acknowledged
            await msg.ack()
    print(json.dumps({"applied": applied}))
    await nc.close()
    return 0


async def enrol(args: argparse.Namespace) -> int:
    command_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hr:{args.campaign}:{args.member}:{args.unit}:{args.name}"))
    command = {
        "command_id": command_id,
        "actor": {"member_id": args.actor_member, "role": args.actor_role},
        "campaign_id": args.campaign,
        "member_id": args.member,
        "name": args.name,
        "unit_id": args.unit,
    }
    nc = await nats.connect(args.nats)
    subject = f"ps.cmd.campaigns.{args.organisation}.EnrolMember"
    reply = json.loads((await nc.request(subject, json.dumps(command).encode(), 5)).data)
    await nc.close()
    print(json.dumps(reply, ensure_ascii=False))
    return 0 if reply.get("ok") else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nats", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"))
    p.add_argument("--organisation", default=DEFAULT_ORGANISATION, help="the organisation this HR system serves")
    sub = p.add_subparsers(dest="verb", required=True)
    c = sub.add_parser("consume", help="consume AwardGranted and ScoreAdjusted durably")
    c.add_argument("--db", default="hr.sqlite")
    c.add_argument("--stream", default="PACESETTER")
    c.add_argument(
        "--durable", default="", help="consumer name; default the organisation (the one name a scoped user may use)"
    )
    c.add_argument("--from-seq", type=int, default=0, help="first stream sequence when the consumer is new")
    c.add_argument("--ack-wait", type=float, default=30.0, help="seconds before an unacknowledged event returns")
    c.add_argument("--idle-exit", type=int, default=10**9, help="stop after this many idle seconds")
    c.add_argument("--crash-after", type=int, default=0, help=argparse.SUPPRESS)
    e = sub.add_parser("enrol", help="enrol a member in a unit (a roster update)")
    for name in ("campaign", "member", "name", "unit", "actor-member"):
        e.add_argument(f"--{name}", required=True)
    e.add_argument("--actor-role", default="office")
    args = p.parse_args()
    return asyncio.run(consume(args) if args.verb == "consume" else enrol(args))


if __name__ == "__main__":
    sys.exit(main())
