"""The AsyncAPI document: valid AsyncAPI 3.0, every command and event listed, no broker address in it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from services.asyncapi import document
from services.catalog import COMMANDS
from services.cli.main import app
from shared.events import registry

SPEC = Path(__file__).resolve().parents[2] / "contract" / "spec" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def doc() -> dict:
    return document()


def test_the_document_validates_against_the_asyncapi_3_schema(doc: dict) -> None:
    validator = jsonschema.Draft7Validator(json.loads(SPEC.read_text()))
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert errors == []


def test_every_command_is_a_channel_with_the_reply_envelope(doc: dict) -> None:
    addresses = {c["address"] for c in doc["channels"].values()}
    assert {f"ps.cmd.{ctx}.{{organisation}}.{name}" for name, ctx in COMMANDS.items()} <= addresses
    replies = [op for op in doc["operations"].values() if "reply" in op]
    assert len(replies) >= len(COMMANDS)
    assert "Reply" in doc["components"]["schemas"] and "ErrorBody" in doc["components"]["schemas"]


def test_every_event_type_is_a_channel(doc: dict) -> None:
    addresses = {c["address"] for c in doc["channels"].values()}
    assert {f"ps.evt.{{context}}.{{organisation}}.{{boundary_id}}.{t}" for t in registry.types()} <= addresses


def test_no_broker_address_or_credentials_appear(doc: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(doc)
    assert "127.0.0.1" not in text and "localhost" not in text
    assert "password" not in text.lower()
    assert list(doc["servers"]) == ["production"]


def test_the_cli_writes_the_document(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"

    result = CliRunner().invoke(app, ["contract", "asyncapi", "-o", str(out)])

    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["asyncapi"] == "3.0.0"
