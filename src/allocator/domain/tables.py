"""The bulk data layout: three Parquet tables and their Arrow schemas.

A data directory holds ``neighborhoods.parquet``, ``households.parquet`` and
``members.parquet``. Enum columns are strings (dictionary-encoded on disk). Columns are
written as required (no nulls); files whose columns are declared nullable read as well.
Households are written in row groups; **row group i of members.parquet holds exactly the
members of the households of row group i of households.parquet, in the same household
order**, so that a batch of households and its members are read together, one row group at
a time.

Examples:
    >>> HOUSEHOLDS_SCHEMA.field("income").type
    DataType(int64)
    >>> sorted(MEMBERS_SCHEMA.names)[:3]
    ['age', 'disability_severity', 'disability_type']
"""

from __future__ import annotations

import pyarrow as pa

from allocator.domain.inputs import MEMBER_INPUTS

NEIGHBORHOODS_FILE = "neighborhoods.parquet"
HOUSEHOLDS_FILE = "households.parquet"
MEMBERS_FILE = "members.parquet"


def required(fields: list[tuple[str, pa.DataType]]) -> pa.Schema:
    """A schema of non-nullable fields: Parquet stores them without definition levels,
    which makes reading them about 40% faster than the same columns declared nullable."""
    return pa.schema([pa.field(name, t, nullable=False) for name, t in fields])


NEIGHBORHOODS_SCHEMA = required(
    [
        ("neighborhood_id", pa.int32()),
        ("name", pa.string()),
        ("province", pa.string()),
        ("county", pa.string()),
        ("setting", pa.string()),  # urban / rural
        ("custodian", pa.string()),  # one of the four agencies
        ("target_2020", pa.bool_()),
        ("informal_settlement", pa.bool_()),
        ("mazandaran_56", pa.bool_()),
        ("population", pa.int64()),  # residents represented (for reporting)
    ]
)

HOUSEHOLDS_SCHEMA = required(
    [
        ("household_id", pa.int64()),
        ("neighborhood_id", pa.int32()),
        ("income", pa.int64()),
        ("assets", pa.int64()),
        ("housing", pa.string()),
        ("case_agency", pa.string()),
        ("continuous_pension", pa.bool_()),
    ]
)

_MEMBER_TYPES = {"int": pa.int16(), "bool": pa.bool_(), "enum": pa.string()}

MEMBERS_SCHEMA = required(
    [("household_id", pa.int64())]
    + [(name, _MEMBER_TYPES[vt.kind]) for name, vt in MEMBER_INPUTS.items()]
)

#: Columns a table may carry beyond its schema, nullable, which classification ignores:
#: the members' national IDs (written by ``allocator import`` and ``allocator reconcile``;
#: synthetic data sets leave them out).
NATIONAL_ID = pa.field("national_id", pa.string(), nullable=True)
OPTIONAL_FIELDS: dict[str, tuple[pa.Field, ...]] = {MEMBERS_FILE: (NATIONAL_ID,)}

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    NEIGHBORHOODS_FILE: NEIGHBORHOODS_SCHEMA,
    HOUSEHOLDS_FILE: HOUSEHOLDS_SCHEMA,
    MEMBERS_FILE: MEMBERS_SCHEMA,
}
