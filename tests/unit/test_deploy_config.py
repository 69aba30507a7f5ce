"""The files in deploy/: NATS configs pass `nats-server -t`, Compose and Kubernetes YAML say what the docs say."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.runtime.authconf import OrganisationClash, password_variable, render
from shared.runtime.embedded import nats_server_binary
from shared.runtime.secure import USERS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NATS_CONFS = sorted((DEPLOY / "nats").rglob("*.conf"))
SERVICES = ("campaigns", "pledges", "evaluation", "awards", "projections")
IMAGE = "pacesetter:latest"


def nats_check(conf: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PS_NATS_PASSWORD_")}
    return subprocess.run(
        [nats_server_binary(), "-t", "-c", str(conf)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
        cwd=conf.parent,
    )


def secrets_env() -> dict[str, str]:
    return {password_variable(u): f"pw-{u}" for u in USERS} | {"NATS_SERVER_NAME": "nats-0"}


def load_all(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def k8s(kind: str) -> dict[str, dict[str, Any]]:
    found = [d for f in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in load_all(f) if d.get("kind") == kind]
    return {d["metadata"]["name"]: d for d in found}


def container_env(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_there_are_nats_configs_to_check() -> None:
    assert {p.relative_to(DEPLOY).as_posix() for p in NATS_CONFS} >= {"nats/auth.conf", "nats/cluster/nats.conf"}


@pytest.mark.parametrize("conf", NATS_CONFS, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_nats_config_is_valid(conf: Path) -> None:
    result = nats_check(conf, secrets_env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("conf", NATS_CONFS, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_nats_config_needs_the_generated_passwords(conf: Path) -> None:
    result = nats_check(conf, {"NATS_SERVER_NAME": "nats-0"})
    assert result.returncode != 0 and "PS_NATS_PASSWORD_" in result.stderr


def test_cluster_config_states_its_durability_and_routes_to_three_nodes() -> None:
    text = (DEPLOY / "nats" / "cluster" / "nats.conf").read_text()
    assert re.search(r"^\s*sync_interval:\s*always\s*$", text, re.M)
    assert sorted(re.findall(r"nats-route://(nats-\d)\.nats:6222", text)) == ["nats-0", "nats-1", "nats-2"]
    assert "server_name: $NATS_SERVER_NAME" in text and "replicas 3" in text


def test_only_the_operator_is_unrestricted_and_no_password_is_written_down() -> None:
    text = (DEPLOY / "nats" / "auth.conf").read_text()
    users = re.findall(r"\{ user: (\w+), password: \$(\w+)", text)
    assert users == [(u, password_variable(u)) for u in USERS]
    blocks = re.split(r"\{ user: ", text)[1:]
    assert [b.split(",")[0] for b in blocks if "permissions" not in b] == ["operator"]
    for block in blocks[:-1]:
        assert "$JS.API.STREAM.DELETE.>" in block and "$JS.API.STREAM.PURGE.>" in block


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_a_three_node_cluster_with_replicas_three() -> None:
    services = compose()["services"]
    nodes = {n: s for n, s in services.items() if n.startswith("nats-") and n != "nats-init"}
    assert sorted(nodes) == ["nats-0", "nats-1", "nats-2"]
    assert {s["environment"]["NATS_SERVER_NAME"] for s in nodes.values()} == set(nodes)
    for node in nodes.values():
        assert node["command"] == ["-c", "/etc/nats/cluster/nats.conf"]
        assert version(node["image"]) >= (2, 12)
        assert set(node["environment"]) >= {password_variable(u) for u in USERS}
    assert services["nats-init"]["environment"]["NATS_USER"] == "operator"


def test_compose_runs_each_service_from_one_image_as_its_own_user() -> None:
    services = compose()["services"]
    assert set(services) >= {*SERVICES, "postgres"}
    for name in SERVICES:
        svc = services[name]
        assert svc["image"] == IMAGE and svc["command"] == [f"services.{name}"]
        assert svc["environment"]["NATS_USER"] == name
        assert svc["environment"]["STREAM_REPLICAS"] == "3"
        assert svc["environment"]["NATS_PASSWORD"].startswith(f"${{{password_variable(name)}:?")
        assert svc["deploy"]["replicas"] >= 2
    assert (DEPLOY.parent / services["campaigns"]["build"]["dockerfile"]).is_file()
    assert "ADMIN_TOKEN" in services["projections"]["environment"]


def test_compose_holds_no_literal_secret() -> None:
    for line in (DEPLOY / "compose.yaml").read_text().splitlines():
        if re.search(r"PASSWORD|TOKEN", line) and ":" in line and "valueFrom" not in line:
            assert "${" in line or line.strip().startswith("#") or line.strip().endswith(":"), line


def version(image: str) -> tuple[int, int]:
    major, minor = re.match(r"nats:(\d+)\.(\d+)", image).groups()  # type: ignore[union-attr]
    return int(major), int(minor)


def test_kubernetes_runs_nats_as_a_three_replica_statefulset() -> None:
    nats = k8s("StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    (container,) = nats["spec"]["template"]["spec"]["containers"]
    assert version(container["image"]) >= (2, 12)
    assert container_env(nats)["NATS_SERVER_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert k8s("PodDisruptionBudget")["nats"]["spec"]["maxUnavailable"] == 1


def test_kubernetes_config_map_is_the_files_in_deploy_nats() -> None:
    data = k8s("ConfigMap")["nats-config"]["data"]
    assert data["auth.conf"] == (DEPLOY / "nats" / "auth.conf").read_text()
    assert data["nats.conf"] == (DEPLOY / "nats" / "cluster" / "nats.conf").read_text()


def test_kubernetes_runs_each_service_as_a_deployment_with_its_own_credentials() -> None:
    deployments = k8s("Deployment")
    assert set(deployments) == set(SERVICES)
    for name, d in deployments.items():
        (container,) = d["spec"]["template"]["spec"]["containers"]
        assert container["image"] == IMAGE and container["args"] == [f"services.{name}"]
        assert d["spec"]["replicas"] >= 2
        env = container_env(d)
        assert env["NATS_USER"] == name and env["STREAM_REPLICAS"] == "3"
        assert env["NATS_PASSWORD"] == {"secretKeyRef": {"name": "pacesetter", "key": password_variable(name)}}
    assert "ADMIN_TOKEN" in container_env(deployments["projections"])
    assert container_env(k8s("Job")["pacesetter-provision"])["NATS_USER"] == "operator"


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}


def test_the_committed_auth_conf_is_the_rendering_for_the_default_organisation() -> None:
    assert (DEPLOY / "nats" / "auth.conf").read_text() == render()


def test_each_organisation_gets_an_integration_user_scoped_to_its_subjects(tmp_path: Path) -> None:
    conf = tmp_path / "auth.conf"
    conf.write_text(render(("default", "bureau-a")))
    users = re.findall(r"\{ user: ([\w-]+), password: \$(\w+)", conf.read_text())
    assert ("integration-bureau-a", "PS_NATS_PASSWORD_INTEGRATION_BUREAU_A") in users
    block = conf.read_text().split("{ user: integration-bureau-a,")[1].split("{ user:")[0]
    assert '"ps.cmd.*.bureau-a.>"' in block and '"ps.evt.*.bureau-a.>"' in block and "default" not in block
    env = {variable: f"pw-{user}" for user, variable in users}
    result = nats_check(conf, env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("organisations", [("a-b", "a_b"), ("x", "X")])
def test_organisations_whose_users_would_clash_are_refused(organisations: tuple[str, str]) -> None:
    with pytest.raises(OrganisationClash):
        render(organisations)
