"""Settings from the environment (prefix-free names such as NATS_URL, DATABASE_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.ids import TOKEN


class Settings(BaseSettings):
    """What every Pacesetter process reads; each field can be set from the environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    nats_url: str | None = Field(
        default=None, description="NATS server; unset means the embedded server under data_dir"
    )
    database_url: str | None = Field(
        default=None, description="PostgreSQL DSN; unset means the embedded server under data_dir"
    )
    data_dir: Path = Field(default=Path("var"), description="where the embedded servers keep their data")
    stream_name: str = Field(default="PACESETTER", description="the JetStream stream that is the log")
    stream_replicas: int = Field(default=1, ge=1, le=5)
    duplicate_window_s: float = Field(default=120.0, gt=0)
    provision_wait_s: float = Field(
        default=60.0, gt=0, description="how long provisioning waits for a forming cluster to accept the stream"
    )
    nats_port: int = Field(default=0, ge=0, le=65535, description="embedded NATS port; 0 picks a free one")
    http_host: str = Field(default="127.0.0.1")
    http_port: int = Field(default=8080, ge=0, le=65535, description="read API port; 0 picks a free one")
    command_timeout_s: float = Field(default=5.0, gt=0)
    command_concurrency: int = Field(default=64, ge=1, le=1024, description="commands in flight per replica")
    occ_max_attempts: int = Field(default=8, ge=1, description="decide-append attempts on a conflict")
    read_schema: str = Field(default="read", description="PostgreSQL schema the live projections write")
    projection_batch: int = Field(default=500, ge=1, le=10_000, description="events per transaction when following")
    build_batch: int = Field(
        default=2000, ge=1, le=10_000, description="events per transaction when building (rebuild, replay, build)"
    )
    read_cache_ttl_s: float = Field(
        default=0.02,
        ge=0,
        le=0.1,
        description="how long the read API trusts a projection checkpoint it read before reading it again (0: every"
        " request); a cached leaderboard page can be this much staler than the projection (within the 100 ms lag goal)",
    )
    gc_sweep_s: float = Field(
        default=3600.0,
        ge=0,
        description="services freeze what survives a full garbage collection, so the next one walks only what is"
        " new (its pauses were the command path's p99); every this many seconds one full collection walks"
        " everything, to free garbage cycles among the frozen (0: CPython's default collector)",
    )
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=True, description="JSON logs (false: coloured console lines)")
    nats_secure: bool = Field(
        default=False, description="embedded NATS with deploy/nats/auth.conf and generated passwords (up --secure)"
    )
    nats_user: str | None = Field(default=None, description="NATS user of this process; unset: no credentials")
    nats_password: SecretStr | None = Field(default=None, description="password of NATS_USER")
    nats_creds_file: Path | None = Field(default=None, description="NATS .creds file (JWT + nkey seed)")
    nats_inbox_prefix: str | None = Field(default=None, description="reply inboxes; default _INBOX.<NATS_USER>")
    organisation: str = Field(
        default="default",
        pattern=rf"^{TOKEN}$",
        description="the organisation the CLI and examples act for (a subject token of commands and events)",
    )
    organisations: str = Field(
        default="default",
        pattern=rf"^\s*{TOKEN}\s*(,\s*{TOKEN}\s*)*$",
        description="comma-separated organisations this deployment serves (up --secure: an integration user each)",
    )
    read_api_public: bool = Field(
        default=True,
        description="anonymous reads of the boards; false: every read needs an organiser token or ADMIN_TOKEN",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="bearer token of the read API's admin endpoints; unset: generated under data_dir"
    )


def organisations_of(settings: Settings) -> tuple[str, ...]:
    """The organisations of ORGANISATIONS, in order, without blanks or repeats."""
    return tuple(dict.fromkeys(o.strip() for o in settings.organisations.split(",") if o.strip()))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
