"""Reading HR rosters into commands: deterministic ids, parents first, bad rows explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.campaigns.commands import EnrolMember, RegisterUnit
from services.campaigns.roster import RosterFormatError, read_roster
from shared.events import Role
from tests.support.campaigns import OFFICE

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_the_seed_roster_has_12_units_then_80_members() -> None:
    rows = read_roster(FIXTURES / "roster_seed.csv", "c-1", OFFICE)
    kinds = [type(r.command) for r in rows]
    assert kinds == [RegisterUnit] * 12 + [EnrolMember] * 80


def test_a_parent_in_the_file_goes_before_its_children() -> None:
    units = [r.key for r in read_roster(FIXTURES / "roster_seed.csv", "c-1", OFFICE) if r.kind == "unit"]
    assert units.index("u-jiguan-dzb") < units.index("u-dangxiaozu-1")


def test_roles_are_read_with_their_voter_group() -> None:
    rows = {r.key: r.command for r in read_roster(FIXTURES / "roster_seed.csv", "c-1", OFFICE)}
    first = rows["m-001"]
    assert isinstance(first, EnrolMember)
    assert [(g.role, g.voter_group) for g in first.roles] == [(Role.committee, None), (Role.voter, "leaders")]


def test_the_same_roster_gives_the_same_command_ids_from_csv_and_json() -> None:
    csv_ids = [r.command.command_id for r in read_roster(FIXTURES / "roster_seed.csv", "c-1", OFFICE) if r.command]
    json_ids = [r.command.command_id for r in read_roster(FIXTURES / "roster_seed.json", "c-1", OFFICE) if r.command]
    assert csv_ids == json_ids
    assert len(set(csv_ids)) == 92


def test_another_campaign_gets_other_command_ids() -> None:
    a = read_roster(FIXTURES / "roster_seed.csv", "c-1", OFFICE)[0].command
    b = read_roster(FIXTURES / "roster_seed.csv", "c-2", OFFICE)[0].command
    assert a is not None and b is not None and a.command_id != b.command_id


def test_rows_that_cannot_become_commands_say_why() -> None:
    rows = {r.where: r for r in read_roster(FIXTURES / "roster_bad.csv", "c-1", OFFICE)}
    assert rows["line 6"].error is not None and "unknown role 'chairman'" in rows["line 6"].error
    assert rows["line 7"].error is not None and rows["line 7"].error.startswith("validation_error: member_id")
    assert rows["line 10"].error is not None and "kind must be unit or member" in rows["line 10"].error
    assert rows["line 2"].command is not None


def test_a_csv_without_the_columns_is_refused_as_a_whole(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("姓名,股室\n张三,办公室\n", encoding="utf-8")
    with pytest.raises(RosterFormatError, match="lacks"):
        read_roster(bad, "c-1", OFFICE)


def test_json_of_another_shape_is_refused_as_a_whole(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('[{"id": "m-1"}]', encoding="utf-8")
    with pytest.raises(RosterFormatError, match="expected"):
        read_roster(bad, "c-1", OFFICE)
