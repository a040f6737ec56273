from __future__ import annotations

import pytest

from allocator.domain import parse_household
from allocator.errors import InputError

HEAD = {"age": 40, "sex": "female", "relation": "head"}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"income": -1}, "income"),
        ({"income": "1000"}, "income"),
        ({"housing": "palace"}, "housing"),
        ({"members": []}, "members"),
        ({"members": [{**HEAD, "age": 121}]}, "members[0].age"),
        ({"members": [{**HEAD, "sex": "x"}]}, "members[0].sex"),
        ({"members": [{**HEAD, "disability_type": "visual"}]}, "members[0]"),
        ({"members": [HEAD, HEAD]}, "household"),
        ({"extra": 1}, "extra"),
    ],
)
def test_invalid_households_name_the_field(patch: dict, field: str) -> None:
    data = {
        "household_id": 1,
        "neighborhood_id": 1,
        "income": 0,
        "assets": 0,
        "members": [HEAD],
        **patch,
    }
    with pytest.raises(InputError) as info:
        parse_household(data)
    assert str(info.value).startswith(field)
    assert [f for f, _ in info.value.errors] == [field]


def test_malformed_json() -> None:
    with pytest.raises(InputError):
        parse_household("{not json")


@pytest.mark.parametrize("missing", ["income", "assets"])
def test_an_amount_left_out_is_refused_not_read_as_zero(missing: str) -> None:
    data = {"household_id": 1, "neighborhood_id": 1, "income": 5, "assets": 5, "members": [HEAD]}
    del data[missing]
    with pytest.raises(InputError) as info:
        parse_household(data)
    assert str(info.value) == f"{missing}: required"
    assert info.value.field == missing


def test_every_problem_of_a_household_is_reported_at_once() -> None:
    bad = {
        "household_id": 0,
        "neighborhood_id": 1,
        "assets": -5,
        "housing": "palace",
        "members": [
            {**HEAD, "age": 200},
            {"age": 3, "sex": "x", "relation": "head", "disability_type": "visual"},
            {"sex": "male", "relation": "child", "insured": "yes"},
        ],
    }
    with pytest.raises(InputError) as info:
        parse_household(bad)
    fields = [f for f, _ in info.value.errors]
    assert fields == [
        "household_id",
        "income",
        "assets",
        "housing",
        "members[0].age",
        "members[1].sex",
        "members[2].age",
        "members[2].insured",
        "household",  # two heads: a cross-field check, reported with the field errors
        "members[1]",  # a disability type without a severity
    ]
    message = str(info.value)
    assert message.startswith("10 problems: household_id: ")
    assert "income: required" in message and "members[2].age: required" in message
    assert "exactly one member with relation 'head', not 2" in message
    assert info.value.field == "household_id"


def test_a_valid_household_passes_the_cross_field_checks() -> None:
    ok = {"household_id": 1, "neighborhood_id": 1, "income": 0, "assets": 0, "members": [HEAD]}
    assert parse_household(ok).income == 0
