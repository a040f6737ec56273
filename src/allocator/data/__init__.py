"""Synthetic national data: the project's embedded default geography and data sets.

Geography (provinces from the 2016 census, synthetic counties and neighborhoods), households
and members drawn from the documented distributions of :mod:`allocator.data.assumptions`,
written as the Parquet tables of :mod:`allocator.domain.tables`. The writer (and pyarrow) is
imported only when first used. The reference data it starts from (provinces, the default
neighborhoods and their seed) is in :mod:`allocator.reference`.

Examples:
    >>> from allocator.data import PRESETS
    >>> sorted(PRESETS)
    ['custom', 'informal-330', 'mazandaran', 'national', 'program-2020', 'tiny']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allocator.data.metadata import DatasetInfo
    from allocator.data.presets import PRESETS
    from allocator.data.writer import write_dataset

__all__ = ["PRESETS", "DatasetInfo", "write_dataset"]

_LAZY = {
    "PRESETS": "allocator.data.presets",
    "DatasetInfo": "allocator.data.metadata",
    "write_dataset": "allocator.data.writer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'allocator.data' has no attribute {name!r}")
