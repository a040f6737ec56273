from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocator.outputs import OutputExistsError, atomic_output, verify_dir
from allocator.outputs.atomic import temporary_sibling


def _write(final: Path, text: str, force: bool = False) -> None:
    with atomic_output(final, kind="demo", force=force, command=["t"]) as tmp:
        (tmp / "a.txt").write_text(text)
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.json").write_text("{}")


def test_published_directory_has_a_manifest_that_verifies(tmp_path: Path) -> None:
    final = tmp_path / "out"
    _write(final, "one")
    assert verify_dir(final) == []
    manifest = json.loads((final / "manifest.json").read_text())
    assert [f["path"] for f in manifest["files"]] == ["a.txt", "sub/b.json"]
    assert not temporary_sibling(final).exists()


def test_existing_output_needs_force(tmp_path: Path) -> None:
    final = tmp_path / "out"
    _write(final, "one")
    with pytest.raises(OutputExistsError):
        _write(final, "two")
    assert (final / "a.txt").read_text() == "one"
    _write(final, "two", force=True)
    assert (final / "a.txt").read_text() == "two" and verify_dir(final) == []


def test_a_failure_leaves_the_previous_result(tmp_path: Path) -> None:
    final = tmp_path / "out"
    _write(final, "one")
    with pytest.raises(RuntimeError), atomic_output(final, kind="demo", force=True) as tmp:
        (tmp / "a.txt").write_text("half")
        raise RuntimeError("killed")
    assert (final / "a.txt").read_text() == "one"
    assert not temporary_sibling(final).exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "a.txt").write_text("tampered"), "a.txt"),
        (lambda d: (d / "a.txt").unlink(), "a.txt: missing"),
        (lambda d: (d / "extra.txt").write_text("x"), "extra.txt: not in the manifest"),
        (lambda d: (d / "manifest.json").unlink(), "no manifest.json"),
    ],
)
def test_verify_reports_what_is_wrong(tmp_path: Path, damage: object, message: str) -> None:
    final = tmp_path / "out"
    _write(final, "one")
    damage(final)  # type: ignore[operator]
    problems = verify_dir(final)
    assert any(message in p for p in problems), problems


def test_a_result_set_aside_by_a_killed_process_is_cleaned_up(tmp_path: Path) -> None:
    final = tmp_path / "out"
    stale = tmp_path / ".out.old-999999999"  # no such process
    stale.mkdir()
    (stale / "a.txt").write_text("old")
    _write(final, "new")
    assert not stale.exists() and verify_dir(final) == []
