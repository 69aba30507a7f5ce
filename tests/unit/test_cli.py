"""`pacesetter send` refuses bad input before it looks for a stack; the catalog matches the contexts' commands."""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
import uuid
from pathlib import Path

from typer.testing import CliRunner

import services
from services.catalog import COMMANDS, SERVICES, UnknownCommand, context_of, services_named
from services.cli.main import app
from services.cli.payload import complete
from shared.runtime.supervisor import RestartPolicy

runner = CliRunner()


def test_send_with_an_unknown_command_exits_2_listing_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["send", "MakePledgeX", "{}"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "MakePledgeX" in result.output
    for name in COMMANDS:
        assert name in result.output


def test_send_with_bad_json_exits_2_saying_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["send", "MakePledge", '{"pledge_id": '], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "is not valid JSON" in result.output


def test_send_with_json_that_is_not_an_object_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["send", "MakePledge", "[1, 2]"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "must be a JSON object" in result.output


def test_send_reads_the_body_from_a_file_or_stdin_and_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = runner.invoke(app, ["send", "MakePledge", f"@{missing}"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert str(missing) in result.output
    result = runner.invoke(app, ["send", "MakePledge", "-"], input="not json", env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "stdin is not valid JSON" in result.output


def test_send_without_a_running_stack_says_how_to_start_one(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "NATS_URL": None}
    result = runner.invoke(app, ["send", "MakePledge", "{}"], env=env)
    assert result.exit_code == 3
    assert "no running stack: start it with `make run`" in result.output


def test_a_left_over_stack_file_is_not_a_running_stack(tmp_path: Path) -> None:
    (tmp_path / "stack.json").write_text(
        json.dumps(
            {
                "nats_url": "nats://127.0.0.1:1",
                "database_url": "postgresql://x",
                "http_url": "http://127.0.0.1:1",
                "stream": "PACESETTER",
                "data_dir": str(tmp_path),
                "pid": 2**22 + 7,  # above Linux's default pid_max: nobody
                "started_at": "2026-01-01T00:00:00Z",
                "services": {},
                "servers": {},
            }
        )
    )
    result = runner.invoke(app, ["status"], env={"DATA_DIR": str(tmp_path), "NATS_URL": None})
    assert result.exit_code == 1
    assert "left over" in result.output


def test_complete_adds_a_uuid7_command_id_and_the_actor_only_when_absent() -> None:
    filled = complete({"pledge_id": "p1"}, "m-1", "unit_head", "u-1")
    assert uuid.UUID(filled["command_id"]).version == 7
    assert filled["actor"] == {"member_id": "m-1", "role": "unit_head", "unit_id": "u-1"}
    given = {"command_id": "c-1", "actor": {"member_id": "m-2", "role": "office"}}
    assert complete(given, "m-1", "member", None) == given


def service_packages() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg and m.name != "cli"]


def test_every_catalog_command_is_a_command_of_its_context_and_none_is_missing() -> None:
    for context in service_packages():
        if importlib.util.find_spec(f"services.{context}.commands") is None:
            continue
        module = importlib.import_module(f"services.{context}.commands")
        declared = {cls.__name__ for cls in module.ALL_COMMANDS}
        cataloged = {name for name, ctx in COMMANDS.items() if ctx == context}
        assert cataloged == declared, context
    assert set(COMMANDS.values()) <= set(service_packages())
    assert context_of("MakePledge") == "pledges"
    try:
        context_of("NoSuchCommand")
    except UnknownCommand as exc:
        assert "MakePledge" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown command was accepted")


def test_up_starts_every_service_that_can_be_run_as_a_module_and_selects_them_by_name() -> None:
    runnable = {f"services.{p}" for p in service_packages() if importlib.util.find_spec(f"services.{p}.__main__")}
    assert {spec.module for spec in SERVICES} == runnable
    assert len({spec.name for spec in SERVICES}) == len(SERVICES), "a service is listed twice"
    first = SERVICES[0].name
    assert services_named([first]) == (SERVICES[0],)
    assert services_named(None) == SERVICES


def test_the_restart_policy_backs_off_then_gives_up_within_its_window() -> None:
    policy = RestartPolicy(max_restarts=3, window_s=100, base_delay_s=1, max_delay_s=3)
    assert policy.next_delay([], now=1000) == 1
    assert policy.next_delay([990], now=1000) == 2
    assert policy.next_delay([980, 990], now=1000) == 3  # capped
    assert policy.next_delay([970, 980, 990], now=1000) is None
    assert policy.next_delay([800, 850, 990], now=1000) == 2  # old restarts are forgotten


def test_a_bad_setting_is_a_usage_error_naming_its_variable(tmp_path: Path) -> None:
    result = runner.invoke(app, ["send", "MakePledge", "{}"], env={"ORGANISATIONS": "a.b", "DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "invalid setting: ORGANISATIONS" in result.output


def test_send_refuses_an_organisation_that_is_not_a_subject_token(tmp_path: Path) -> None:
    result = runner.invoke(app, ["send", "MakePledge", "{}", "--organisation", "a.b"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "organisation" in result.output
