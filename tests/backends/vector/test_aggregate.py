"""Member -> household aggregations, including empty households and empty ``where``."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.api.variables import Aggregation
from allocator.backends.vector.aggregate import aggregate
from allocator.backends.vector.compile import Compiler
from allocator.backends.vector.frame import Frame
from allocator.backends.vector.layout import Layout
from allocator.domain.valuetypes import FLOAT, INT
from allocator.expressions.parser import parse

# Four households: sizes 2, 0, 3, 1.
OFFSETS = np.array([0, 2, 2, 5, 6])
AGE = np.array([40, 8, 70, 3, 33, 90], dtype=np.int16)
WEIGHT = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])


def run(
    function: str,
    of: str | None = None,
    where: str | None = None,
    default: float | int | None = None,
) -> list[object]:
    types = {("member", "age"): INT, ("member", "weight"): FLOAT}
    c = Compiler(lambda e, n: types[(e, n)], {"adult": 18})
    layout = Layout.of(OFFSETS)
    rows = layout.member_rows
    members = Frame(6, {"age": AGE[rows], "weight": WEIGHT[rows]})
    agg = Aggregation(function, parse(of) if of else None, parse(where) if where else None, default)
    found = aggregate(
        agg,
        members,
        layout,
        c.compile(agg.of, "member") if agg.of else None,
        c.compile(agg.where, "member") if agg.where else None,
    )
    in_batch_order = np.empty_like(found)
    in_batch_order[layout.order] = found
    return in_batch_order.tolist()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("count",), [2, 0, 3, 1]),
        (("count", None, "age < params.adult"), [1, 0, 1, 0]),
        (("count", None, "age > 200"), [0, 0, 0, 0]),
        (("any", None, "age >= 65"), [False, False, True, True]),
        (("sum", "age"), [48, 0, 106, 90]),
        (("sum", "age", "age >= params.adult"), [40, 0, 103, 90]),
        (("sum", "age", "age > 200"), [0, 0, 0, 0]),
        (("min", "age"), [8, 0, 3, 90]),
        (("max", "age"), [40, 0, 70, 90]),
        (("min", "age", "age >= params.adult", 99), [40, 99, 33, 90]),
        (("max", "age", "age < params.adult", -1), [8, -1, 3, -1]),
        (("max", "age", "age > 200", 0.5), [0.5, 0.5, 0.5, 0.5]),
        (("min", "weight", "age > 35", 7.0), [0.1, 7.0, 0.3, 0.6]),
        (("sum", "weight"), [0.1 + 0.2, 0.0, 0.3 + 0.4 + 0.5, 0.6]),
    ],
)
def test_aggregations(args: tuple[object, ...], expected: list[object]) -> None:
    assert run(*args) == expected  # type: ignore[arg-type]


def test_float_sums_add_members_in_order() -> None:
    values = np.array([1e16, 1.0, -1e16, 1.0] * 3 + [-0.0])
    offsets = np.array([0, 4, 12, 13])
    python = [sum(values[0:4].tolist()), sum(values[4:12].tolist()), sum(values[12:].tolist())]
    layout = Layout.of(offsets)
    found = layout.sum(values[layout.member_rows], np.float64)
    assert found[np.argsort(layout.order)].tolist() == python
    assert str(python[2]) == "0.0"  # Python's sum starts from 0: -0.0 becomes 0.0


def test_layout_sorts_households_largest_first_stably() -> None:
    layout = Layout.of(np.array([0, 1, 3, 3, 5, 6]))  # sizes 1, 2, 0, 2, 1
    assert layout.order.tolist() == [1, 3, 0, 4, 2]
    assert layout.counts == (4, 2)
    assert layout.sizes.tolist() == [2, 2, 1, 1, 0]
    assert layout.member_household.tolist() == [0, 1, 2, 3, 0, 1]
    assert layout.spread(np.array([5, 6, 7, 8, 9])).tolist() == [5, 6, 7, 8, 5, 6]
