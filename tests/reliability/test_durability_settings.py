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
from tests.reliability.cluster import CLUSTER_CONF, cluster
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


async def test_the_documented_cluster_creates_the_stream_with_the_documented_replicas(tmp_path: Path) -> None:
    replicas = documented_replicas()
    with cluster(tmp_path / "cluster") as c:
        env = {**os.environ, **c.secrets.client_env("operator"), "NATS_URL": c.urls()[0]}
        env.update(STREAM_NAME=STREAM, STREAM_REPLICAS=str(replicas))
        provisioned = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "shared.runtime.provision"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert provisioned.returncode == 0, provisioned.stderr.decode()[-2000:]
        conn = await nats.connect(servers=c.urls(), **client_options(c.operator()))
        try:
            info = await conn.jetstream().stream_info(STREAM)
        finally:
            await conn.close()
        assert info.config.num_replicas == replicas
        assert info.cluster is not None and info.cluster.leader in c.nodes
        assert len(info.cluster.replicas or []) == replicas - 1
        if "sync_interval: always" in CLUSTER_CONF.read_text():
            for node in c.nodes.values():
                js_config = node.monitoring("/varz")["jetstream"]["config"]
                assert js_config.get("sync_always") is True, f"{node.name} does not fsync each write: {js_config}"
