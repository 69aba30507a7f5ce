"""Generated secrets are safe as nats-server config variables (a leading digit or '-' fails the config)."""

from __future__ import annotations

from shared.secretfile import new_secret


def test_every_generated_secret_starts_with_a_letter_and_is_long() -> None:
    secrets = [new_secret() for _ in range(500)]
    assert all(s[0].isalpha() and len(s) >= 43 for s in secrets)
    assert len(set(secrets)) == len(secrets)
