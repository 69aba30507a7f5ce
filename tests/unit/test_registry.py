"""The event registry: types by name, upcasting of old versions, loud failure on unknown ones."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from shared.events import Event, EventRegistry, UnknownEventType, registry
from shared.records import RawEvent, UndecodableEvent, decode
from tests.support.builders import pending, pledge_made


def test_every_registered_event_is_decoded_from_its_own_json() -> None:
    made = pledge_made("p1")
    raw = RawEvent(7, "ps.evt.pledges.default.p1.PledgeMade", pending(made).encode())

    rec = decode(raw)

    assert rec.event == made and rec.seq == 7 and rec.boundary_id == "p1"


def test_old_versions_are_upcast_step_by_step() -> None:
    reg = EventRegistry()

    @reg.register
    class ScoreNoted(Event):
        schema_version: ClassVar[int] = 3
        points: float
        reason: str

    @reg.upcaster("ScoreNoted", 1)
    def v1_to_v2(d: dict[str, Any]) -> dict[str, Any]:
        return {"points": d["pts"]}

    @reg.upcaster("ScoreNoted", 2)
    def v2_to_v3(d: dict[str, Any]) -> dict[str, Any]:
        return {**d, "reason": "unknown"}

    assert reg.decode("ScoreNoted", 1, {"pts": 2}) == ScoreNoted(points=2, reason="unknown")
    assert reg.decode("ScoreNoted", 3, {"points": 1, "reason": "flag"}) == ScoreNoted(points=1, reason="flag")


def test_a_version_without_an_upcaster_is_refused() -> None:
    reg = EventRegistry()

    @reg.register
    class Thing(Event):
        schema_version: ClassVar[int] = 2

    with pytest.raises(UnknownEventType, match="no upcaster"):
        reg.decode("Thing", 1, {})
    with pytest.raises(UnknownEventType, match="newer"):
        reg.decode("Thing", 3, {})


def test_a_type_cannot_be_registered_twice() -> None:
    reg = EventRegistry()

    class Twice(Event):
        pass

    reg.register(Twice)
    with pytest.raises(ValueError, match="twice"):
        reg.register(Twice)


@pytest.mark.parametrize(
    "data",
    [b"not json", b"{}", json.dumps({"type": "Nope"}).encode(), b"\xff\xfe"],
)
def test_an_undecodable_message_names_its_sequence(data: bytes) -> None:
    with pytest.raises(UndecodableEvent, match="seq 42"):
        decode(RawEvent(42, "ps.evt.pledges.default.p1.PledgeMade", data))


def test_an_unknown_type_in_a_valid_envelope_is_undecodable() -> None:
    env = json.loads(pending(pledge_made("p1")).encode())
    env["type"] = "NoSuchEvent"

    with pytest.raises(UndecodableEvent, match="NoSuchEvent"):
        decode(RawEvent(1, "ps.evt.pledges.default.p1.NoSuchEvent", json.dumps(env).encode()))


def test_an_old_version_is_upcast_even_when_its_data_also_fits_the_current_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one-pass decode must not take v1 data as v2 just because it validates: v1 counted tenths of points."""

    class TenthsNoted(Event):
        type_name: ClassVar[str] = "TenthsNoted"
        schema_version: ClassVar[int] = 2
        points: float

    monkeypatch.setattr(registry, "_types", {**registry.types(), "TenthsNoted": TenthsNoted})
    monkeypatch.setitem(registry._upcasters, ("TenthsNoted", 1), lambda d: {"points": d["points"] / 10})
    env = json.loads(pending(pledge_made("p1")).encode())

    def raw(version: int) -> RawEvent:
        message = {**env, "type": "TenthsNoted", "schema_version": version, "data": {"points": 30}}
        return RawEvent(5, "ps.evt.scores.default.x1.TenthsNoted", json.dumps(message).encode())

    assert decode(raw(1)).event == TenthsNoted(points=3)
    assert decode(raw(2)).event == TenthsNoted(points=30)


def test_an_envelope_naming_another_type_than_its_subject_is_decoded_as_the_envelope_says() -> None:
    """The projection's handler then refuses it, naming both types (not the one-pass decode's business)."""
    made = pending(pledge_made("p1")).encode()

    rec = decode(RawEvent(3, "ps.evt.pledges.default.p1.PledgeSubmitted", made))

    assert type(rec.event).__name__ == "PledgeMade" and rec.subject.endswith("PledgeSubmitted")
