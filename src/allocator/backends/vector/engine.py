"""The array backend: a ruleset compiled once per decision date, applied to whole batches.

Examples:
    >>> from datetime import date
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.domain import Neighborhood, parse_household
    >>> from allocator.loading import load_ruleset
    >>> backend = VectorBackend(load_ruleset(default_rules_dir()))
    >>> nb = Neighborhood(neighborhood_id=1, name="n", province="Tehran", county="Tehran-01",
    ...                   setting="urban", custodian="imam_order", programs=("neighborhoods_2020",))
    >>> hh = parse_household({"household_id": 1, "neighborhood_id": 1, "income": 2_000_000,
    ...     "assets": 0,
    ...     "members": [{"age": 40, "sex": "female", "relation": "head"}]})
    >>> result = backend.classify(Batch.from_models([hh], {1: nb}), date(2025, 6, 1))
    >>> food = result.services["food_package"]
    >>> bool(food.eligible[0]), backend.agency_name(food.agency[0])
    (True, 'imam_order')
    >>> shelter = result.services["shelter"]
    >>> backend.failed_name("shelter", shelter.failed[0])
    'homeless'
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np

from allocator.api.ruleset import RuleSet
from allocator.api.variables import DerivedVariable
from allocator.backends.base import KERNELS, BackendName
from allocator.backends.batch import Batch
from allocator.backends.native import KernelBuildError, NativeKernel, signature
from allocator.backends.result import BatchResult
from allocator.domain.enums import ENUM_TYPES
from allocator.errors import InputError

from .aggregate import aggregate
from .compile import Compiled, Compiler
from .frame import Frame
from .layout import Layout
from .services import ServicePlan


@dataclass
class _VariablePlan:
    variable: DerivedVariable
    formula: Compiled | None = None
    of: Compiled | None = None
    where: Compiled | None = None


class Plan:
    """Every expression of a ruleset compiled for one set of parameter values."""

    def __init__(self, ruleset: RuleSet, params: dict[str, bool | int | float]) -> None:
        compiler = Compiler(ruleset.type_of, params)
        for v in ruleset.variables:
            inner = "member" if v.aggregation is not None else v.entity
            for expr in v.expressions():
                compiler.share(expr, inner)
        for s in ruleset.services:
            for c in s.conditions:
                compiler.share(c.expr, s.entity)
            for t in s.priority.terms:
                compiler.share(t.when, s.entity)
                compiler.share(t.points, s.entity)
            compiler.share(s.agency, "household")
        self.variables = [self._variable(v, compiler) for v in ruleset.variables]
        self.services = [ServicePlan.build(s, compiler) for s in ruleset.services]

    @staticmethod
    def _variable(v: DerivedVariable, compiler: Compiler) -> _VariablePlan:
        if v.aggregation is None:
            assert v.formula is not None
            return _VariablePlan(v, formula=compiler.compile(v.formula, v.entity))
        agg = v.aggregation
        return _VariablePlan(
            v,
            of=compiler.compile(agg.of, "member") if agg.of is not None else None,
            where=compiler.compile(agg.where, "member") if agg.where is not None else None,
        )

    def run(self, batch: Batch) -> BatchResult:
        """Classify ``batch``: derived variables in order, then every service.

        The result is in the size-sorted layout's household order (``result.order``).
        """
        layout = Layout.of(batch.offsets)
        order = layout.order
        households = Frame(batch.n_households, {k: v[order] for k, v in batch.household.items()})
        members = Frame(
            batch.n_members,
            {k: v[layout.member_rows] for k, v in batch.member.items()},
            up=households,
            up_index=layout.member_household,
            spread=layout.spread,
        )
        for step in self.variables:
            v = step.variable
            if step.formula is not None:
                frame = households if v.entity == "household" else members
                frame.set(v.id, step.formula.full(frame))
            else:
                assert v.aggregation is not None
                households.set(v.id, aggregate(v.aggregation, members, layout, step.of, step.where))
        results = {}
        case_file = np.zeros(batch.n_households, dtype=np.bool_)
        case_agency = np.full(batch.n_households, -1, dtype=np.int8)
        for plan in self.services:
            result = plan.evaluate(households, members, layout)
            results[plan.service.id] = result
            if plan.service.opens_case_file:
                first = ~case_file[result.rows]
                case_agency[result.rows[first]] = result.agency_at[first]
                case_file[result.rows] = True
        return BatchResult(
            household_id=batch.household_id[order],
            neighborhood_id=batch.neighborhood_id[order],
            sizes=layout.sizes,
            services=results,
            case_file=case_file,
            case_file_agency=case_agency,
            order=order,
        )


def kernel_choice(kernel: str | None = None) -> str:
    """The kernel asked for: ``kernel``, else ``$ALLOCATOR_KERNEL``, else ``auto``.

    Raises:
        InputError: not one of :data:`KERNELS`.
    """
    chosen = kernel or os.environ.get("ALLOCATOR_KERNEL") or "auto"
    if chosen not in KERNELS:
        raise InputError(
            f"unknown kernel {chosen!r} (choose {', '.join(KERNELS)})", field="ALLOCATOR_KERNEL"
        )
    return chosen


class VectorBackend:
    """Classifies batches of households in bulk; a pure function of (batch, ruleset, day).

    Two kernels compute the same answers from the same compiled rules: ``numpy`` (array
    operations, :class:`Plan`) and ``c`` (:mod:`allocator.backends.native`: the rules as C,
    one pass over the households, built once per machine with the system's C compiler).
    ``auto`` uses the C kernel when it can be built and NumPy otherwise.
    """

    name = BackendName.VECTOR

    def __init__(self, ruleset: RuleSet, kernel: str | None = None) -> None:
        self.ruleset = ruleset
        self.kernel = kernel_choice(kernel)
        self._plans: dict[tuple[tuple[str, object], ...], Plan] = {}
        self._native: dict[tuple[tuple[str, str], ...], NativeKernel | None] = {}
        self._lock = threading.Lock()

    def plan(self, day: date) -> Plan:
        """The ruleset compiled for the parameters in force on ``day`` (cached).

        Raises:
            ParameterNotCoveredError: a parameter has no value on ``day``.
        """
        params = self.ruleset.parameters.at(day)
        key = tuple(sorted(params.items()))
        if key not in self._plans:
            self._plans[key] = Plan(self.ruleset, params)
        return self._plans[key]

    def native(self, batch: Batch) -> NativeKernel | None:
        """The C kernel for the column types of ``batch`` (``None``: use NumPy).

        Raises:
            KernelBuildError: the kernel is ``c`` and cannot be built.
        """
        if self.kernel == "numpy":
            return None
        key = signature(batch)
        with self._lock:
            if key not in self._native:
                try:
                    self._native[key] = NativeKernel(self.ruleset, dict(key))
                except KernelBuildError as exc:
                    if self.kernel == "c":
                        raise
                    warnings.warn(f"{exc}; classifying with NumPy", stacklevel=2)
                    self._native[key] = None
            return self._native[key]

    def classify(self, batch: Batch, day: date) -> BatchResult:
        """Every service's household-level decision for every household of ``batch``.

        Rows come in the engine's own order (``result.order``); see
        :meth:`BatchResult.in_batch_order`.
        """
        kernel = self.native(batch)
        if kernel is None:
            return self.plan(day).run(batch)
        return kernel.run(batch, self.ruleset.parameters.at(day))

    @staticmethod
    def agency_name(code: int) -> str | None:
        """The agency of a code (``None`` for ``-1``)."""
        return None if code < 0 else ENUM_TYPES["agency"][code]

    def failed_name(self, service_id: str, index: int) -> str | None:
        """The id of a service's condition by index (``None`` for ``-1``)."""
        service = self.ruleset.service_by_id[service_id]
        return None if index < 0 else service.conditions[index].id
