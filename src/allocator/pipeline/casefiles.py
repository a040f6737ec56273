"""Case files: one per household, held by one agency (seed 001: the household is the unit).

A household *holds or needs* a social-work case file when at least one service it is
eligible for opens one (``opens_case_file`` in the rules; the executors report this as
``case_file``). Whatever the number of such services, it is **one** file, held by **one**
agency:

- its existing case agency (the household's ``case_agency`` input) when that is one of the
  four support agencies; the file is then *registered* (already open with that agency);
- otherwise (``none`` or ``other``) the agency delivering the first of its file-opening
  services in ruleset order, which is what the three executors emit as
  ``case_file_agency``; the file is new.

The rule needs nothing beyond the decisions the executors already emit, so the durable
engine, the NumPy kernel and the C kernel agree on it by construction (``tests/parity``).

Counted per (neighborhood, holding agency): ``files`` (households) and ``registered`` (of
them, those whose existing file is with that agency). ``casefiles.parquet`` of a
classification holds the run-wide table.

Examples:
    >>> existing = np.array([2, 0, 5, 1, 2], np.int8)  # welfare, none, other, relief, welfare
    >>> kernel = np.array([1, 2, 2, 2, -1], np.int8)
    >>> opens = np.array([True, True, True, True, False])
    >>> holder, registered = holding_agency(opens, kernel, existing)
    >>> holder.tolist(), registered.tolist()
    ([2, 2, 2, 1, -1], [True, False, False, True, False])
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from allocator.domain.enums import CUSTODIANS, ENUM_TYPES
from allocator.types import Array, BoolArray, IntArray

AGENCIES = ENUM_TYPES["agency"]
CASEFILES_FILE = "casefiles.parquet"
CASEFILES_SCHEMA = pa.schema(
    [
        ("neighborhood_id", pa.int32()),
        ("agency", pa.string()),
        ("files", pa.int64()),
        ("registered", pa.int64()),
    ]
)
PART_CASEFILES_SCHEMA = pa.schema(
    [
        ("neighborhood_id", pa.int32()),
        ("agency", pa.dictionary(pa.int16(), pa.string())),
        ("files", pa.int64()),
        ("registered", pa.int64()),
    ]
)
#: Codes of the four agencies that can hold a file (``none`` and ``other`` cannot).
_HOLDERS = np.array([AGENCIES.index(a.value) for a in CUSTODIANS], np.int64)


def holding_agency(
    case_file: BoolArray, case_file_agency: Array, existing: Array
) -> tuple[IntArray, BoolArray]:
    """The agency code holding each household's file (``-1``: no file) and whether it is
    already registered there (see the module docstring for the rule)."""
    existing = np.asarray(existing, dtype=np.int64)
    registered = case_file & np.isin(existing, _HOLDERS)
    holder = np.where(registered, existing, np.asarray(case_file_agency, np.int64))
    holder = np.where(case_file, holder, -1)
    return holder, registered


def count_case_files(
    nb_row: IntArray, holder: IntArray, registered: BoolArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Keys (neighborhood row * agencies + agency) present, with files and registered files.

    Examples:
        >>> keys, files, reg = count_case_files(np.array([0, 0, 1, 1]), np.array([2, 2, -1, 1]),
        ...                                     np.array([True, False, False, False]))
        >>> keys.tolist(), files.tolist(), reg.tolist()
        ([2, 7], [2, 1], [1, 0])
    """
    has = holder >= 0
    key = nb_row[has].astype(np.int64) * len(AGENCIES) + holder[has]
    keys, inverse = np.unique(key, return_inverse=True)
    files = np.bincount(inverse, minlength=len(keys)).astype(np.int64)
    reg = np.bincount(inverse, weights=registered[has], minlength=len(keys))
    return keys, files, np.rint(reg).astype(np.int64)


def part_table(ids: IntArray, keys: IntArray, files: IntArray, registered: IntArray) -> pa.Table:
    """A partition's case files (``ids``: neighborhood id of each neighborhood row)."""
    row, agency = np.divmod(keys, len(AGENCIES))
    return pa.Table.from_arrays(
        [
            pa.array(ids[row].astype(np.int32), pa.int32()),
            pa.DictionaryArray.from_arrays(
                pa.array(agency.astype(np.int16), pa.int16()), pa.array(list(AGENCIES))
            ),
            pa.array(files, pa.int64()),
            pa.array(registered, pa.int64()),
        ],
        schema=PART_CASEFILES_SCHEMA,
    )
