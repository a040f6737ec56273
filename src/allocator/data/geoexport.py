"""A geography as the neighborhoods table, and as domain :class:`Neighborhood` models.

Examples:
    >>> from allocator.data.geography import TINY, build_geography
    >>> geo = build_geography(TINY, seed=0)
    >>> neighborhoods_table(geo).column("neighborhood_id")[0].as_py()
    1
    >>> neighborhood_models(geo)[0].programs[-1].value
    'mazandaran_56'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allocator.data.geotable import AGENCIES, Geography
from allocator.domain.enums import Agency, Program, Setting
from allocator.domain.neighborhood import Neighborhood

if TYPE_CHECKING:
    import pyarrow as pa


def neighborhoods_table(geo: Geography) -> pa.Table:
    """The neighborhoods table, with exactly the schema ``NEIGHBORHOODS_SCHEMA``."""
    import pyarrow as pa  # here, so that building the default registry does not load pyarrow

    from allocator.domain.tables import NEIGHBORHOODS_SCHEMA

    settings = pa.array([Setting.URBAN.value, Setting.RURAL.value])
    columns = [
        pa.array(np.arange(1, len(geo) + 1, dtype=np.int32)),
        pa.array(geo.name, pa.string()),
        pa.array(geo.province, pa.string()),
        pa.array(geo.county, pa.string()),
        settings.take(pa.array(geo.rural.astype(np.int8))),
        pa.array(AGENCIES).take(pa.array(geo.custodian)),
        pa.array(geo.target),
        pa.array(geo.informal),
        pa.array(geo.mazandaran),
        pa.array(geo.population.astype(np.int64)),
    ]
    return pa.Table.from_arrays(columns, schema=NEIGHBORHOODS_SCHEMA)


def _programs(target: bool, informal: bool, mazandaran: bool) -> tuple[Program, ...]:
    flags = (
        (target, Program.NEIGHBORHOODS_2020),
        (informal, Program.INFORMAL_SETTLEMENTS),
        (mazandaran, Program.MAZANDARAN_56),
    )
    return tuple(program for on, program in flags if on)


def neighborhood_models(geo: Geography) -> list[Neighborhood]:
    """The neighborhoods as validated domain models, ``neighborhood_id`` from 1."""
    rows = zip(
        geo.name,
        geo.province,
        geo.county,
        geo.rural.tolist(),
        geo.custodian.tolist(),
        geo.target.tolist(),
        geo.informal.tolist(),
        geo.mazandaran.tolist(),
        strict=True,
    )
    return [
        Neighborhood(
            neighborhood_id=i,
            name=name,
            province=province,
            county=county,
            setting=Setting.RURAL if rural else Setting.URBAN,
            custodian=Agency(AGENCIES[custodian]),
            programs=_programs(target, informal, maz),
        )
        for i, (name, province, county, rural, custodian, target, informal, maz) in enumerate(
            rows, start=1
        )
    ]
