"""A geography held as parallel columns, one entry per neighborhood.

Neighborhood ``i`` (0-based) of a geography has ``neighborhood_id`` ``i + 1``.

Examples:
    >>> geo = Geography(("N1", "N2"), ("Ilam",) * 2, ("Ilam-01",) * 2, np.array([False, True]),
    ...     np.array([2, 1], dtype=np.int8), np.array([True, False]), np.zeros(2, bool),
    ...     np.zeros(2, bool), np.array([900, 400]))
    >>> second = geo.take(np.array([1]))
    >>> second.name, second.population.tolist()
    (('N2',), [400])
    >>> geo.classes().tolist()
    [1, 0]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.domain.enums import ENUM_TYPES
from allocator.types import BoolArray, IntArray

Int8Array = npt.NDArray[np.int8]
AGENCIES: tuple[str, ...] = ENUM_TYPES["agency"]


@dataclass(frozen=True)
class Geography:
    """Neighborhoods as parallel columns; ``custodian`` holds codes of ``ENUM_TYPES['agency']``."""

    name: tuple[str, ...]
    province: tuple[str, ...]
    county: tuple[str, ...]
    rural: BoolArray
    custodian: Int8Array
    target: BoolArray
    informal: BoolArray
    mazandaran: BoolArray
    population: IntArray

    def __len__(self) -> int:
        return len(self.name)

    def take(self, index: IntArray) -> Geography:
        """The neighborhoods at positions ``index``, in that order."""
        picked: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            column = getattr(self, field.name)
            picked[field.name] = (
                tuple(column[i] for i in index.tolist())
                if isinstance(column, tuple)
                else column[index]
            )
        return Geography(**picked)

    def replace(self, **columns: Any) -> Geography:
        """A copy with some columns replaced."""
        return dataclasses.replace(self, **columns)

    @staticmethod
    def concat(parts: list[Geography]) -> Geography:
        """The neighborhoods of ``parts`` one after the other."""
        joined: dict[str, Any] = {}
        for field in dataclasses.fields(Geography):
            columns = [getattr(part, field.name) for part in parts]
            joined[field.name] = (
                tuple(v for c in columns for v in c)
                if isinstance(columns[0], tuple)
                else np.concatenate(columns)
            )
        return Geography(**joined)

    def frozen(self) -> Geography:
        """This geography with read-only arrays (safe to cache and share)."""
        for field in dataclasses.fields(self):
            column = getattr(self, field.name)
            if isinstance(column, np.ndarray):
                column.flags.writeable = False
        return self

    def classes(self) -> Int8Array:
        """Neighborhood class of :mod:`~allocator.data.assumptions`: 0, 1 (target), 2 (informal)."""
        return (self.target.astype(np.int8) + self.informal.astype(np.int8)).astype(np.int8)
