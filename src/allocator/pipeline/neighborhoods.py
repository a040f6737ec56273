"""The neighborhoods table as sorted arrays: look-ups by id and the facts rules read.

Examples:
    >>> import pyarrow as pa
    >>> from allocator.domain.tables import NEIGHBORHOODS_SCHEMA
    >>> t = pa.table({"neighborhood_id": [7, 3], "name": ["a", "b"], "province": ["P", "Q"],
    ...     "county": ["c", "d"], "setting": ["urban", "rural"],
    ...     "custodian": ["imam_order", "red_crescent"], "target_2020": [True, False],
    ...     "informal_settlement": [False, False], "mazandaran_56": [False, False],
    ...     "population": [10, 20]}, schema=NEIGHBORHOODS_SCHEMA)
    >>> nb = NeighborhoodTable.from_arrow(t)
    >>> nb.ids.tolist(), nb.provinces, nb.locate(np.array([3, 5, 7])).tolist()
    ([3, 7], ('Q', 'P'), [0, -1, 1])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain.enums import CUSTODIANS, ENUM_TYPES, Program, Setting
from allocator.domain.inputs import PROGRAM_VARIABLES
from allocator.domain.neighborhood import Neighborhood
from allocator.errors import DataError
from allocator.types import Array, IntArray

TABLE = "neighborhoods.parquet"


@dataclass(frozen=True)
class NeighborhoodTable:
    """Neighborhoods sorted by id, with their rule facts as arrays.

    Attributes:
        ids: neighborhood ids, ascending.
        facts: household input variables taken from the neighborhood (``urban``,
            ``custodian`` as an agency code, program flags), aligned with ``ids``.
        province: index into ``provinces`` of each neighborhood.
        provinces: province names, in order of first appearance.
        table: the table itself, sorted by id.
    """

    ids: IntArray
    facts: dict[str, Array]
    province: IntArray
    provinces: tuple[str, ...]
    table: pa.Table

    @classmethod
    def from_arrow(cls, table: pa.Table) -> NeighborhoodTable:
        """Check the values and sort by id; raises :class:`DataError` naming the column."""
        table = table.combine_chunks()
        ids = table.column("neighborhood_id").to_numpy().astype(np.int64)
        if len(ids) and not np.all(ids[1:] >= ids[:-1]):  # generated tables come sorted
            order = np.argsort(ids, kind="stable")
            table, ids = table.take(pa.array(order)), ids[order]
        if len(ids) and np.any(ids[1:] == ids[:-1]):
            raise DataError(f"{TABLE}: duplicate neighborhood_id", TABLE, "neighborhood_id")
        setting, settings = _coded(table, "setting")
        custodian, custodians = _coded(table, "custodian")
        _check_values(settings, [s.value for s in Setting], "setting")
        _check_values(custodians, [a.value for a in CUSTODIANS], "custodian")
        agency = ENUM_TYPES["agency"]
        urban = np.array([v == Setting.URBAN.value for v in settings], dtype=np.bool_)
        facts: dict[str, Array] = {
            "urban": urban[setting],
            "custodian": np.array([agency.index(c) for c in custodians], dtype=np.int8)[custodian],
        }
        for name in PROGRAM_VARIABLES:
            column = table.column(name)
            if column.null_count:
                raise DataError(f"{TABLE}: missing values in '{name}'", TABLE, name)
            facts[name] = column.to_numpy(zero_copy_only=False).astype(np.bool_)
        province, names = _coded(table, "province")
        provinces = tuple(names)
        return cls(ids, facts, province, provinces, table)

    def locate(self, neighborhood_ids: IntArray) -> IntArray:
        """Row of each id in this table, ``-1`` for an unknown id."""
        if len(self.ids) == 0:
            return np.full(len(neighborhood_ids), -1, dtype=np.int64)
        rows = self._rows_by_id
        if rows is not None:  # ids are small integers: one look-up per household
            inside = (neighborhood_ids >= 0) & (neighborhood_ids < len(rows))
            found = rows[np.where(inside, neighborhood_ids, 0)]
            return np.where(inside, found, -1).astype(np.int64)
        pos = np.searchsorted(self.ids, neighborhood_ids)
        pos = np.minimum(pos, len(self.ids) - 1)
        return np.where(self.ids[pos] == neighborhood_ids, pos, -1)

    @cached_property
    def _rows_by_id(self) -> Array | None:
        """Row of each id ``0..max`` (``-1``: none) when ids are few and small, else ``None``."""
        low, high = int(self.ids.min()), int(self.ids.max())
        if low < 0 or high > max(16 * len(self.ids), 1 << 20):
            return None
        rows = np.full(high + 1, -1, dtype=np.int32)
        rows[self.ids] = np.arange(len(self.ids), dtype=np.int32)
        return rows

    @cached_property
    def models(self) -> dict[int, Neighborhood]:
        """Neighborhood models by id (for the durable backend)."""
        found = {}
        for row in self.table.to_pylist():
            programs = tuple(p for name, p in PROGRAM_VARIABLES.items() if row[name])
            found[row["neighborhood_id"]] = Neighborhood(
                neighborhood_id=row["neighborhood_id"],
                name=row["name"],
                province=row["province"],
                county=row["county"],
                setting=Setting(row["setting"]),
                custodian=row["custodian"],
                programs=tuple(Program(p) for p in programs),
            )
        return found


def _coded(table: pa.Table, column: str) -> tuple[IntArray, list[str]]:
    """Codes of a string column's values and the values, in order of first appearance."""
    values = table.column(column)
    if values.null_count:
        raise DataError(f"{TABLE}: missing values in '{column}'", TABLE, column)
    encoded = pc.dictionary_encode(values.cast(pa.string())).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(v) for v in encoded.dictionary.to_pylist()]


def _check_values(values: list[str], allowed: list[str], column: str) -> None:
    bad = sorted(set(values) - set(allowed))
    if bad:
        raise DataError(
            f"{TABLE}: column '{column}' has unknown value(s) {bad} (expected one of {allowed})",
            TABLE,
            column,
        )
