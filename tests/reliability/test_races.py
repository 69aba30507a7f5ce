"""Races not covered elsewhere: the same voter casting concurrently over two evaluation replicas.

50 racing grants at a quota of 4: tests/integration/test_awards_service.py; 20 racing revisions of one pledge:
tests/integration/test_pledges_service.py; racing replicas creating one boundary: tests/integration/test_shell.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nats.aio.client import Client as NATS

from shared.runtime.embedded import EmbeddedNats
from tests.conftest import Servers
from tests.reliability.checks import events_by_command
from tests.reliability.conftest import STREAM
from tests.reliability.load import Ledger, send_until_replied
from tests.reliability.procs import fleet
from tests.reliability.scenario import stack_env
from tests.reliability.workload import open_ballot_round
from tests.support.evaluation import cast

ROUNDS, RACERS = 3, 20


@pytest.mark.slow
async def test_the_same_voter_casting_concurrently_is_counted_once_every_time(
    servers: Servers, private_nats: EmbeddedNats, private_nc: NATS, tmp_path: Path
) -> None:
    with fleet(stack_env(servers, private_nats.url, "race_unused", tmp_path), tmp_path / "logs") as f:
        f.start("evaluation-0", "services.evaluation")
        f.start("evaluation-1", "services.evaluation")
        await f.wait_healthy(private_nc)
        ledger = Ledger()
        for _ in range(ROUNDS):
            rid, voters = await open_ballot_round(private_nc, ledger, 3)
            ballots = [cast(rid, voters[0]) for _ in range(RACERS)]
            replies = await asyncio.gather(*(send_until_replied(private_nc, b, ledger) for b in ballots))
            accepted = [b.command_id for b, r in zip(ballots, replies, strict=True) if r.ok]
            refusals = {(r.error.code, r.error.rule) for r in replies if r.error is not None}
            assert len(accepted) == 1, f"round {rid}: {len(accepted)} of {RACERS} racing ballots accepted"
            assert refusals <= {("rule_violated", "one_ballot_per_voter")}, refusals
            logged = await events_by_command(private_nc, STREAM)
            assert [b.command_id for b in ballots if b.command_id in logged] == accepted
