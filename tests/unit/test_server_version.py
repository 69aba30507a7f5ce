"""The event store refuses a nats-server older than 2.12, naming the version it needs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from nats.aio.client import ServerVersion

from shared.eventstore import EventStore, ServerTooOld


class FakeConnection:
    def __init__(self, version: str) -> None:
        self.connected_server_version = ServerVersion(version)

    def jetstream(self, **_: Any) -> SimpleNamespace:
        return SimpleNamespace()


@pytest.mark.parametrize(
    ("version", "refused"), [("2.9.10", True), ("2.11.4", True), ("2.12.0", False), ("2.15.1", False)]
)
def test_only_servers_from_2_12_are_accepted(version: str, refused: bool) -> None:
    store = EventStore(cast(Any, FakeConnection(version)), "PACESETTER")
    try:
        store.check_server()
        outcome = "accepted"
    except ServerTooOld as exc:
        outcome = "refused"
        assert version in str(exc) and "2.12 or newer" in str(exc)
    assert outcome == ("refused" if refused else "accepted")
