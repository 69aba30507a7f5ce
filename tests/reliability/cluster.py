"""The production 3-node JetStream cluster (deploy/nats/cluster/nats.conf) on loopback: ports, folders, routes."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shared.runtime.embedded import nats_server_binary
from shared.runtime.secure import AUTH_CONF, DEPLOY_NATS, NatsSecrets, init_secrets
from shared.settings import Settings
from tests.reliability.conftest import free_port

CLUSTER_CONF = DEPLOY_NATS / "cluster" / "nats.conf"
NODES = ("nats-0", "nats-1", "nats-2")


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, f"{CLUSTER_CONF} no longer has {old!r}: update tests/reliability/cluster.py"
    return text.replace(old, new)


@dataclass
class Node:
    name: str
    root: Path
    client: int = field(default_factory=free_port)
    route: int = field(default_factory=free_port)
    monitor: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client}"

    def monitoring(self, path: str) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"http://127.0.0.1:{self.monitor}{path}", timeout=2).json()
        return body


@dataclass
class Cluster:
    """Three nodes from the documented config; `secrets` holds the broker users' passwords."""

    root: Path
    secrets: NatsSecrets
    nodes: dict[str, Node]

    def config(self, node: Node) -> str:
        text = CLUSTER_CONF.read_text()
        text = _swap(text, 'listen: "0.0.0.0:4222"', f'listen: "127.0.0.1:{node.client}"')
        text = _swap(text, 'http: "0.0.0.0:8222"', f'http: "127.0.0.1:{node.monitor}"')
        text = _swap(text, 'store_dir: "/data/jetstream"', f'store_dir: "{node.root / "jetstream"}"')
        text = _swap(text, 'listen: "0.0.0.0:6222"', f'listen: "127.0.0.1:{node.route}"')
        for other in self.nodes.values():
            text = _swap(text, f'"nats-route://{other.name}.nats:6222"', f'"nats-route://127.0.0.1:{other.route}"')
        return text

    def start(self, name: str) -> None:
        node = self.nodes[name]
        node.root.mkdir(parents=True, exist_ok=True)
        conf = node.root / "nats.conf"  # include "../auth.conf" resolves to <root>/auth.conf
        conf.write_text(self.config(node))
        env = {"NATS_SERVER_NAME": name, "PATH": "/usr/bin:/bin", **self.secrets.server_env()}
        with (node.root / "nats.log").open("ab") as log:
            node.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(conf)], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self, name: str) -> None:
        proc = self.nodes[name].process
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for node in self.nodes.values():
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()

    def wait_ready(self, names: tuple[str, ...] = NODES, within_s: float = 30.0) -> None:
        """Until each node's /healthz says ok (JetStream up, meta leader known)."""
        deadline = time.monotonic() + within_s
        for name in names:
            node = self.nodes[name]
            while True:
                assert node.process is not None and node.process.poll() is None, self.log(name)
                try:
                    if node.monitoring("/healthz").get("status") == "ok":
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} not healthy within {within_s}s:\n{self.log(name)}")
                time.sleep(0.1)

    def log(self, name: str) -> str:
        return (self.nodes[name].root / "nats.log").read_text(errors="replace")[-2000:]

    def urls(self) -> list[str]:
        return [n.url for n in self.nodes.values()]

    def operator(self) -> Settings:
        """Settings of a process connecting as the operator (the only user allowed to create the stream)."""
        password = self.secrets.passwords["operator"]
        return Settings(nats_url=self.urls()[0], nats_user="operator", nats_password=password)  # type: ignore[arg-type]


@contextmanager
def cluster(root: Path, started: tuple[str, ...] = NODES) -> Iterator[Cluster]:
    """The three nodes configured, those `started` running and healthy; all stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(AUTH_CONF, root / "auth.conf")
    nodes = {name: Node(name, root / name) for name in NODES}
    c = Cluster(root, init_secrets(root / "data"), nodes)
    try:
        for name in started:
            c.start(name)
        c.wait_ready(started)
        yield c
    finally:
        c.stop_all()
