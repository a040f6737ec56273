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
    data = {"household_id": 1, "neighborhood_id": 1, "members": [HEAD], **patch}
    with pytest.raises(InputError) as info:
        parse_household(data)
    assert str(info.value).startswith(field)


def test_malformed_json() -> None:
    with pytest.raises(InputError):
        parse_household("{not json")
