"""The default neighborhoods: a reference table shipped with the package.

Single-household checks (``allocator check``, the service) validate ``neighborhood_id``
against :func:`default_registry`, read from ``neighborhoods-national.csv`` next to this
module. Its ids are those of the ``national`` (and, for 1 to 2,020, ``program-2020``) data
sets written with :data:`DEFAULT_SEED`: ids 1 to 2,020 are the target neighborhoods, 1 to 56
Mazandaran's 56. The file is written from the generator's national geography
(``python -m allocator.data.reference_export``), and ``tests/data`` checks they agree.

Examples:
    >>> from allocator.domain.enums import Program
    >>> reg = default_registry()
    >>> reg.get(1).is_target(Program.NEIGHBORHOODS_2020), reg.get(1).province
    (True, 'Mazandaran')
    >>> reg.get(2021).is_target(Program.NEIGHBORHOODS_2020)
    False
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from allocator.domain.enums import Agency, Program, Setting
from allocator.domain.neighborhood import Neighborhood, NeighborhoodRegistry

#: The seed of the embedded default data (and of ``allocator synth`` without ``--seed``).
DEFAULT_SEED = 0
NEIGHBORHOODS_FILE = "neighborhoods-national.csv"
#: Columns of the file; ``programs`` is a space-separated list.
COLUMNS = ("neighborhood_id", "name", "province", "county", "setting", "custodian", "programs")


@cache
def _neighborhoods() -> tuple[Neighborhood, ...]:
    text = files("allocator.reference").joinpath(NEIGHBORHOODS_FILE).read_text(encoding="utf-8")
    return tuple(
        Neighborhood(
            neighborhood_id=int(row["neighborhood_id"]),
            name=row["name"],
            province=row["province"],
            county=row["county"],
            setting=Setting(row["setting"]),
            custodian=Agency(row["custodian"]),
            programs=tuple(Program(p) for p in row["programs"].split()),
        )
        for row in csv.DictReader(text.splitlines())
    )


def default_neighborhoods() -> list[Neighborhood]:
    """The default neighborhoods, in id order (read once, then cached)."""
    return list(_neighborhoods())


@cache
def default_registry() -> NeighborhoodRegistry:
    """A registry of :func:`default_neighborhoods` (cached)."""
    return NeighborhoodRegistry(_neighborhoods())
