"""How big each benchmark is in a full run and in a quick one."""

from __future__ import annotations

from dataclasses import dataclass

BENCHMARKS = ("commands", "raw", "peer", "logsize", "replay", "reads", "memory")
ALIASES = {"lag": "commands", "raw-append": "raw", "log-size": "logsize"}


@dataclass(frozen=True)
class Plan:
    quick: bool
    pledges: int
    rounds: int
    throughput_s: float
    paced_s: float
    logsize_s: float
    raw_appends: int
    peer_aggregates: int
    peer_operations: int
    small_log: int
    big_log: int
    reads_s: float
    replicas: tuple[int, ...] = (1, 2)
    clients: int = 64
    paced_rate: float = 1000.0
    logsize_rate: float = 300.0
    reads_rate: float = 500.0

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 400, 8, 6, 5, 4, 100_000, 1000, 2000, 10_000, 100_000, 5)
        return cls(False, 2000, 30, 20, 15, 10, 300_000, 5000, 10_000, 10_000, 1_000_000, 15)
