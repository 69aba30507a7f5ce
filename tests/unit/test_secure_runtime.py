"""Generated broker credentials: one per user, owner-only file, stable across loads, client options."""

from __future__ import annotations

import stat
from pathlib import Path

from faststream.security import SASLPlaintext
from pydantic import SecretStr

from shared.natsauth import broker_options, client_options
from shared.runtime.secure import USERS, auth_include, init_secrets, load_secrets, secrets_file
from shared.settings import Settings


def test_init_generates_a_distinct_password_per_user_in_an_owner_only_file(tmp_path: Path) -> None:
    secrets = init_secrets(tmp_path)
    assert set(secrets.passwords) == set(USERS)
    assert len(set(secrets.passwords.values())) == len(USERS)
    assert stat.S_IMODE(secrets_file(tmp_path).stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_file(tmp_path).parent.stat().st_mode) == 0o700
    assert load_secrets(tmp_path) == secrets
    assert init_secrets(tmp_path) == secrets
    assert init_secrets(tmp_path, replace=True) != secrets


def test_every_user_in_auth_conf_gets_a_password_variable(tmp_path: Path) -> None:
    env = init_secrets(tmp_path).server_env()
    conf = (Path(__file__).parents[2] / "deploy" / "nats" / "auth.conf").read_text()
    assert all(f"${name}" in conf for name in env)
    assert 'password: "' not in conf and "password: '" not in conf


def test_auth_include_is_relative_to_the_server_folder(tmp_path: Path) -> None:
    line = auth_include(tmp_path / "nats")
    assert line.startswith('include "') and line.rstrip().endswith('deploy/nats/auth.conf"')
    assert not line.split('"')[1].startswith("/")


def test_no_credentials_means_no_options() -> None:
    settings = Settings(nats_user=None, nats_password=None, nats_creds_file=None, nats_inbox_prefix=None)
    assert client_options(settings) == {} and broker_options(settings) == {}


def test_user_and_password_give_a_per_user_inbox(tmp_path: Path) -> None:
    settings = Settings(nats_user="pledges", nats_password=SecretStr("pw"), nats_creds_file=None)
    assert client_options(settings) == {"user": "pledges", "password": "pw", "inbox_prefix": "_INBOX.pledges"}
    broker = broker_options(settings)
    assert isinstance(broker["security"], SASLPlaintext)
    assert (broker["security"].username, broker["security"].password) == ("pledges", "pw")
    assert broker["inbox_prefix"] == "_INBOX.pledges"
