"""Voter keys: the keyed pseudonym that stands for a voter in a secret round, and the ballot boundary id.

The service secret (settings) derives one secret per round; a voter's key in a secret round is
HMAC(round secret, voter id), so the log proves one ballot per voter without ever naming the voter, and
nobody without the service secret can tell whose ballot a key is. In an open round, where the ballot
names the voter anyway, the key is a plain digest of (round, voter).
"""

from __future__ import annotations

import hashlib
import hmac

from shared.events import Actor, Role

KEY_HEX = 32


def round_secret(service_secret: bytes, round_id: str) -> bytes:
    """The secret of one round, derived from the service's ballot secret."""
    return hmac.new(service_secret, f"pacesetter/evaluation/round/{round_id}".encode(), hashlib.sha256).digest()


def key_check(secret: bytes) -> str:
    """A fingerprint of a round secret, stored at the opening so a replica with another secret is caught."""
    return hmac.new(secret, b"pacesetter/evaluation/key-check", hashlib.sha256).hexdigest()[:16]


def voter_key(round_id: str, voter_id: str, secret: bytes | None) -> str:
    """The voter's key in the round: HMAC(round secret, voter id) if secret, else a digest of (round, voter)."""
    if secret is None:
        return hashlib.sha256(f"{round_id}/{voter_id}".encode()).hexdigest()[:KEY_HEX]
    return hmac.new(secret, voter_id.encode(), hashlib.sha256).hexdigest()[:KEY_HEX]


def ballot_boundary(round_id: str, key: str) -> str:
    """The (round, voter) boundary id; a key is hex, so the id splits back unambiguously at its last '_'."""
    return f"{round_id}_{key}"


def pseudonymous_actor(key: str) -> Actor:
    """The actor a secret ballot's envelope records: the voter's key, never the voter."""
    return Actor(member_id=f"voter-{key}", role=Role.voter)
