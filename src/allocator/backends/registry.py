"""Every backend by name: its factory and what it supports, in one explicit table.

As linopy declares each solver's capabilities and pandera maps a schema to its backend, the
table :data:`BACKENDS` says which engine a :class:`BackendName` makes and what it can do
(explanations, bulk, kernels, threads). It is a constant written here, not a registry filled
at import time: with three engines, listing them is enough. Callers branch on capabilities,
never on a backend's name.

Examples:
    >>> spec = backend("durable")
    >>> spec.name is BackendName.DURABLE, spec.capabilities.explanations
    (True, True)
    >>> [str(k) for k in BACKENDS[BackendName.VECTOR].capabilities.kernels]
    ['auto', 'c', 'numpy']
    >>> backend("scalar")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    allocator.errors.DataError: --backend: unknown backend 'scalar' (choose vector or durable ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from allocator.api.ruleset import RuleSet
from allocator.backends.base import BackendName, BatchEngine, Capabilities, Kernel
from allocator.backends.durable import DurableBackend
from allocator.backends.explained import ExplainedBackend, PythonBackend
from allocator.backends.explained.batch import ExplainedBatchEngine
from allocator.backends.vector.engine import VectorBackend
from allocator.domain.neighborhood import Neighborhood
from allocator.errors import DataError

#: How a backend that decides from neighborhood models gets them (called only by those).
Neighborhoods = Callable[[], Mapping[int, Neighborhood]]
#: Makes a backend's engine for a ruleset: (ruleset, neighborhoods, kernel or None).
Factory = Callable[[RuleSet, Neighborhoods, str | None], BatchEngine]


@dataclass(frozen=True)
class BackendSpec:
    """One backend: its name, what it supports and how its engine is made."""

    name: BackendName
    capabilities: Capabilities
    factory: Factory
    summary: str

    def make(
        self, ruleset: RuleSet, neighborhoods: Neighborhoods, kernel: str | None = None
    ) -> BatchEngine:
        """The backend's engine for ``ruleset`` (``kernel``: see :class:`Kernel`)."""
        return self.factory(ruleset, neighborhoods, kernel)


def _vector(ruleset: RuleSet, neighborhoods: Neighborhoods, kernel: str | None) -> BatchEngine:
    return VectorBackend(ruleset, kernel)


def _durable(ruleset: RuleSet, neighborhoods: Neighborhoods, kernel: str | None) -> BatchEngine:
    return ExplainedBatchEngine(ruleset, neighborhoods(), DurableBackend(ruleset))


def _python(ruleset: RuleSet, neighborhoods: Neighborhoods, kernel: str | None) -> BatchEngine:
    return ExplainedBatchEngine(ruleset, neighborhoods(), PythonBackend(ruleset))


#: The backends, by name.
BACKENDS: Mapping[BackendName, BackendSpec] = MappingProxyType(
    {
        BackendName.VECTOR: BackendSpec(
            BackendName.VECTOR,
            Capabilities(explanations=False, bulk=True, kernels=tuple(Kernel)),
            _vector,
            "bulk arrays: the C kernel, or NumPy",
        ),
        BackendName.DURABLE: BackendSpec(
            BackendName.DURABLE,
            # durable-rules keeps global state: one household at a time, in one thread
            Capabilities(explanations=True, bulk=False, threads=False, neighborhoods=True),
            _durable,
            "durable-rules, one household at a time, explained (slow; for parity)",
        ),
        BackendName.PYTHON: BackendSpec(
            BackendName.PYTHON,
            Capabilities(explanations=True, bulk=False, neighborhoods=True),
            _python,
            "the rule model evaluated in Python, one household at a time, explained",
        ),
    }
)


#: The backends that explain single decisions (``allocator serve --engine``), by name.
EXPLAINING: Mapping[BackendName, Callable[[RuleSet], ExplainedBackend]] = MappingProxyType(
    {BackendName.PYTHON: PythonBackend, BackendName.DURABLE: DurableBackend}
)


def explaining_backend(name: str, ruleset: RuleSet) -> ExplainedBackend:
    """The explaining backend called ``name`` for ``ruleset`` (single decisions).

    Raises:
        DataError: no explaining backend has that name.
    """
    try:
        return EXPLAINING[BackendName(name)](ruleset)
    except (ValueError, KeyError):
        names = " or ".join(str(n) for n in EXPLAINING)
        raise DataError(f"--engine: unknown explaining engine {name!r} (choose {names})") from None


def backend(name: str) -> BackendSpec:
    """The backend called ``name``.

    Raises:
        DataError: no backend has that name (the message lists those that do).
    """
    try:
        return BACKENDS[BackendName(name)]
    except ValueError:
        names = [str(n) for n in BACKENDS]
        raise DataError(
            f"--backend: unknown backend {name!r} (choose {' or '.join(names)})"
        ) from None
