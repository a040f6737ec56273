"""The durable-rules backend: one household at a time, every decision explained.

Examples:
    >>> from datetime import date
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.domain import Neighborhood, parse_household
    >>> from allocator.loading import load_ruleset
    >>> backend = DurableBackend(load_ruleset(default_rules_dir()))
    >>> nb = Neighborhood(neighborhood_id=1, name="n", province="Tehran", county="Tehran-01",
    ...                   setting="urban", custodian="imam_order", programs=("neighborhoods_2020",))
    >>> hh = parse_household({"household_id": 1, "neighborhood_id": 1, "income": 2_000_000,
    ...     "assets": 0,
    ...     "members": [{"age": 40, "sex": "female", "relation": "head"}]})
    >>> d = backend.decide(hh, nb, date(2025, 6, 1))
    >>> d.service("food_package").eligible, d.service("food_package").agency
    (True, 'imam_order')
    >>> d.service("shelter").failed_condition
    'homeless'
"""

from __future__ import annotations

from allocator.api.parameters import ParamScalar
from allocator.api.ruleset import RuleSet
from allocator.backends.base import BackendName
from allocator.backends.durable.compile import CompiledRules
from allocator.backends.explained.engine import ExplainedBackend, Outcomes
from allocator.backends.scalar import Env


class DurableBackend(ExplainedBackend):
    """Decides and explains eligibility of single households with durable-rules: each
    entity's outcome is the rule durable-rules fires for its fact."""

    name = BackendName.DURABLE

    def __init__(self, ruleset: RuleSet) -> None:
        super().__init__(ruleset)
        self._compiled: dict[tuple[tuple[str, object], ...], CompiledRules] = {}

    def compiled(self, params: dict[str, ParamScalar]) -> CompiledRules:
        """The durable-rules ruleset for one set of parameter values."""
        key = tuple(sorted(params.items()))
        if key not in self._compiled:
            self._compiled[key] = CompiledRules(self.ruleset, params)
        return self._compiled[key]

    def outcomes(self, env: Env, params: dict[str, ParamScalar], member: int | None) -> Outcomes:
        return self.compiled(params).outcomes(env, member)
