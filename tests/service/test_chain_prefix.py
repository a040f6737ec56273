"""The writer's fast content prefix is byte for byte the chain's canonical JSON.

:func:`~allocator.service.chain.content_prefix_bytes` escapes text fields with orjson when
it is installed; the hash chain is defined by :func:`~allocator.service.chain.row_hash`
(the standard library's JSON), which the verifier walks. Any difference would make every
recorded decision fail verification.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.service import chain
from allocator.service.chain import (
    CHAINED_FIELDS,
    content_prefix,
    content_prefix_bytes,
    hash_from_prefix,
    json_string,
    row_hash,
)

TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
VALUE = st.one_of(TEXT, st.integers(-(2**70), 2**70))


@st.composite
def rows(draw: Any) -> dict[str, Any]:
    row = {name: draw(VALUE) for name in CHAINED_FIELDS}
    return row | {"seq": draw(st.integers(1, 2**40))}


@pytest.fixture(params=["installed", "standard library"])
def dumps(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "standard library":
        monkeypatch.setattr(chain, "_DUMPS", None)
    elif chain._DUMPS is None:
        pytest.skip("orjson is not installed")
    return str(request.param)


# The fixture only picks the escaper, the same for every example.
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(FIXTURE_OK, max_examples=300, deadline=None)
@given(row=rows())
def test_the_fast_prefix_is_the_canonical_one(dumps: str, row: dict[str, Any]) -> None:
    prefix = content_prefix_bytes(row)
    assert prefix == content_prefix(row).encode()
    assert hash_from_prefix("a" * 64, prefix, row["seq"]) == row_hash("a" * 64, row)


@FIXTURE_OK
@given(text=TEXT)
def test_text_is_escaped_as_canonical_json_does(dumps: str, text: str) -> None:
    assert json_string(text) == chain.canonical_json(text).encode()


def test_every_control_character_and_the_odd_ones(dumps: str) -> None:
    text = "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029é😀'
    assert json_string(text) == chain.canonical_json(text).encode()


def test_a_lone_surrogate_fails_as_before(dumps: str) -> None:
    with pytest.raises(UnicodeEncodeError):
        json_string("a\ud800")
    with pytest.raises(UnicodeEncodeError):
        content_prefix(dict.fromkeys(CHAINED_FIELDS, "a\ud800")).encode()
