"""National IDs: generated valid IDs pass, and single-digit changes are caught.

The official check (``r = Σ d_i (10 - i) mod 11``; check digit ``r`` if ``r < 2`` else
``11 - r``) maps both ``r = 1`` and ``r = 10`` to the check digit 1. A change of one of the
first nine digits always changes ``r`` (11 is prime and no weight or difference is a multiple
of it), so it is caught unless it moves ``r`` between 1 and 10: about 1.6% of single-digit
changes, which no implementation of this check can catch. The properties below say exactly
that, in both directions.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from allocator.domain import nationalid
from allocator.domain.household import Member
from allocator.importing.identifiers import national_ids

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def _remainder(code: str) -> int:
    return sum(int(d) * (10 - i) for i, d in enumerate(code[:9])) % 11


def _valid_id(first: str) -> str:
    return first + str(nationalid.check_digit(first))


@given(nine_digits)
def test_generated_ids_pass(first: str) -> None:
    code = _valid_id(first)
    expected = code != code[0] * 10
    assert nationalid.is_valid(code) is expected
    ids, problems = national_ids(pa.array([code]))
    assert (ids[0].as_py() == code) is expected
    assert (problems == []) is expected


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_one_changed_digit_is_detected(first: str, position: int, shift: int) -> None:
    code = _valid_id(first)
    digit = (int(code[position]) + shift) % 10
    changed = code[:position] + str(digit) + code[position + 1 :]
    blind_spot = position < 9 and {_remainder(code), _remainder(changed)} == {1, 10}
    assert nationalid.is_valid(changed) is (blind_spot and changed != changed[0] * 10)
    vector, _ = national_ids(pa.array([changed]))
    assert (vector[0].as_py() is not None) is nationalid.is_valid(changed)


def test_the_blind_spot_exists() -> None:
    assert nationalid.is_valid("2168423091") and nationalid.is_valid("2168423891")


def test_masked_everywhere() -> None:
    bad = "2168423092"
    reason = nationalid.problem(bad)
    assert reason is not None and bad not in reason and "3092" in reason
    try:
        Member.model_validate({"age": 30, "sex": "male", "relation": "head", "national_id": bad})
    except ValueError as exc:
        assert "***-***-3092" in str(exc) and bad not in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an invalid national ID was accepted")
    _, problems = national_ids(pa.array([bad, "12-34"]))
    assert all(bad not in str(p) for p in problems)


def test_excel_zero_padding_and_persian_digits() -> None:
    ids, problems = national_ids(pa.array(["۰۰۱۲۳۴۵۶۷۹", "12345679", "٠٠١٢٣٤٥٦٧٩", "001-234567-9"]))
    assert ids.to_pylist() == ["0012345679"] * 4 and problems == []
