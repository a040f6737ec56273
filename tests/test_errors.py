"""Every error is an AllocatorError with a reason code that the CLI and the service map."""

from __future__ import annotations

import pytest

from allocator.backends.durable.host import DurableError
from allocator.backends.native.build import KernelBuildError
from allocator.cli.common import EXIT_CODES
from allocator.errors import AllocatorError, DataError, Reason
from allocator.expressions import ExpressionSyntaxError, TypeProblem, parse
from allocator.outputs.atomic import OutputExistsError


def test_every_reason_has_an_exit_code_and_a_status() -> None:
    pytest.importorskip("fastapi")
    from allocator.service.problems import STATUS

    assert set(EXIT_CODES) == set(Reason)
    assert set(STATUS) == set(Reason)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (DurableError("refused"), Reason.RULES_ENGINE),
        (KernelBuildError("no compiler"), Reason.KERNEL_BUILD),
        (OutputExistsError("exists"), Reason.OUTPUT_EXISTS),
        (TypeProblem("bad"), Reason.EXPRESSION_TYPE),
        (ExpressionSyntaxError("bad", 3), Reason.EXPRESSION_SYNTAX),
    ],
)
def test_errors_outside_errors_py_are_in_the_tree(error: AllocatorError, reason: Reason) -> None:
    assert isinstance(error, AllocatorError)
    assert error.reason is reason


def test_the_built_in_bases_callers_catch_are_kept() -> None:
    with pytest.raises(ValueError, match="column"):
        parse("income >")
    assert isinstance(DurableError("x"), RuntimeError)


def test_a_reason_can_be_refined_per_instance() -> None:
    assert DataError("x").reason is Reason.DATA
    assert DataError("x", reason=Reason.CORRUPT_PART).reason is Reason.CORRUPT_PART
    assert DataError("y").reason is Reason.DATA  # the class default is untouched
