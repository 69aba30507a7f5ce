"""The published contract of events: a JSON Schema per type and version, exported into the repo.

Versioning policy (docs/contract.md): adding an optional field is compatible and keeps the version;
removing, renaming or retyping a field, or adding a required one, is breaking and needs a new
`schema_version`, an upcaster from the old version, and the old version's schema kept in the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.events import Event, registry

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract" / "events"


def schema_of(model: type[Event]) -> dict[str, Any]:
    """The JSON Schema of one event payload, with its type name and version."""
    schema = model.model_json_schema(mode="serialization")
    return {"x-event-type": model.type_name, "x-schema-version": model.schema_version, **schema}


def file_name(type_name: str, version: int) -> str:
    return f"{type_name}.v{version}.json"


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema for the current version of every registered event type."""
    return {file_name(m.type_name, m.schema_version): schema_of(m) for m in registry.types().values()}


def export(folder: Path = CONTRACT_DIR) -> list[Path]:
    """Write the current schemas; older versions' files stay as they are. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in sorted(current_schemas().items()):
        path = folder / name
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


@dataclass(frozen=True)
class Drift:
    """One way the code's schema of a published version differs from the exported one."""

    file: str
    change: str
    breaking: bool


def drift(exported: dict[str, Any], current: dict[str, Any], file: str) -> list[Drift]:
    """Differences between an exported schema and the code's; `breaking` when old consumers would fail."""
    out: list[Drift] = []
    old_props, new_props = exported.get("properties", {}), current.get("properties", {})
    old_req, new_req = set(exported.get("required", [])), set(current.get("required", []))
    for name in old_props.keys() - new_props.keys():
        out.append(Drift(file, f"field {name!r} removed", True))
    for name in new_props.keys() - old_props.keys():
        out.append(Drift(file, f"field {name!r} added", name in new_req))
    for name in old_props.keys() & new_props.keys():
        if old_props[name] != new_props[name]:
            out.append(Drift(file, f"field {name!r} changed type or constraints", True))
    for name in (new_req - old_req) & old_props.keys():
        out.append(Drift(file, f"field {name!r} became required", True))
    if not out and exported != current:
        out.append(Drift(file, "definitions changed", True))
    return out


def check(folder: Path = CONTRACT_DIR, schemas: dict[str, dict[str, Any]] | None = None) -> list[Drift]:
    """Every difference between the code and the exported contract (empty: they agree)."""
    problems: list[Drift] = []
    for name, schema in sorted((schemas or current_schemas()).items()):
        path = folder / name
        if not path.exists():
            problems.append(Drift(name, "not exported yet", False))
            continue
        problems.extend(drift(json.loads(path.read_text()), schema, name))
    return problems


def main() -> None:
    """`python -m shared.contract [export|check]`."""
    import sys

    if sys.argv[1:] == ["export"]:
        for path in export():
            print(f"wrote {path}")
        return
    problems = check()
    for p in problems:
        print(f"{p.file}: {p.change}{' (breaking: needs a new schema_version and an upcaster)' if p.breaking else ''}")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
