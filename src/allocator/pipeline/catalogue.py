"""The service catalogue as a table: what the optimizer needs to know of each service.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.loading import load_ruleset
    >>> t = services_table(load_ruleset(default_rules_dir()))
    >>> row = {r["service_id"]: r for r in t.to_pylist()}["food_package"]
    >>> row["agency"], row["entity"], row["opens_case_file"]
    ('custodian_or_case_holder', 'household', False)
"""

from __future__ import annotations

import pyarrow as pa

from allocator.api.ruleset import RuleSet
from allocator.api.services import Service
from allocator.expressions.nodes import Literal

#: How a service delivered by the ruleset's default delivery rule is shown.
DEFAULT_DELIVERY = "custodian_or_case_holder"

SERVICES_SCHEMA = pa.schema(
    [
        ("service_id", pa.string()),
        ("name", pa.string()),
        ("entity", pa.string()),
        ("agency", pa.string()),
        ("unit_cost", pa.int64()),
        ("opens_case_file", pa.bool_()),
    ]
)


def delivery_of(service: Service) -> str:
    """The fixed agency of a service, or :data:`DEFAULT_DELIVERY` for the default rule."""
    if isinstance(service.agency, Literal):
        return str(service.agency.value)
    return DEFAULT_DELIVERY


def services_table(ruleset: RuleSet) -> pa.Table:
    """One row per service, in ruleset order."""
    services = ruleset.services
    return pa.table(
        {
            "service_id": [s.id for s in services],
            "name": [s.name for s in services],
            "entity": [s.entity for s in services],
            "agency": [delivery_of(s) for s in services],
            "unit_cost": [s.unit_cost for s in services],
            "opens_case_file": [s.opens_case_file for s in services],
        },
        schema=SERVICES_SCHEMA,
    )
