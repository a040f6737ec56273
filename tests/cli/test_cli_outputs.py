"""One rule for existing outputs (--force, one message), and --resume of a finished result."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.conftest import invoke
from tests.conftest import ROOT


def _exists(path: Path) -> str:
    return f"{path} already exists: pass --force to replace it"


def test_synth_refuses_an_existing_data_set_with_the_common_message(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert invoke("synth", "--preset", "tiny", "--seed", "3", "--out", str(out))[0] == 0
    before = (out / "manifest.json").read_text()
    code, output = invoke("synth", "--preset", "tiny", "--seed", "3", "--out", str(out))
    assert code == 2 and _exists(out) in output
    assert (out / "manifest.json").read_text() == before
    code, output = invoke("synth", "--preset", "tiny", "--seed", "4", "--out", str(out), "--force")
    assert code == 0, output
    assert (out / "manifest.json").read_text() != before


def test_classify_refuses_then_replaces_with_force(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "classified"
    args = ("classify", str(tiny), "--out", str(out), "--date", "2025-06-01")
    assert invoke(*args)[0] == 0
    code, output = invoke(*args)
    assert code == 2 and _exists(out) in output
    assert invoke(*args, "--force")[0] == 0


def test_resume_of_a_finished_classification_says_so_and_succeeds(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "classified"
    args = ("classify", str(tiny), "--out", str(out), "--date", "2025-06-01")
    assert invoke(*args)[0] == 0
    before = (out / "manifest.json").read_text()
    # The state a kill just after publishing leaves: the result, no work directory.
    assert not (tmp_path / ".classified.tmp").exists()
    code, output = invoke(*args, "--resume")
    assert code == 0, output
    assert "already complete" in output
    assert (out / "manifest.json").read_text() == before


def test_resume_into_a_result_of_another_run_is_refused(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "classified"
    assert invoke("classify", str(tiny), "--out", str(out), "--date", "2025-06-01")[0] == 0
    code, output = invoke(
        "classify", str(tiny), "--out", str(out), "--date", "2025-07-01", "--resume"
    )
    assert code == 2 and "different" in output


def test_sweep_refuses_an_existing_directory_with_the_common_message(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    out.mkdir()
    scenario = ROOT / "scenarios" / "over-constrained.yaml"
    code, output = invoke("sweep", str(scenario), "--vary", "budget=1:2:2", "--out", str(out))
    assert code == 2 and _exists(out) in output


def test_an_out_under_a_file_is_refused_before_any_work(tiny: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / "sub" / "out"
    for args in (
        ("synth", "--preset", "tiny", "--out", str(out)),
        ("classify", str(tiny), "--out", str(out)),
        ("run", str(ROOT / "scenarios" / "over-constrained.yaml"), "--out", str(out)),
    ):
        code, output = invoke(*args)
        assert code == 2, output
        assert f"{blocker} is not a directory" in output and "Traceback" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_an_out_whose_parent_cannot_be_made_is_refused(tiny: Path) -> None:
    out = Path("/proc/allocator-cannot-exist/out")
    code, output = invoke("classify", str(tiny), "--out", str(out))
    assert code == 2 and f"{out}: cannot create it" in output


def test_a_damaged_parquet_page_names_the_file_and_leaves_nothing(
    tiny: Path, tmp_path: Path
) -> None:
    data = tmp_path / "damaged"
    shutil.copytree(tiny, data)
    path = data / "households.parquet"
    raw = bytearray(path.read_bytes())
    for i in range(200, 4000):  # inside the first column chunk's data pages
        raw[i] = (raw[i] * 7 + 13) % 256
    path.write_bytes(bytes(raw))
    out = tmp_path / "out"
    code, output = invoke("classify", str(data), "--out", str(out))
    assert code == 2, output
    assert str(path) in output and "damaged" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged"]


def test_zero_threads_are_refused(tiny: Path, tmp_path: Path) -> None:
    code, output = invoke("classify", str(tiny), "--out", str(tmp_path / "o"), "--threads", "0")
    assert code == 2 and "--threads must be at least 1" in output
    assert not list(tmp_path.iterdir())
