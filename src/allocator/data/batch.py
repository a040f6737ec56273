"""One row group: a batch of households and their members, as Arrow tables.

Row group ``i`` draws from its own generator, ``SeedSequence(seed, spawn_key=(1, i))``, so
any row group can be regenerated alone and the output does not depend on how many there are.

Examples:
    >>> from allocator.data.layout import layout
    >>> lay = layout("tiny", seed=0)
    >>> households, members = generate_batch(lay, seed=0, index=0, start=0, stop=100)
    >>> households.num_rows, households.column("household_id")[0].as_py()
    (100, 1)
    >>> members.column("household_id")[0].as_py(), members.column("relation")[0].as_py()
    (1, 'head')
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from allocator.data.arrow import to_table
from allocator.data.conditions import draw_conditions
from allocator.data.households import draw_households
from allocator.data.layout import Layout
from allocator.data.people import draw_people, draw_sizes
from allocator.domain.inputs import MEMBER_INPUTS
from allocator.domain.tables import HOUSEHOLDS_SCHEMA, MEMBERS_SCHEMA
from allocator.types import Array

_HOUSEHOLD_ENUMS = {"housing": "housing", "case_agency": "agency"}
_MEMBER_ENUMS = {name: vt.enum for name, vt in MEMBER_INPUTS.items() if vt.enum is not None}


def batch_rng(seed: int, index: int) -> np.random.Generator:
    """The random generator of row group ``index`` for ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, index)))


def generate_batch(
    lay: Layout, seed: int, index: int, start: int, stop: int
) -> tuple[pa.Table, pa.Table]:
    """Households ``start`` to ``stop - 1`` (0-based; ids from ``start + 1``) and their members.

    Returns:
        The households and the members (sorted by household), with the dictionary schemas
        (:func:`~allocator.data.arrow.dictionary_schema`) of ``HOUSEHOLDS_SCHEMA`` and
        ``MEMBERS_SCHEMA``.
    """
    rng = batch_rng(seed, index)
    preset = lay.preset
    hood = np.searchsorted(np.cumsum(lay.households), np.arange(start, stop), side="right")
    cls = lay.geography.classes()[hood]
    behzisti = lay.behzisti[hood]  # Behzisti need factor of each household's province

    sizes = draw_sizes(rng, stop - start, preset.household_size_mean)
    people = draw_people(rng, sizes, cls)
    conditions = draw_conditions(
        rng,
        people,
        cls[people.household],
        disability_rate=preset.disability_rate,
        factor=behzisti[people.household],
    )
    earners = np.bincount(people.household[conditions["employed"]], minlength=stop - start)
    needy = (conditions["disability_type"] != 0) | conditions["drug_addiction"]
    for harm in ("street_child", "waste_picker", "woman_at_risk"):
        needy |= conditions[harm]
    need = np.bincount(people.household[needy], minlength=stop - start) > 0
    household_cols = draw_households(
        rng,
        cls,
        lay.geography.rural[hood],
        earners,
        welfare_case_share=preset.welfare_case_share,
        factor=behzisti,
        need=need,
    )
    ids = np.arange(start + 1, stop + 1, dtype=np.int64)
    household_cols["household_id"] = ids
    household_cols["neighborhood_id"] = (hood + 1).astype(np.int32)
    member_cols: dict[str, Array] = {
        "household_id": ids[people.household],
        "age": people.age,
        "sex": people.male.astype(np.int8),  # ENUM_TYPES["sex"] is (female, male)
        "relation": people.relation,
        **conditions,
    }
    return (
        to_table(household_cols, HOUSEHOLDS_SCHEMA, _HOUSEHOLD_ENUMS),
        to_table(member_cols, MEMBERS_SCHEMA, _MEMBER_ENUMS),
    )
