"""``allocator import`` and ``allocator reconcile`` from the command line: the example agency,
rejects with masked IDs, bad mappings and files refused whole, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from allocator.cli.app import _register, app

from .agency import EXAMPLE_MAPPING

_register()
EXAMPLES = EXAMPLE_MAPPING.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def neighborhoods(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from allocator.data.writer import write_dataset

    out = tmp_path_factory.mktemp("tiny") / "data"
    write_dataset("tiny", 0, out)
    return out


def _import(out: Path, *extra: str, mapping: Path = EXAMPLE_MAPPING) -> object:
    return runner.invoke(
        app,
        [
            "import",
            "--mapping",
            str(mapping),
            "--households",
            str(EXAMPLES / "households.csv"),
            "--members",
            str(EXAMPLES / "members.csv"),
            "--out",
            str(out),
            "--date",
            "2023-06-01",
            *extra,
        ],
    )


def test_example_agency(tmp_path: Path, neighborhoods: Path) -> None:
    out = tmp_path / "agency"
    done = _import(out)
    assert done.exit_code == 0, done.output
    assert "households written" in done.output
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    reasons = {(r["file"], r["row"], r["column"]): r["reason"] for r in rejects}
    assert (
        reasons[("members.csv", 10, "کد ملی")] == "national ID ***-***-6560 fails its check digit"
    )
    assert "is not a Jalali date" in reasons[("members.csv", 11, "تاریخ تولد")]
    assert "2 rejected member row(s)" in reasons[("households.csv", 6, "شماره پرونده")]
    assert "4056086560" not in done.output + (out / "rejects.csv").read_text("utf-8")
    households = pq.read_table(out / "households.parquet").to_pylist()
    assert [h["income"] for h in households] == [2_500_000, 0, 8_000_000, 1_200_000]
    members = pq.read_table(out / "members.parquet").to_pylist()
    assert members[0]["age"] == 43 and members[0]["national_id"] == "9458073022"
    assert members[2]["disability_type"] == "intellectual"
    verified = runner.invoke(app, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output
    classified = runner.invoke(
        app, ["classify", str(out), "--out", str(tmp_path / "c"), "--date", "2023-06-01"]
    )
    assert classified.exit_code == 0, classified.output
    assert "4 households read = 4 classified" in classified.output


def test_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "agency"
    out.mkdir()
    done = _import(out)
    assert done.exit_code == 2 and "already exists" in done.output
    assert _import(out, "--force").exit_code == 0


def test_mapping_problems_all_reported_nothing_written(tmp_path: Path) -> None:
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    del mapping["households"]["fields"]["income"]
    mapping["members"]["fields"]["sex"]["values"]["نامعلوم"] = "unknown"
    mapping["members"]["constants"]["street_child"] = "maybe"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    done = _import(out, mapping=bad)
    assert done.exit_code == 2
    text = " ".join(done.output.split())
    assert "3 problem(s)" in text
    assert "field 'income' is neither in fields nor in constants" in text
    assert "'unknown' is not one of female, male" in text
    assert "members.constants.street_child" in text
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_missing_column_named(tmp_path: Path) -> None:
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["households"]["fields"]["income"] = "درآمد خانوار"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    done = _import(tmp_path / "out", mapping=bad)
    assert done.exit_code == 2
    assert "households.csv: no column 'درآمد خانوار'" in " ".join(done.output.split())
    assert not (tmp_path / "out").exists()


def test_reconcile_command(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert _import(first).exit_code == 0
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["source"] = "behzisti"
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    assert _import(second, mapping=other).exit_code == 0
    done = runner.invoke(app, ["reconcile", str(first), str(second), "--out", str(tmp_path / "m")])
    assert done.exit_code == 0, done.output
    assert "4 households, 8 people; 4 registered more than once; 0 conflicts" in " ".join(
        done.output.split()
    )
    only_one = runner.invoke(app, ["reconcile", str(first), "--out", str(tmp_path / "n")])
    assert only_one.exit_code == 2 and "at least two" in only_one.output
