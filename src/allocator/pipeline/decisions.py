"""The decisions table: one row per household, six columns per service, the case file.

Per service ``s``: ``s__eligible`` (bool), ``s__units`` (int16), ``s__score`` (float32, 0 when
not eligible), ``s__tier`` (int8, 0 when not eligible), ``s__agency`` (dictionary string,
null when not eligible) and ``s__failed`` (dictionary string: the first failing condition,
null when eligible). Then ``case_file`` (bool) and ``case_file_agency`` (null when none).
Low-cardinality strings are dictionary arrays built straight from the engine's codes.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.loading import load_ruleset
    >>> schema = decisions_schema(load_ruleset(default_rules_dir()))
    >>> schema.names[2:4]
    ['rehab_physical_motor__eligible', 'rehab_physical_motor__units']
    >>> str(schema.field("shelter__failed").type)
    'dictionary<values=string, indices=int8, ordered=0>'
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from allocator.api.ruleset import RuleSet
from allocator.backends.vector.result import BatchResult
from allocator.domain.enums import ENUM_TYPES
from allocator.types import Array

DICT = pa.dictionary(pa.int8(), pa.string())
AGENCIES = pa.array(ENUM_TYPES["agency"], pa.string())


def decisions_schema(ruleset: RuleSet) -> pa.Schema:
    """The Arrow schema of ``decisions.parquet`` for ``ruleset``."""
    fields = [pa.field("household_id", pa.int64()), pa.field("neighborhood_id", pa.int32())]
    for s in ruleset.services:
        fields += [
            pa.field(f"{s.id}__eligible", pa.bool_()),
            pa.field(f"{s.id}__units", pa.int16()),
            pa.field(f"{s.id}__score", pa.float32()),
            pa.field(f"{s.id}__tier", pa.int8()),
            pa.field(f"{s.id}__agency", DICT),
            pa.field(f"{s.id}__failed", DICT),
        ]
    fields += [pa.field("case_file", pa.bool_()), pa.field("case_file_agency", DICT)]
    return pa.schema(fields)


def dictionary_column(codes: Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """A dictionary array of int8 ``codes`` into ``dictionary``; negative codes are null.

    Examples:
        >>> dictionary_column(np.array([1, -1], dtype=np.int8), pa.array(["a", "b"])).to_pylist()
        ['b', None]
    """
    null = codes < 0
    indices = pa.array(codes, pa.int8(), mask=null) if null.any() else pa.array(codes, pa.int8())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


class DecisionsBuilder:
    """Turns :class:`BatchResult` objects into decision tables for one ruleset."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.schema = decisions_schema(ruleset)
        self.conditions = {s.id: pa.array(s.condition_ids(), pa.string()) for s in ruleset.services}

    def table(self, result: BatchResult) -> pa.Table:
        """The decisions of one batch, with :attr:`schema`."""
        arrays: list[pa.Array] = [
            pa.array(result.household_id, pa.int64()),
            pa.array(result.neighborhood_id.astype(np.int32, copy=False), pa.int32()),
        ]
        for s in self.ruleset.services:
            r = result.services[s.id]
            arrays += [
                pa.array(r.eligible, pa.bool_()),
                pa.array(r.units.astype(np.int16, copy=False), pa.int16()),
                pa.array(r.score.astype(np.float32), pa.float32()),
                pa.array(r.tier.astype(np.int8, copy=False), pa.int8()),
                dictionary_column(r.agency, AGENCIES),
                dictionary_column(r.failed, self.conditions[s.id]),
            ]
        arrays += [
            pa.array(result.case_file, pa.bool_()),
            dictionary_column(result.case_file_agency, AGENCIES),
        ]
        return pa.Table.from_arrays(arrays, schema=self.schema)
