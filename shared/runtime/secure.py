"""The secure embedded stack: generated NATS passwords, the server started with the rendered auth.conf.

Credentials live in `<DATA_DIR>/secrets/nats.env` (mode 0600, one `PS_NATS_PASSWORD_<USER>=...` a line),
never in the repository. The server reads them from its environment; each process gets its own
`NATS_USER`/`NATS_PASSWORD` from `client_env`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from shared.runtime.authconf import SERVICE_USERS, integration_user, password_variable, render
from shared.runtime.embedded import EmbeddedNats
from shared.secretfile import new_secret, write_secret_file
from shared.settings import Settings, organisations_of
from shared.subjects import DEFAULT_ORGANISATION

DEPLOY_NATS = Path(__file__).resolve().parents[2] / "deploy" / "nats"
AUTH_CONF = DEPLOY_NATS / "auth.conf"
DEFAULT_ORGANISATIONS = (DEFAULT_ORGANISATION,)


def users(organisations: Sequence[str] = DEFAULT_ORGANISATIONS) -> tuple[str, ...]:
    """Every broker user of a deployment serving these organisations, in auth.conf's order."""
    return (*SERVICE_USERS, "projections", *(integration_user(o) for o in organisations), "operator")


USERS = users()


def secrets_file(data_dir: Path) -> Path:
    return data_dir / "secrets" / "nats.env"


@dataclass(frozen=True)
class NatsSecrets:
    """One password per broker user."""

    passwords: Mapping[str, str]

    def server_env(self) -> dict[str, str]:
        """What nats-server needs in its environment to load auth.conf."""
        return {password_variable(u): p for u, p in self.passwords.items()}

    def client_env(self, user: str) -> dict[str, str]:
        """What a Pacesetter process running as `user` needs in its environment (see shared.natsauth)."""
        return {"NATS_USER": user, "NATS_PASSWORD": self.passwords[user]}


def init_secrets(
    data_dir: Path, *, replace: bool = False, organisations: Sequence[str] = DEFAULT_ORGANISATIONS
) -> NatsSecrets:
    """A password per user in the secrets file (0600): existing ones are kept unless `replace`, a user of a
    newly served organisation gets a new one."""
    path = secrets_file(data_dir)
    known = {} if replace or not path.exists() else dict(load_secrets(data_dir, organisations).passwords)
    wanted = users(organisations)
    if path.exists() and not replace and set(known) == set(wanted):
        return NatsSecrets(known)
    generated = NatsSecrets({u: known.get(u) or new_secret() for u in wanted})
    lines = [f"{k}={v}\n" for k, v in generated.server_env().items()]
    write_secret_file(path, "".join(lines), replace=path.exists())
    return generated


def load_secrets(data_dir: Path, organisations: Sequence[str] = DEFAULT_ORGANISATIONS) -> NatsSecrets:
    """The passwords in the secrets file; raises FileNotFoundError if none were generated."""
    values = dict(line.split("=", 1) for line in secrets_file(data_dir).read_text().splitlines() if "=" in line)
    wanted = users(organisations)
    return NatsSecrets({u: values[password_variable(u)] for u in wanted if password_variable(u) in values})


def auth_include(server_root: Path, auth_conf: Path = AUTH_CONF) -> str:
    """The config line that loads auth.conf into the nats.conf EmbeddedNats writes under `server_root`."""
    relative = os.path.relpath(auth_conf.resolve(), server_root.resolve())
    return f'include "{relative}"\n'


@contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start_secure_nats(
    root: Path,
    secrets: NatsSecrets,
    port: int = 0,
    name: str = "pacesetter",
    organisations: Sequence[str] = DEFAULT_ORGANISATIONS,
) -> EmbeddedNats:
    """Start an embedded nats-server with auth.conf rendered for `organisations` into `root`; the caller stops it."""
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "auth.conf"
    conf.write_text(render(organisations))
    server = EmbeddedNats(root, port=port, name=name, extra_config=auth_include(root, conf))
    with _environment(secrets.server_env()):  # nats-server resolves $PS_NATS_PASSWORD_* when it starts
        server.start()
    return server


def init_deploy_env(
    folder: Path, *, replace: bool = False, organisations: Sequence[str] = DEFAULT_ORGANISATIONS
) -> Path:
    """Write `<folder>/deploy.env` (0600): every broker password, POSTGRES_PASSWORD and ADMIN_TOKEN.

    Compose reads it with `--env-file`; Kubernetes takes it as a Secret (`kubectl create secret generic
    pacesetter --from-env-file`). Raises FileExistsError if it exists, unless `replace`.
    """
    values = {
        **NatsSecrets({u: new_secret() for u in users(organisations)}).server_env(),
        "POSTGRES_PASSWORD": new_secret(),
        "ADMIN_TOKEN": new_secret(),
    }
    path = folder / "deploy.env"
    write_secret_file(path, "".join(f"{k}={v}\n" for k, v in values.items()), replace=replace)
    return path


def _embedded_secure(settings: Settings) -> bool:
    return settings.nats_secure and not settings.nats_url


def as_operator(settings: Settings) -> Settings:
    """For `up --secure`: the stack itself (stream creation, health checks) connects as `operator`."""
    if not _embedded_secure(settings):
        return settings
    password = init_secrets(settings.data_dir, organisations=organisations_of(settings)).passwords["operator"]
    return settings.model_copy(update={"nats_user": "operator", "nats_password": SecretStr(password)})


def service_credentials(settings: Settings, service: str) -> dict[str, str]:
    """For `up --secure`: the environment that makes `service` connect as its own broker user."""
    if not _embedded_secure(settings):
        return {}
    secrets = init_secrets(settings.data_dir, organisations=organisations_of(settings))
    return {**secrets.client_env(service), "NATS_INBOX_PREFIX": ""}
