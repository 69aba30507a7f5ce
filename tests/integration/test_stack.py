"""The supervisor of `pacesetter up` against the session's servers: a broken service, a service that keeps dying."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.ids import new_id
from shared.runtime.stack import Level, Stack, StackError
from shared.runtime.stackfile import StackInfo, stack_path
from shared.runtime.supervisor import RestartPolicy, ServiceSpec
from shared.settings import Settings
from tests.conftest import Servers


def settings_for(servers: Servers, data_dir: Path) -> Settings:
    return Settings(
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        stream_name=servers.stream,
        data_dir=data_dir,
        http_port=0,
    )


async def test_a_service_that_cannot_start_fails_up_naming_it_and_its_log(servers: Servers, tmp_path: Path) -> None:
    spec = ServiceSpec("broken", "tests.support.no_such_module")
    stack = Stack(settings_for(servers, tmp_path), [spec], lambda level, msg: None, health_timeout=30)
    with pytest.raises(StackError) as failure:
        await stack.run(lambda info: None)
    log = tmp_path / "logs" / "broken.log"
    assert "broken exited with code" in str(failure.value)
    assert str(log) in str(failure.value)
    assert "No module named" in log.read_text()
    assert not stack_path(tmp_path).exists()


async def test_a_dying_service_is_reported_restarted_then_given_up_on(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"flaky-{new_id()}"
    monkeypatch.setenv("FLAKY_NAME", name)
    monkeypatch.setenv("FLAKY_LIFETIME_S", "0.5")
    notes: list[tuple[Level, str]] = []
    ready: list[StackInfo] = []
    policy = RestartPolicy(max_restarts=2, window_s=600, base_delay_s=0.1, max_delay_s=0.2)
    stack = Stack(
        settings_for(servers, tmp_path),
        [ServiceSpec(name, "tests.support.flaky_service")],
        lambda level, msg: notes.append((level, msg)),
        health_timeout=30,
        policy=policy,
    )
    with pytest.raises(StackError) as failure:
        await stack.run(ready.append)
    assert len(ready) == 1 and name in ready[0].services, str(failure.value)
    deaths = [msg for level, msg in notes if level == "error" and "died with exit code 3" in msg]
    restarts = [msg for level, msg in notes if level == "warning" and msg.startswith(f"restarting {name}")]
    assert len(deaths) == policy.max_restarts + 1
    assert len(restarts) == policy.max_restarts
    assert f"{name} died {policy.max_restarts + 1} times" in str(failure.value)
    assert not stack_path(tmp_path).exists()
