"""Durability settings: the documented production cluster keeps acknowledged writes through a power loss."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import nats
import yaml

from shared.natsauth import client_options
from tests.reliability.cluster import CLUSTER_CONF, NODES, Cluster, cluster
from tests.reliability.conftest import STREAM
from tests.reliability.procs import ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"


def documented_replicas() -> int:
    """STREAM_REPLICAS the Compose file gives the stream's provisioning."""
    compose = yaml.safe_load(COMPOSE.read_text())
    values = {
        str(env["STREAM_REPLICAS"])
        for service in compose["services"].values()
        if isinstance(env := service.get("environment"), dict) and "STREAM_REPLICAS" in env
    }
    assert len(values) == 1, f"{COMPOSE} gives STREAM_REPLICAS {values or 'nowhere'}: say it once"
    return int(values.pop())


def test_the_documented_choice_is_replicas_3_or_fsync_on_every_write() -> None:
    conf = CLUSTER_CONF.read_text()
    assert documented_replicas() >= 3 or "sync_interval: always" in conf, (
        "production must say how acknowledged writes survive a power loss: replicas 3 or sync_interval always"
    )


def provision_env(c: Cluster, replicas: int) -> dict[str, str]:
    """The environment of the deployment's provisioning step, as the operator, against the first node."""
    env = {**os.environ, **c.secrets.client_env("operator"), "NATS_URL": c.urls()[0]}
    env.update(STREAM_NAME=STREAM, STREAM_REPLICAS=str(replicas), PROVISION_WAIT_S="60", LOG_JSON="true")
    return env


async def stream_placement(c: Cluster) -> tuple[int, str | None, int]:
    """The stream's configured replicas, its leader and how many followers it has."""
    conn = await nats.connect(servers=c.urls(), **client_options(c.operator()))
    try:
        info = await conn.jetstream().stream_info(STREAM)
    finally:
        await conn.close()
    assert info.cluster is not None
    return info.config.num_replicas, info.cluster.leader, len(info.cluster.replicas or [])


async def test_the_documented_cluster_creates_the_stream_with_the_documented_replicas(tmp_path: Path) -> None:
    replicas = documented_replicas()
    with cluster(tmp_path / "cluster") as c:
        provisioned = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "shared.runtime.provision"],
            cwd=ROOT,
            env=provision_env(c, replicas),
            capture_output=True,
            timeout=90,
        )
        assert provisioned.returncode == 0, provisioned.stderr.decode()[-2000:]
        configured, leader, followers = await stream_placement(c)
        assert configured == replicas
        assert leader in c.nodes
        assert followers == replicas - 1
        if "sync_interval: always" in CLUSTER_CONF.read_text():
            for node in c.nodes.values():
                js_config = node.monitoring("/varz")["jetstream"]["config"]
                assert js_config.get("sync_always") is True, f"{node.name} does not fsync each write: {js_config}"


async def test_provisioning_waits_for_the_cluster_to_form_instead_of_failing(tmp_path: Path) -> None:
    """Provisioning may start while the cluster is still forming: here two of three nodes, no meta leader yet."""
    replicas = documented_replicas()
    with cluster(tmp_path / "cluster", started=()) as c:
        for name in NODES[:2]:
            c.start(name)
        provision = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "shared.runtime.provision",
            cwd=ROOT,
            env=provision_env(c, replicas),
            stderr=asyncio.subprocess.PIPE,
        )
        assert provision.stderr is not None
        said: list[str] = []
        try:
            async with asyncio.timeout(60):
                while not any("cluster forming" in line for line in said):
                    line = await provision.stderr.readline()
                    assert line, f"provisioning ended without waiting for the third node: {said}"
                    said.append(line.decode())
            c.start(NODES[2])
            async with asyncio.timeout(90):
                said.extend(line.decode() for line in (await provision.stderr.read()).splitlines())
                code = await provision.wait()
        finally:
            if provision.returncode is None:
                provision.kill()
                await provision.wait()
        assert code == 0, "".join(said)[-2000:]
        configured, leader, followers = await stream_placement(c)
        assert (configured, followers) == (replicas, replicas - 1)
        assert leader in c.nodes
