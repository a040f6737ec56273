"""What every backend is: a name, what it supports, and the one method the pipeline calls.

The names and capabilities are declared here, below every backend, so that a backend can
name itself and the registry (:mod:`allocator.backends.registry`) can list them all without
a backend importing another one.

Examples:
    >>> BackendName("vector") is BackendName.VECTOR, str(Kernel.C)
    (True, 'c')
    >>> Capabilities(explanations=True, bulk=False).kernels
    ()
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the names above are read without NumPy (``allocator check`` starts fast)
    from allocator.backends.batch import Batch
    from allocator.backends.result import BatchResult


class BackendName(StrEnum):
    """The rules engines a classification can run on (``--backend``)."""

    VECTOR = "vector"
    DURABLE = "durable"
    PYTHON = "python"


class Kernel(StrEnum):
    """The kernels of a bulk backend (``$ALLOCATOR_KERNEL``): ``auto`` takes C when it builds."""

    AUTO = "auto"
    C = "c"
    NUMPY = "numpy"


#: Every kernel name, in the order the messages list them.
KERNELS = tuple(k.value for k in Kernel)


@dataclass(frozen=True)
class Capabilities:
    """What a backend supports, declared rather than discovered.

    Attributes:
        explanations: each decision comes with the trace of why (conditions, priority terms).
        bulk: whole batches at array speed (millions of households).
        kernels: the kernels it can run (empty: there is nothing to choose).
        threads: batches may be classified from several threads at once.
        neighborhoods: it decides from neighborhood models, so one engine is made per data
            directory (a bulk backend reads the neighborhood columns of the batch instead).
    """

    explanations: bool
    bulk: bool
    kernels: tuple[Kernel, ...] = ()
    threads: bool = True
    neighborhoods: bool = False


class BatchEngine(Protocol):
    """What the pipeline needs of a backend.

    ``classify`` may answer in its own row order, as long as ``BatchResult.order`` says which
    batch row each result row is (the vector engine uses its size-sorted layout); writers put
    rows back into batch order, so every engine writes the same bytes.
    """

    @property
    def name(self) -> str: ...

    def classify(self, batch: Batch, day: date) -> BatchResult: ...
