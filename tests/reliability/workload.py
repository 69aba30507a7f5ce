"""The steady load of the fault tests: pledge lifecycles and secret-free ballots, paced, until told to stop."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nats.aio.client import Client as NATS

from services.evaluation.commands import OpenRound
from shared.commands import Command
from shared.events import Actor, Role
from shared.events.evaluation import VoterGroup
from shared.events.pledges import Pledger
from shared.ids import new_id
from tests.reliability.load import Ledger, must_be_ok, send_until_replied
from tests.support.builders import ledger_line, make_pledge
from tests.support.evaluation import OFFICE, cast, define_round, window
from tests.support.pledges import HEAD, approve, entry, report, submit

PERIODS = ("2026-01", "2026-02", "2026-03")


def member(i: int) -> Actor:
    return Actor(member_id=f"m-{i:05d}", role=Role.member, unit_id="u-office")


def pledge_life(i: int) -> Iterator[Command]:
    """MakePledge, SubmitPledge, ApprovePledge and three ReportProgress of member i's pledge, in order."""
    m, p = member(i), new_id()
    pledger = Pledger(kind="member", id=m.member_id, unit_id=m.unit_id)
    yield make_pledge(p, actor=m, pledger=pledger, lines=(ledger_line(responsible_member_id=m.member_id),))
    yield submit(m).model_copy(update={"pledge_id": p})
    yield approve(HEAD).model_copy(update={"pledge_id": p})
    for n, period in enumerate(PERIODS):
        yield report(entry(current_value=n + 1), actor=m, period=period).model_copy(update={"pledge_id": p})


@dataclass
class Load:
    """Lifecycles run by `workers` concurrent clients, each pausing `pace_s` between commands."""

    nc: NATS
    ledger: Ledger = field(default_factory=Ledger)
    workers: int = 6
    pace_s: float = 0.02
    max_lives: int = 5000
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _worker(self, lives: Iterator[Iterator[Command]]) -> None:
        for life in lives:
            if self.stop.is_set():
                return
            for cmd in life:
                reply = await send_until_replied(self.nc, cmd, self.ledger)
                await asyncio.sleep(self.pace_s)
                if not reply.ok:
                    break

    async def run(self, lives: Iterator[Iterator[Command]]) -> None:
        shared_lives = iter(itertools.islice(lives, self.max_lives))
        await asyncio.gather(*(self._worker(shared_lives) for _ in range(self.workers)))

    def acked(self) -> int:
        return len(self.ledger.acknowledged)

    async def progressed(self, by: int, what: str, within_s: float = 60.0) -> None:
        """Until `by` more commands are acknowledged; fails naming `what`."""
        target = self.acked() + by
        for _ in range(int(within_s / 0.05)):
            if self.acked() >= target:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the load made no progress {what}: {self.acked()} of {target} acknowledged")


async def open_ballot_round(nc: NATS, ledger: Ledger, voters: int) -> tuple[str, list[str]]:
    """A round open now with `voters` members in one group; (round id, voter ids)."""
    rid, ids = new_id(), [f"m-v{i:05d}" for i in range(voters)]
    groups = (VoterGroup(name="members", weight=1.0, members=tuple(ids)),)
    define = define_round(rid, groups=groups, window=window(datetime.now(UTC)))
    must_be_ok(await send_until_replied(nc, define, ledger), "DefineRound")
    opened = OpenRound(command_id=new_id(), actor=OFFICE, round_id=rid)
    must_be_ok(await send_until_replied(nc, opened, ledger), "OpenRound")
    return rid, ids


def ballots(rid: str, ids: list[str]) -> Iterator[Iterator[Command]]:
    return (iter([cast(rid, v)]) for v in ids)


def mixed(*sources: Iterator[Iterator[Command]]) -> Iterator[Iterator[Command]]:
    """Lives from every source in turn."""
    for group in itertools.zip_longest(*sources):
        yield from (life for life in group if life is not None)


def pledge_lives(start: int = 0) -> Iterator[Iterator[Command]]:
    return (pledge_life(i) for i in itertools.count(start))


FaultStep = Callable[[], None]
