"""A roster file from HR (CSV or JSON) read into campaigns commands, one per row. No I/O beyond the text.

CSV: a header `kind,id,name,unit,roles` (and optionally `unit_kind`); `kind` is `unit` or `member`;
for a unit `unit` is its parent, for a member the unit they are in; `roles` is `;`-separated,
`voter:<group>` for a voter. JSON: `{"units": [{"id", "name", "parent", "kind"?}],
"members": [{"id", "name", "unit", "roles": [...]}]}`.

A row's command id derives from the campaign and the row's content (not its layout), so importing
the same roster again, as CSV or JSON, sends the same command ids and the service answers each as a
duplicate: nothing is appended.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.campaigns.commands import EnrolMember, RegisterUnit
from shared.events import Actor, Role
from shared.events.organisation import RoleGrant

_ROW_NAMESPACE = uuid.UUID("5b0e3c1e-2a47-4d8e-9f0a-6c2d7e1b4a90")
CSV_COLUMNS = ("kind", "id", "name", "unit", "roles")


@dataclass(frozen=True)
class RosterRow:
    """One row: where it is in the file, what it is, and its command (or why it cannot be sent)."""

    where: str
    kind: str
    key: str
    command: RegisterUnit | EnrolMember | None = None
    error: str | None = None


class RosterFormatError(ValueError):
    """The file as a whole cannot be read (not CSV with the right header, not the JSON shape)."""


def command_id_for(command: RegisterUnit | EnrolMember) -> str:
    """The same id for the same row content in the same campaign, whoever imports it, from CSV or JSON."""
    content = command.model_dump(mode="json", exclude={"command_id", "actor", "correlation_id", "causation_id"})
    canonical = json.dumps({"type": type(command).__name__, **content}, sort_keys=True, ensure_ascii=False)
    return str(uuid.uuid5(_ROW_NAMESPACE, canonical))


def read_roster(path: Path, campaign_id: str, actor: Actor) -> list[RosterRow]:
    """The file's rows, units first (parents before children), then members, each as a command."""
    text = path.read_text(encoding="utf-8-sig")
    raw = _json_rows(text) if path.suffix.lower() == ".json" else _csv_rows(text)
    rows = [_row(where, fields, campaign_id, actor) for where, fields in raw]
    units = _parents_first([r for r in rows if r.kind == "unit"])
    return units + [r for r in rows if r.kind != "unit"]


def _csv_rows(text: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = set(CSV_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise RosterFormatError(f"the CSV header lacks {', '.join(sorted(missing))} (needs {','.join(CSV_COLUMNS)})")
    out = []
    for line, rec in enumerate(reader, start=2):
        fields = {k: (v or "").strip() for k, v in rec.items() if k}
        fields["roles"] = [r.strip() for r in fields.get("roles", "").split(";") if r.strip()]
        out.append((f"line {line}", fields))
    return out


def _json_rows(text: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RosterFormatError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or not all(isinstance(doc.get(k, []), list) for k in ("units", "members")):
        raise RosterFormatError('expected {"units": [...], "members": [...]}')
    out: list[tuple[str, dict[str, Any]]] = []
    for i, unit in enumerate(doc.get("units", [])):
        u = unit if isinstance(unit, dict) else {}
        fields: dict[str, Any] = {
            "kind": "unit",
            "id": u.get("id"),
            "name": u.get("name"),
            "unit": u.get("parent"),
            "roles": [],
        }
        out.append((f"units[{i}]", {**fields, "unit_kind": u.get("kind")}))
    for i, member in enumerate(doc.get("members", [])):
        m = member if isinstance(member, dict) else {}
        fields = {"kind": "member", "id": m.get("id"), "name": m.get("name"), "unit": m.get("unit")}
        out.append((f"members[{i}]", {**fields, "roles": m.get("roles") or []}))
    return out


def _row(where: str, fields: dict[str, Any], campaign_id: str, actor: Actor) -> RosterRow:
    kind, key = str(fields.get("kind") or ""), str(fields.get("id") or "?")
    common = {"command_id": "pending", "actor": actor, "campaign_id": campaign_id}
    try:
        if kind == "unit":
            unit_kind = fields.get("unit_kind") or None
            cmd: RegisterUnit | EnrolMember = RegisterUnit(
                **common, unit_id=key, name=fields.get("name"), parent_id=fields.get("unit"), kind=unit_kind
            )
        elif kind == "member":
            roles = tuple(_grant(r) for r in fields.get("roles", []))
            cmd = EnrolMember(**common, member_id=key, name=fields.get("name"), unit_id=fields.get("unit"), roles=roles)
        else:
            return RosterRow(where, kind, key, error=f"validation_error: kind must be unit or member, not {kind!r}")
    except (ValidationError, ValueError) as exc:
        return RosterRow(where, kind, key, error=f"validation_error: {_explain(exc)}")
    return RosterRow(where, kind, key, command=cmd.model_copy(update={"command_id": command_id_for(cmd)}))


def _grant(text: Any) -> RoleGrant:
    role, _, group = str(text).partition(":")
    try:
        return RoleGrant(role=Role(role.strip()), voter_group=group.strip() or None)
    except ValueError:
        raise ValueError(f"unknown role {text!r} (roles: {', '.join(r.value for r in Role)})") from None


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False))
    return str(exc)


def _parents_first(rows: list[RosterRow]) -> list[RosterRow]:
    """Units in an order where a parent in the file comes before its children (file order otherwise)."""
    by_id = {r.key: r for r in rows if isinstance(r.command, RegisterUnit)}
    placed: set[int] = set()
    out: list[RosterRow] = []

    def place(row: RosterRow, path: frozenset[str]) -> None:
        if id(row) in placed or row.key in path:
            return
        if isinstance(row.command, RegisterUnit) and row.command.parent_id in by_id:
            place(by_id[row.command.parent_id], path | {row.key})
        if id(row) not in placed:
            placed.add(id(row))
            out.append(row)

    for row in rows:
        place(row, frozenset())
    return out
