"""Provinces are solved two at a time, but never two large ones together: the peak memory
is about one large province's (``solve_all``)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from allocator.optimize import provinces
from allocator.optimize.solvers import SolveOptions
from allocator.optimize.split import Partition

SIZES = [100, 10, 40, 35, 5, 5, 60]


def _partition(sizes: list[int]) -> Partition:
    groups = np.repeat(np.arange(len(sizes)), sizes)
    groups = np.concatenate([groups, [-1, -1]])  # two global totals
    empty = np.zeros(0, dtype=np.int64)
    return Partition(
        n_groups=len(sizes),
        column_group=groups,
        row_group=empty,
        shared_rows=empty,
        global_cols=np.flatnonzero(groups < 0),
        total_max=np.zeros(2),
        potential_use=np.zeros((len(sizes), 0)),
    )


def _recording(monkeypatch: pytest.MonkeyPatch, fail: int | None = None) -> dict[str, float]:
    seen = {"columns": 0.0, "most_columns": 0.0, "most_at_once": 0.0, "at_once": 0.0}
    lock = threading.Lock()

    def solve_one(lp: object, _opts: object, _warm: object = None) -> object:
        p = int(lp)  # type: ignore[call-overload]
        with lock:
            seen["columns"] += SIZES[p]
            seen["at_once"] += 1
            seen["most_columns"] = max(seen["most_columns"], seen["columns"])
            seen["most_at_once"] = max(seen["most_at_once"], seen["at_once"])
        time.sleep(0.02)
        with lock:
            seen["columns"] -= SIZES[p]
            seen["at_once"] -= 1
        if p == fail:
            raise RuntimeError(f"province {p} failed")
        return f"solved {p}"

    monkeypatch.setattr(provinces, "solve_one", solve_one)
    return seen


def test_two_at_a_time_but_never_two_large_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _recording(monkeypatch)
    out = provinces.solve_all(_partition(SIZES), lambda p: p, SolveOptions())  # type: ignore[arg-type,return-value]
    assert out == [f"solved {p}" for p in range(len(SIZES))]  # by province
    assert seen["most_at_once"] == 2  # the cores are both used
    assert seen["most_columns"] <= provinces.PAIR_BUDGET * max(SIZES)  # 100 + 60 never


def test_a_failed_province_fails_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    _recording(monkeypatch, fail=3)
    with pytest.raises(RuntimeError, match="province 3 failed"):
        provinces.solve_all(_partition(SIZES), lambda p: p, SolveOptions())  # type: ignore[arg-type,return-value]


def test_largest_first() -> None:
    assert provinces.largest_first(_partition(SIZES)) == [0, 6, 2, 3, 1, 4, 5]


@pytest.mark.parametrize(("chosen", "used"), [("auto", "simplex"), ("barrier", "barrier")])
def test_provinces_are_solved_by_the_dual_simplex_unless_told(
    monkeypatch: pytest.MonkeyPatch, chosen: str, used: str
) -> None:
    algorithms: list[str] = []

    def solve_one(lp: object, opts: SolveOptions, _warm: object = None) -> object:
        algorithms.append(opts.lp_algorithm)
        return lp

    monkeypatch.setattr(provinces, "solve_one", solve_one)
    provinces.solve_all(_partition(SIZES), lambda p: p, SolveOptions(lp_algorithm=chosen))  # type: ignore[arg-type,return-value]
    assert algorithms and set(algorithms) == {used}
