"""Reference data: what is known, not invented, and what single decisions are checked against.

- :mod:`.provinces`: the 31 provinces with their 2016 census populations;
- :mod:`.neighborhoods`: the default neighborhoods (ids, province, county, setting,
  custodian, programs) that ``allocator check`` and the service validate against.

The synthetic generator (:mod:`allocator.data`) reads these; nothing here imports it.

Examples:
    >>> len(default_registry()) > 2020, len(provinces())
    (True, 31)
"""

from allocator.reference.neighborhoods import DEFAULT_SEED, default_neighborhoods, default_registry
from allocator.reference.provinces import Province, province_named, provinces

__all__ = [
    "DEFAULT_SEED",
    "Province",
    "default_neighborhoods",
    "default_registry",
    "province_named",
    "provinces",
]
