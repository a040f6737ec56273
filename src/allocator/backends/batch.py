"""A columnar batch of households and their members, ready for the array engine.

Members are sorted by household: the members of household ``i`` are rows
``offsets[i]:offsets[i + 1]`` of the member arrays, and ``member_household[j]`` is the row of
member ``j``'s household. Enum columns hold small integer codes, the position of the value in
:data:`allocator.domain.enums.ENUM_TYPES`; household columns include the neighborhood facts
rules read (``urban``, ``custodian``, program membership).

Examples:
    >>> from allocator.domain import Neighborhood, parse_household
    >>> nb = Neighborhood(neighborhood_id=1, name="n", province="Tehran", county="T-1",
    ...                   setting="rural", custodian="imam_order")
    >>> hh = parse_household({"household_id": 5, "neighborhood_id": 1, "income": 0, "assets": 0,
    ...     "members": [
    ...     {"age": 40, "sex": "female", "relation": "head"},
    ...     {"age": 9, "sex": "male", "relation": "child"}]})
    >>> b = Batch.from_models([hh], {1: nb})
    >>> b.n_households, b.n_members, b.offsets.tolist(), b.household["custodian"].tolist()
    (1, 2, [0, 2], [3])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from allocator.domain.enums import ENUM_TYPES
from allocator.domain.household import Household
from allocator.domain.inputs import INPUT_VARIABLES, household_inputs, member_inputs
from allocator.domain.neighborhood import Neighborhood
from allocator.domain.valuetypes import ValueType
from allocator.types import Array, IntArray

#: The NumPy dtype each kind of input variable is stored in (ints keep their file width).
KIND_DTYPES: dict[str, type[np.generic]] = {
    "bool": np.bool_,
    "int": np.int64,
    "float": np.float64,
    "enum": np.int8,
}


def enum_codes(enum: str) -> dict[str, int]:
    """Code of each value of ``enum``.

    Examples:
        >>> enum_codes("sex")
        {'female': 0, 'male': 1}
    """
    return {value: i for i, value in enumerate(ENUM_TYPES[enum])}


def offsets_from_index(member_household: IntArray, n_households: int) -> IntArray:
    """Segment offsets (length ``n + 1``) of a sorted member -> household index.

    Examples:
        >>> offsets_from_index(np.array([0, 0, 2]), 3).tolist()
        [0, 2, 2, 3]
    """
    counts = np.bincount(member_household, minlength=n_households)
    offsets = np.zeros(n_households + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


@dataclass
class Batch:
    """Household and member columns of one batch (see the module docstring).

    Attributes:
        household_id: id of each household row.
        neighborhood_id: neighborhood of each household row.
        household: household input columns, by variable name.
        member: member input columns, by variable name.
        offsets: ``n_households + 1`` segment bounds into the member rows.
    """

    household_id: IntArray
    neighborhood_id: IntArray
    household: dict[str, Array]
    member: dict[str, Array]
    offsets: IntArray

    @cached_property
    def member_household(self) -> IntArray:
        """Household row of each member (built on first use: the kernels need only offsets)."""
        return np.repeat(np.arange(self.n_households), self.sizes)

    @property
    def n_households(self) -> int:
        return len(self.household_id)

    @property
    def n_members(self) -> int:
        return int(self.offsets[-1])

    @property
    def sizes(self) -> IntArray:
        """Number of members of each household."""
        return np.diff(self.offsets)

    def take(self, rows: IntArray) -> Batch:
        """The batch of households ``rows`` (in that order) and their members."""
        sizes = self.sizes[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        starts = self.offsets[rows]
        member_rows = np.repeat(starts - offsets[:-1], sizes) + np.arange(offsets[-1])
        return Batch(
            household_id=self.household_id[rows],
            neighborhood_id=self.neighborhood_id[rows],
            household={k: v[rows] for k, v in self.household.items()},
            member={k: v[member_rows] for k, v in self.member.items()},
            offsets=offsets,
        )

    @classmethod
    def from_models(
        cls, households: Sequence[Household], neighborhoods: Mapping[int, Neighborhood]
    ) -> Batch:
        """A batch built from validated household models (slow; for tests and small inputs)."""
        hh_rows = [household_inputs(h, neighborhoods[h.neighborhood_id]) for h in households]
        m_rows = [member_inputs(m) for h in households for m in h.members]
        sizes = np.array([len(h.members) for h in households], dtype=np.int64)
        offsets = np.zeros(len(households) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return cls(
            household_id=np.array([h.household_id for h in households], dtype=np.int64),
            neighborhood_id=np.array([h.neighborhood_id for h in households], dtype=np.int64),
            household=_columns(hh_rows, INPUT_VARIABLES["household"]),
            member=_columns(m_rows, INPUT_VARIABLES["member"]),
            offsets=offsets,
        )


def _columns(
    rows: Sequence[Mapping[str, object]], types: Mapping[str, ValueType]
) -> dict[str, Array]:
    columns: dict[str, Array] = {}
    for name, vtype in types.items():
        values = [row[name] for row in rows]
        if vtype.kind == "enum":
            assert vtype.enum is not None
            codes = enum_codes(vtype.enum)
            values = [codes[str(v)] for v in values]
        columns[name] = np.array(values, dtype=KIND_DTYPES[vtype.kind])
    return columns
