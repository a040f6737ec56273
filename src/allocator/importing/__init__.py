"""Agencies' own files into data sets: mapping, digits, readers, conversion, assembly, writing;
and the reconciliation of several agencies' data sets by national ID."""

from allocator.importing.mapping import Mapping, load_mapping, parse_mapping
from allocator.importing.run import ImportResult, import_dataset

__all__ = ["ImportResult", "Mapping", "import_dataset", "load_mapping", "parse_mapping"]
