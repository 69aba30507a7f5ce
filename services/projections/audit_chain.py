"""The audit trail's hash chain, pure: recomputed from raw log events by the projection and by `audit verify`.

hash_n = sha256(hash_{n-1} || seq_n as 8 bytes big-endian || subject_n as UTF-8 || 0x00 || raw data bytes_n),
with hash_0 = 32 zero bytes before the first event the chain covers. The raw bytes are the message
payload exactly as stored in the stream (the JSON envelope), so any edit of any event, or of its place
in the log, changes every hash from there on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.records import RawEvent

GENESIS = bytes(32)


def link(prev: bytes, seq: int, subject: str, data: bytes) -> bytes:
    return hashlib.sha256(prev + seq.to_bytes(8, "big") + subject.encode() + b"\x00" + data).digest()


def recompute(raws: Iterable[RawEvent], prev: bytes = GENESIS) -> list[tuple[int, bytes]]:
    """(seq, hash) for each event in order, chained from `prev`."""
    out: list[tuple[int, bytes]] = []
    for raw in raws:
        prev = link(prev, raw.seq, raw.subject, raw.data)
        out.append((raw.seq, prev))
    return out


@dataclass(frozen=True, slots=True)
class Divergence:
    """The first sequence where the stored chain and the recomputed one differ (`stored` None: missing)."""

    seq: int
    recomputed: bytes
    stored: bytes | None


def verify(raws: Iterable[RawEvent], stored: Mapping[int, bytes], prev: bytes = GENESIS) -> Divergence | None:
    """None when every stored hash equals the chain recomputed from `raws`, else the first divergence."""
    for seq, digest in recompute(raws, prev):
        if stored.get(seq) != digest:
            return Divergence(seq, digest, stored.get(seq))
    return None
