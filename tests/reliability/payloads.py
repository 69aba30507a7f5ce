"""Hostile command payloads: missing and extra fields, wrong types, huge strings, deep nesting, bad bytes."""

from __future__ import annotations

import importlib
import json
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from services.catalog import COMMANDS

SNIPPETS = (
    "'; drop table pledges; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "../../etc/passwd",
    "ps.evt.>",
    "$JS.API.STREAM.DELETE.PACESETTER",
)
MEGABYTE = "A" * 1_000_000  # under NATS' 1 MiB max_payload with the JSON around it


def command_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for context in sorted(set(COMMANDS.values())):
        for model in importlib.import_module(f"services.{context}.commands").ALL_COMMANDS:
            models[model.__name__] = model
    return models


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


control = st.text(alphabet=st.characters(max_codepoint=0x1F) | st.sampled_from("\u2028\u202e\ufeff\x7f"), max_size=20)
nasty_text = st.one_of(st.sampled_from(SNIPPETS), control, st.text(max_size=50), st.just("長" * 20_000))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.just(10**40), st.just(-1), nasty_text
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3), max_leaves=8
)
nasty_values = st.one_of(values, st.integers(1, 400).map(_nested))


def objects(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """The model's own field names (some missing) with hostile values, plus extra fields; never a valid command."""
    fields = sorted(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kept = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
        body = {name: draw(nasty_values) for name in kept}
        extra = draw(st.dictionaries(nasty_text.filter(lambda k: k not in fields), nasty_values, max_size=2))
        if required <= set(kept) and not extra:
            extra = {"unexpected_field": draw(nasty_values)}  # extra="forbid": refused even if every value fits
        return {**body, **extra}

    return build()


def _raw(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


raw_bytes = st.one_of(
    st.binary(max_size=200),
    st.just(b'{"command_id": "x", "actor": '),
    st.just(b"\xff\xfe\xfa{}"),
    st.just(b'{"command_id": "\xc3\x28"}'),
    st.just(b"[" * 100_000 + b"]" * 100_000),
    st.just(b"null"),
    st.just(b'"a string"'),
    st.just(b""),
)


def payloads(model: type[BaseModel]) -> st.SearchStrategy[bytes]:
    """Hostile objects (kept under NATS' 1 MiB limit), one field as a 1 MB string, or hostile bytes."""
    megabyte = st.sampled_from(sorted(model.model_fields)).map(lambda f: {f: MEGABYTE})
    fitting = objects(model).map(_raw).filter(lambda b: len(b) < 1_000_000)
    return st.one_of(fitting, megabyte.map(_raw), raw_bytes)
