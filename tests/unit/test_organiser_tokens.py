"""Organiser tokens: issued once, kept only as digests (0600), revoked per organisation; and their CLI."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli.main import app
from shared import organiser_tokens
from shared.runtime.authconf import render
from shared.subjects import BadOrganisation

runner = CliRunner()


def test_a_token_is_stored_only_as_its_digest_in_a_private_file(tmp_path: Path) -> None:
    a1, b1, a2 = (organiser_tokens.issue(tmp_path, o) for o in ("bureau-a", "bureau-b", "bureau-a"))
    path = organiser_tokens.organiser_tokens_file(tmp_path)
    text = path.read_text()
    assert a1 not in text and b1 not in text and a2 not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert organiser_tokens.load(tmp_path) == {
        organiser_tokens.digest(a1): "bureau-a",
        organiser_tokens.digest(b1): "bureau-b",
        organiser_tokens.digest(a2): "bureau-a",
    }
    assert organiser_tokens.revoke(tmp_path, "bureau-a") == 2
    assert organiser_tokens.load(tmp_path) == {organiser_tokens.digest(b1): "bureau-b"}


def test_no_tokens_issued_means_none_known_and_a_bad_organisation_is_refused(tmp_path: Path) -> None:
    assert organiser_tokens.load(tmp_path) == {}
    with pytest.raises(BadOrganisation):
        organiser_tokens.issue(tmp_path, "a.b")
    assert not organiser_tokens.organiser_tokens_file(tmp_path).exists()


def test_the_cli_issues_a_token_once_and_refuses_a_bad_organisation(tmp_path: Path) -> None:
    issued = runner.invoke(app, ["secrets", "organiser-token", "bureau-a", "--data-dir", str(tmp_path)])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[0]
    assert organiser_tokens.load(tmp_path) == {organiser_tokens.digest(token): "bureau-a"}
    bad = runner.invoke(app, ["secrets", "organiser-token", "bad.org", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "organisation" in bad.output


def test_the_cli_prints_the_broker_config_for_the_organisations_served() -> None:
    printed = runner.invoke(app, ["secrets", "nats-config", "-o", "default", "-o", "bureau-a"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == render(("default", "bureau-a"))
    clash = runner.invoke(app, ["secrets", "nats-config", "-o", "a-b", "-o", "a_b"])
    assert clash.exit_code == 2 and "clash" in clash.output
