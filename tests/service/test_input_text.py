"""The household's JSON in the chain, written by orjson, is the standard library's text."""

from __future__ import annotations

import json
from typing import Any

from allocator.data.presets import DATA_PRESETS
from allocator.domain import Household
from allocator.service.chain import (
    CHAINED_FIELDS,
    canonical_json,
    content_prefix,
    content_prefix_bytes,
)
from allocator.service.state import input_text
from tests.backends.explained.test_python_parity import preset_households


def _types(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        kind = schema.get("type")
        found |= {kind} if isinstance(kind, str) else set(kind or [])
        for value in schema.values():
            found |= _types(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _types(value)
    return found


def test_a_household_holds_no_float() -> None:
    """orjson and the standard library write floats differently (1e-7, 1e-07): the
    shortcut is exact only while the model has none."""
    assert "number" not in _types(Household.model_json_schema())


def test_the_text_is_canonical_json() -> None:
    for preset in DATA_PRESETS:
        for household, _ in preset_households(preset, seed=3):
            data = household.model_dump(mode="json")
            assert input_text(household) == canonical_json(data)
            assert json.loads(input_text(household)) == data


def test_a_row_s_prefix_with_integers_is_the_canonical_text() -> None:
    """Integers are written as their digits, beside text and other values."""
    for number in (0, 7, -3, 2**40, 2**70):
        row = {name: "ü" for name in CHAINED_FIELDS} | {"household_id": number}
        row |= {"neighborhood_id": True, "seq": 1}
        assert content_prefix_bytes(row) == content_prefix(row).encode()
