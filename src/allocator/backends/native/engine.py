"""Run a compiled kernel on a batch: bind the columns, call it, wrap its output blocks.

The kernel writes ``failed`` for every household and service (household-major: a household's
bytes side by side, so the kernel writes one stream, not one per service) and, per service,
the eligible households as :data:`ELIGIBLE` records (row, score, units, tier, agency) into a
block sized from earlier batches (see :meth:`NativeKernel.capacity`); the result's columns
are views of those. The result is in the batch's own row order.

Examples:
    >>> from datetime import date
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.backends.batch import Batch
    >>> from allocator.domain import Neighborhood, parse_household
    >>> from allocator.loading import load_ruleset
    >>> rules = load_ruleset(default_rules_dir())
    >>> nb = Neighborhood(neighborhood_id=1, name="n", province="Tehran", county="Tehran-01",
    ...                   setting="urban", custodian="imam_order", programs=("neighborhoods_2020",))
    >>> hh = parse_household({"household_id": 1, "neighborhood_id": 1, "income": 2_000_000,
    ...     "assets": 0,
    ...     "members": [{"age": 40, "sex": "female", "relation": "head"}]})
    >>> batch = Batch.from_models([hh], {1: nb})
    >>> kernel = NativeKernel(rules, dict(signature(batch)))
    >>> result = kernel.run(batch, rules.parameters.at(date(2025, 6, 1)))
    >>> result.services["food_package"].rows.tolist()
    [0]
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from typing import Any

import numpy as np

from allocator.api.parameters import ParamScalar
from allocator.api.ruleset import RuleSet
from allocator.api.services import TIERS
from allocator.backends.batch import Batch
from allocator.backends.result import BatchResult, ServiceResult
from allocator.domain.enums import ENUM_TYPES
from allocator.expressions.nodes import Node
from allocator.expressions.scalar import evaluate

from .build import load
from .kernel import DTYPES, KernelSource
from .services import why_not_width

Signature = tuple[tuple[str, str], ...]


def signature(batch: Batch) -> Signature:
    """The column types a kernel for ``batch`` is built for: ``("household.x", dtype)``.

    Types C has no name for here are read as the kind's natural width (and converted).
    """
    found = []
    for entity, table in (("household", batch.household), ("member", batch.member)):
        for name, column in table.items():
            dtype = column.dtype.name
            found.append((f"{entity}.{name}", dtype if dtype in DTYPES else ""))
    return tuple(sorted(found))


def slot_arrays(
    slots: list[tuple[Node, str]], params: Mapping[str, ParamScalar]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The arrays ``PI`` (int64) and ``PD`` (float64) of ``slots`` for one set of parameters.

    Each slot is evaluated by the scalar evaluator, as the NumPy kernel folds constants.

    Examples:
        >>> from allocator.expressions.parser import parse
        >>> ints, floats = slot_arrays([(parse("params.a * 2"), "int"),
        ...                             (parse("params.a / 4"), "float")], {"a": 3})
        >>> ints.tolist(), floats.tolist()
        ([6, 0, 0], [0.0, 0.75, 0.0])
    """
    ints = np.zeros(len(slots) + 1, dtype=np.int64)
    floats = np.zeros(len(slots) + 1, dtype=np.float64)
    for k, (node, kind) in enumerate(slots):
        value = evaluate(node, lambda parts: params[".".join(parts[1:])])
        if kind == "float":
            floats[k] = float(value)
        elif isinstance(value, str):
            ints[k] = ENUM_TYPES[kind].index(value)
        else:
            ints[k] = int(value)
    return ints, floats


#: Most cells a count table may have (int32): 128 MB.
MAX_CELLS = 1 << 25
#: Demand cells per (neighborhood, service): tiers x agencies, three counts each.
DEMAND_CELLS = len(TIERS) * len(ENUM_TYPES["agency"])


def count_tables(
    nbid: np.ndarray[Any, Any], why_width: int, services: int, members: int
) -> tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """Zeroed count tables for the neighborhood ids of a batch: ``(lowest id, why-not
    table, demand table)``, or ``None`` when their range is too wide for dense tables or
    the batch too large for int32 sums (totals then count from the decisions instead).

    Examples:
        >>> lo, why, demand = count_tables(np.array([7, 9, 8]), 4, 2, 10)
        >>> lo, why.shape, demand.shape
        (7, (3, 4), (3, 2, 24, 3))
        >>> count_tables(np.array([0, 10**9]), 4, 2, 10) is None
        True
    """
    if len(nbid) == 0 or members >= 2**31:
        return None
    lo, hi = int(nbid.min()), int(nbid.max())
    span = hi - lo + 1
    if span * max(why_width, services * DEMAND_CELLS * 3) > MAX_CELLS:
        return None
    why = np.zeros((span, why_width), dtype=np.int32)
    return lo, why, np.zeros((span, services, DEMAND_CELLS, 3), dtype=np.int32)


#: One eligible household of a service, as the kernel's ``elig_t`` lays it out.
ELIGIBLE = np.dtype(
    [
        ("row", np.int64),
        ("score", np.float64),
        ("units", np.int16),
        ("tier", np.int8),
        ("agency", np.int8),
    ],
    align=True,
)


def _pointer(array: np.ndarray[Any, Any]) -> int:
    return int(array.ctypes.data)


class NativeKernel:
    """A ruleset's kernel built for the given column types (see :func:`signature`)."""

    def __init__(self, ruleset: RuleSet, dtypes: Mapping[str, str]) -> None:
        self.ruleset = ruleset
        split: dict[str, dict[str, str]] = {"household": {}, "member": {}}
        for key, dtype in dtypes.items():
            entity, name = key.split(".", 1)
            if dtype:
                split[entity][name] = dtype
        self.source = KernelSource(ruleset, split["household"], split["member"])
        self.function = load(self.source.text).allocator_classify
        self.function.restype = None
        #: Highest share of a batch's households found eligible so far, per service.
        self.rates = np.ones(len(ruleset.services))
        self._seen = False

    def capacity(self, n: int) -> np.ndarray[Any, Any]:
        """Room to leave per service for ``n`` households: all of them until a batch has
        been seen, then a margin over the highest share seen (a block too small is
        detected and the batch run again)."""
        if not self._seen:
            return np.full(len(self.rates), n, dtype=np.int64)
        return np.minimum(n, (self.rates * n * 1.25).astype(np.int64) + 256)

    def learn(self, count: np.ndarray[Any, Any], n: int) -> None:
        """Remember the shares of a batch (benign race: threads only raise them)."""
        if n >= 1000:
            share = count / n
            self.rates = share if not self._seen else np.maximum(self.rates, share)
            self._seen = True

    def run(self, batch: Batch, params: Mapping[str, ParamScalar]) -> BatchResult:
        """Classify ``batch`` with the parameters ``params`` (the result is in batch order)."""
        n = batch.n_households
        services = self.ruleset.services
        columns = []
        for entity, name in self.source.columns:
            table = batch.household if entity == "household" else batch.member
            dtype = np.dtype(self.source.dtype(entity, name))
            columns.append(np.ascontiguousarray(table[name], dtype=dtype))
        pointers = np.array([_pointer(c) for c in columns] or [0], dtype=np.uintp)
        offsets = np.ascontiguousarray(batch.offsets, dtype=np.int64)
        ints, floats = slot_arrays(self.source.slots, params)
        failed = np.empty((max(n, 1), len(services)), dtype=np.int8)
        count = np.zeros(len(services), dtype=np.int64)
        case_file = np.zeros(n, dtype=np.bool_)
        case_agency = np.zeros(n, dtype=np.int8)
        nbid = np.ascontiguousarray(batch.neighborhood_id, dtype=np.int64)
        capacity = self.capacity(n)
        while True:
            blocks = [np.empty(max(int(c), 1), dtype=ELIGIBLE) for c in capacity]
            width = why_not_width(self.ruleset)
            counts = count_tables(nbid, width, len(services), batch.n_members)
            out = np.array([_pointer(block) for block in blocks], dtype=np.uintp)
            arrays = (offsets, pointers, ints, floats, failed, out, capacity, count)
            self.function(
                ctypes.c_int64(n),
                *(ctypes.c_void_p(_pointer(a)) for a in arrays),
                ctypes.c_void_p(_pointer(case_file)),
                ctypes.c_void_p(_pointer(case_agency)),
                ctypes.c_void_p(_pointer(nbid)),
                ctypes.c_int64(0 if counts is None else counts[0]),
                ctypes.c_void_p(None if counts is None else _pointer(counts[1])),
                ctypes.c_void_p(None if counts is None else _pointer(counts[2])),
            )
            self.learn(count, n)
            if np.all(count <= capacity):
                break
            capacity = count.copy()  # rare: a block was too small; now the sizes are known
        results = {}
        for s, service in enumerate(services):
            c = int(count[s])
            block = blocks[s][:c]
            rows, units, score, tier, agency = (
                block[name] for name in ("row", "units", "score", "tier", "agency")
            )
            results[service.id] = ServiceResult(
                failed=failed[:n, s],
                rows=rows,
                units_at=units,
                score_at=score,
                tier_at=tier,
                agency_at=agency,
            )
        return BatchResult(
            household_id=batch.household_id,
            neighborhood_id=batch.neighborhood_id,
            sizes=np.diff(offsets),
            services=results,
            case_file=case_file,
            case_file_agency=case_agency,
            why_not=None if counts is None else (counts[0], counts[1]),
            demand=None if counts is None else (counts[0], counts[2]),
        )
