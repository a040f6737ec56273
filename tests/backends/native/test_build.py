"""Building kernels: once per machine (cached), atomically, and a clear error without a compiler."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet
from allocator.backends.batch import Batch
from allocator.backends.native import build
from allocator.backends.native.build import KernelBuildError, load
from allocator.backends.vector import VectorBackend
from allocator.domain import Neighborhood, parse_household
from allocator.errors import InputError

SOURCE = "int answer(void) { return 42; }\n"


def test_a_kernel_is_compiled_once_then_loaded_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOCATOR_KERNEL_CACHE", str(tmp_path))
    monkeypatch.setattr(build, "_loaded", {})
    assert load(SOURCE).answer() == 42
    built = list(tmp_path.glob("kernel-*.so"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    monkeypatch.setattr(build, "_loaded", {})
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))  # a rebuild would fail
    monkeypatch.setattr(build, "compiler", lambda: str(tmp_path / "no-such-compiler"))
    with pytest.raises(KernelBuildError):  # the compiler is part of the key: a new build
        load(SOURCE)
    assert built[0].stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("tmp")] == []


def test_compiler_errors_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATOR_KERNEL_CACHE", str(tmp_path))
    with pytest.raises(KernelBuildError, match="compiling the rules kernel failed"):
        load("this is not C;\n")
    assert list(tmp_path.glob("kernel-*.so")) == []


def _batch(neighborhood: Neighborhood) -> Batch:
    head = {"age": 40, "sex": "female", "relation": "head"}
    hh = parse_household(
        {"household_id": 1, "neighborhood_id": 1, "income": 0, "assets": 0, "members": [head]}
    )
    return Batch.from_models([hh], {1: neighborhood})


def test_without_a_compiler_auto_falls_back_to_numpy_and_c_fails(
    ruleset: RuleSet,
    target_neighborhood: Neighborhood,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLOCATOR_KERNEL_CACHE", str(tmp_path))
    monkeypatch.setattr(build, "compiler", lambda: None)
    day = date(2025, 6, 1)
    with pytest.warns(UserWarning, match="no C compiler found"):
        result = VectorBackend(ruleset, "auto").classify(_batch(target_neighborhood), day)
    assert result.order is not None  # the NumPy kernel's layout order
    with pytest.raises(KernelBuildError, match="no C compiler found"):
        VectorBackend(ruleset, "c").classify(_batch(target_neighborhood), day)


def test_the_kernel_is_chosen_by_argument_or_environment(
    ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOCATOR_KERNEL", "numpy")
    assert VectorBackend(ruleset).kernel == "numpy"
    assert VectorBackend(ruleset, "c").kernel == "c"
    monkeypatch.setenv("ALLOCATOR_KERNEL", "fortran")
    with pytest.raises(InputError, match="unknown kernel 'fortran'"):
        VectorBackend(ruleset)


def test_an_unwritable_cache_falls_back_to_the_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("ALLOCATOR_KERNEL_CACHE", str(blocker / "kernels"))
    monkeypatch.setattr(build.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(build, "_loaded", {})
    assert load(SOURCE + "/* fallback */\n").answer() == 42
    assert len(list((tmp_path / "tmp").glob("allocator-kernels-*/kernel-*.so"))) == 1
