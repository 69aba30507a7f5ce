"""The event contract: the code's schemas match the exported ones; a breaking change cannot slip through."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field

from shared.contract import CONTRACT_DIR, check, current_schemas, drift, export, schema_of
from shared.events import Event, registry
from shared.events.pledges import PledgeMade


def test_the_code_matches_the_exported_contract() -> None:
    problems = check()
    assert problems == [], "schemas drifted; if additive run `python -m shared.contract export`:\n" + "\n".join(
        f"{p.file}: {p.change} (breaking={p.breaking})" for p in problems
    )


def test_every_event_type_is_exported() -> None:
    exported = {p.name for p in CONTRACT_DIR.glob("*.json")}
    assert set(current_schemas()) <= exported


def test_retyping_a_field_without_a_new_version_fails_the_check(tmp_path: Path) -> None:
    export(tmp_path)

    class PledgeMadeRetyped(PledgeMade):  # a copy where `title` became a number, same version
        title: int  # type: ignore[assignment]

    changed = {
        **current_schemas(),
        "PledgeMade.v1.json": schema_of(PledgeMade) | {"properties": schema_of(PledgeMadeRetyped)["properties"]},
    }

    problems = check(tmp_path, changed)

    assert [(p.file, p.breaking) for p in problems] == [("PledgeMade.v1.json", True)]
    assert "title" in problems[0].change


def test_removing_a_field_is_breaking_and_adding_an_optional_one_is_not() -> None:
    class V1(Event):
        a: int
        b: str

    class V1Plus(Event):
        a: int
        b: str
        c: str | None = Field(default=None)

    class V1Less(Event):
        a: int

    assert [d.breaking for d in drift(V1.model_json_schema(), V1Plus.model_json_schema(), "x")] == [False]
    assert [d.breaking for d in drift(V1.model_json_schema(), V1Less.model_json_schema(), "x")] == [True]


def test_adding_a_required_field_is_breaking() -> None:
    class Before(Event):
        a: int

    class After(Event):
        schema_version: ClassVar[int] = 1
        a: int
        z: int

    assert [d.breaking for d in drift(Before.model_json_schema(), After.model_json_schema(), "x")] == [True]


OLD_VERSIONS = sorted(
    (m.group(1), int(m.group(2)))
    for p in CONTRACT_DIR.glob("*.json")
    if (m := re.match(r"(\w+)\.v(\d+)\.json$", p.name)) and int(m.group(2)) < registry.model(m.group(1)).schema_version
)


@pytest.mark.parametrize(("type_name", "version"), OLD_VERSIONS)
def test_every_old_version_has_an_upcaster_and_an_example_that_upcasts(type_name: str, version: int) -> None:
    assert registry.has_upcaster(type_name, version)
    example = CONTRACT_DIR.parent / "examples" / f"{type_name}.v{version}.json"
    event = registry.decode(type_name, version, json.loads(example.read_text()))
    assert event.type_name == type_name
