"""The one authorisation table: which role may send which command, and for whom."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import services
from shared.authz import POLICY, authorize, may
from shared.commands import Command
from shared.errors import Forbidden
from shared.events import Actor, Role

OF, A, H, M = Role.office, Role.admin, Role.unit_head, Role.member
EXPECTED: dict[str, set[Role]] = {
    "LaunchCampaign": {OF, A},
    "AmendCampaignRules": {OF, A},
    "RegisterUnit": {OF, A},
    "MoveUnit": {OF, A},
    "EnrolMember": {OF, A},
    "TransferMember": {OF, A},
    "RemoveMember": {OF, A},
    "GrantRole": {OF, A},
    "RevokeRole": {OF, A},
    "NameBenchmarkPair": {H, OF, A},
    "FileGapReport": {H, OF, A},
    "MakePledge": {M, H, OF, A},
}


def actor(role: Role, member_id: str = "m-1", unit_id: str | None = "u-1") -> Actor:
    return Actor(member_id=member_id, role=role, unit_id=unit_id)


@pytest.mark.parametrize("command", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
def test_the_matrix(command: str, role: Role) -> None:
    assert may(command, actor(role)) is (role in EXPECTED[command])


def test_an_unknown_command_is_forbidden_to_everyone() -> None:
    assert not any(may("DropTheLog", actor(role)) for role in Role)


def test_a_unit_head_acts_only_for_their_own_unit() -> None:
    head = actor(H, unit_id="u-1")
    assert may("NameBenchmarkPair", head, for_unit="u-1")
    assert not may("NameBenchmarkPair", head, for_unit="u-2")


def test_a_member_acts_only_for_themselves() -> None:
    assert may("MakePledge", actor(M, member_id="m-1"), for_member="m-1")
    assert not may("MakePledge", actor(M, member_id="m-1"), for_member="m-2")


@pytest.mark.parametrize("role", [OF, A])
def test_the_office_and_admin_act_for_anyone(role: Role) -> None:
    assert may("NameBenchmarkPair", actor(role, unit_id=None), for_unit="u-9")
    assert may("EnrolMember", actor(role), for_member="m-9")


def test_authorize_raises_forbidden_with_a_clear_message() -> None:
    with pytest.raises(Forbidden, match="member m-1 may not LaunchCampaign"):
        authorize("LaunchCampaign", actor(M))


def _command_classes() -> set[str]:
    for mod in pkgutil.iter_modules(services.__path__):
        try:
            importlib.import_module(f"services.{mod.name}.commands")
        except ModuleNotFoundError:
            continue
    found: set[str] = set()
    todo = list(Command.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("services.") and not cls.__name__.endswith("Command"):
            found.add(cls.__name__)
    return found


def test_every_command_of_every_service_is_in_the_table() -> None:
    assert _command_classes() - set(POLICY) == set()
