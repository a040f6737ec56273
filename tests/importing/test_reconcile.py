"""Reconciliation: one person in two agencies, a household split differently, conflicting
incomes, households known to nobody's case files; and the merged data set classifies."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from allocator.api.ruleset import default_rules_dir
from allocator.data.writer import write_dataset
from allocator.domain.nationalid import mask
from allocator.errors import DataError
from allocator.importing import import_dataset
from allocator.importing.reconcile_write import reconcile_datasets
from allocator.loading import load_ruleset
from allocator.pipeline import classify_dataset

from .agency import EXAMPLE_MAPPING, fa, national_id

DAY = date(2023, 6, 1)
P1, P2, P3, G, Q = (national_id(i) for i in range(5))


@pytest.fixture(scope="module")
def neighborhoods(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "data"
    write_dataset("tiny", 0, out)
    return out


def _member(case: str, nid: str, born: str, sex: str, relation: str) -> list[str]:
    return [case, fa(nid), fa(born), sex, relation, "خیر", "۰", "ندارد", *["خیر"] * 5]


def _agency(
    tmp: Path,
    nb: Path,
    source: str,
    households: list[list[Any]],
    members: list[list[str]],
    holds: bool = True,
) -> Path:
    mapping = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    mapping["source"], mapping["holds_case_files"] = source, holds
    folder = tmp / source
    folder.mkdir()
    (folder / "mapping.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")
    h_header = [
        "شماره پرونده",
        "کد محله",
        "درآمد ماهانه (تومان)",
        "دارایی (تومان)",
        "وضعیت مسکن",
        "نهاد پرونده‌دار",
        "مستمری",
    ]
    m_header = [
        "شماره پرونده",
        "کد ملی",
        "تاریخ تولد",
        "جنسیت",
        "نسبت با سرپرست",
        "بیمه",
        "کد معلولیت",
        "شدت معلولیت",
        "بیماری صعب‌العلاج",
        "محصل",
        "شاغل",
        "اعتیاد",
        "زندان",
    ]
    for name, header, rows in (("h.csv", h_header, households), ("m.csv", m_header, members)):
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows([[fa(v) for v in r] for r in rows])
    out = tmp / f"{source}-data"
    result = import_dataset(
        folder / "mapping.yaml", folder / "h.csv", folder / "m.csv", out, DAY, neighborhoods=nb
    )
    assert result.counts["reject_rows"] == 0, pq.read_table(out / "rejects.parquet").to_pylist()
    return out


def _household(case: str, income: int, agency: str = "ندارد") -> list[Any]:
    return [case, 3, f"{income:,}", 0, "استیجاری", agency, "خیر"]


@pytest.fixture
def agencies(tmp_path: Path, neighborhoods: Path) -> tuple[Path, Path, Path]:
    """Relief committee: the family of P1 in one household (with grandmother G), income 1 M.
    Behzisti: P1's family in one household (income 3 M) and G in her own. The welfare
    register (no case files): Q alone, and P2 (P1's wife)."""
    relief = _agency(
        tmp_path,
        neighborhoods,
        "relief",
        [_household("R-1", 1_000_000, "کمیته امداد")],
        [
            _member("R-1", P1, "1360/01/01", "مرد", "سرپرست"),
            _member("R-1", P2, "1362/01/01", "زن", "همسر"),
            _member("R-1", P3, "1390/01/01", "مرد", "فرزند"),
            _member("R-1", G, "1330/01/01", "زن", "والد"),
        ],
    )
    behzisti = _agency(
        tmp_path,
        neighborhoods,
        "behzisti",
        [_household("B-7", 3_000_000, "بهزیستی"), _household("B-8", 500_000, "بهزیستی")],
        [
            _member("B-7", P1, "1360/01/01", "مرد", "سرپرست"),
            _member("B-7", P2, "1362/01/01", "زن", "همسر"),
            _member("B-7", P3, "1390/01/01", "مرد", "فرزند"),
            _member("B-8", G, "1330/01/01", "زن", "سرپرست"),
        ],
    )
    register = _agency(
        tmp_path,
        neighborhoods,
        "register",
        [_household("N-1", 0), _household("N-2", 1_000_000)],
        [
            _member("N-1", Q, "1380/05/05", "زن", "سرپرست"),
            _member("N-2", P2, "1362/01/01", "زن", "سرپرست"),
        ],
        holds=False,
    )
    return relief, behzisti, register


def _read(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        pq.read_table(out / "households.parquet").to_pylist(),
        pq.read_table(out / "members.parquet").to_pylist(),
        pq.read_table(out / "conflicts.parquet").to_pylist(),
    )


def test_relief_first(agencies: tuple[Path, Path, Path], tmp_path: Path) -> None:
    relief, behzisti, register = agencies
    out = tmp_path / "merged"
    summary = reconcile_datasets([relief, behzisti, register], out)
    households, members, conflicts = _read(out)
    # P1's family, G included, is one household (the relief committee leads); Q is alone
    assert len(households) == 2 and len(members) == 5
    assert sorted(m["national_id"] for m in members) == sorted([P1, P2, P3, G, Q])
    family = households[0]
    assert family["income"] == 1_000_000 and family["case_agency"] == "relief_committee"
    by_field = {(c["field"], c["source_b"]): c for c in conflicts}
    incomes = [c for c in conflicts if c["field"] == "income" and c["source_b"] == "behzisti"]
    # both of Behzisti's households (B-7, and B-8 of G) joined R-1: both incomes reported
    assert {(c["value_a"], c["value_b"], c["kept"]) for c in incomes} == {
        ("1000000", "3000000", "1000000"),
        ("1000000", "500000", "1000000"),
    }
    split = by_field[("household split", "behzisti")]
    assert (
        "1 household(s): R-1" in split["value_a"] and "2 household(s): B-7, B-8" in split["value_b"]
    )
    assert ("members", "register") in by_field  # P2 alone in the register
    cases = pq.read_table(out / "case_files.parquet").to_pylist()
    assert {(c["source"], c["case_file"]) for c in cases if c["household_id"] == 1} == {
        ("relief", "R-1"),
        ("behzisti", "B-7"),
        ("behzisti", "B-8"),
        ("register", "N-2"),
    }
    # Q is known only to the register, which holds no case files
    assert pq.read_table(out / "uncovered.parquet").column("household_id").to_pylist() == [2]
    assert summary["uncovered_households"] == 1
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "income" in text and "household split" in text
    for nid in (P1, P2, P3, G, Q):  # the report shows national IDs masked only
        assert nid not in text and nid not in (out / "conflicts.csv").read_text("utf-8")
    assert mask(P2) in (out / "conflicts.csv").read_text("utf-8")


def test_behzisti_first_keeps_its_split(agencies: tuple[Path, Path, Path], tmp_path: Path) -> None:
    relief, behzisti, register = agencies
    out = tmp_path / "merged"
    reconcile_datasets([behzisti, relief, register], out)
    households, members, conflicts = _read(out)
    assert len(households) == 3 and len(members) == 5  # B-7, B-8, and Q: each person once
    assert households[0]["income"] == 3_000_000
    assert [m["relation"] for m in members if m["national_id"] == G] == ["head"]
    split = [c for c in conflicts if c["field"] == "household split"]
    assert (
        split
        and "2 household(s)" in split[0]["value_a"]
        and "1 household(s)" in split[0]["value_b"]
    )


def test_merged_data_set_classifies_each_person_once(
    agencies: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "merged"
    reconcile_datasets(list(agencies), out)
    summary = classify_dataset(out, tmp_path / "classified", load_ruleset(default_rules_dir()), DAY)
    assert summary["households_read"] == 2 and summary["households_rejected"] == 0


def test_refuses_one_data_set_and_existing_output(
    agencies: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    with pytest.raises(DataError, match="at least two"):
        reconcile_datasets([agencies[0]], tmp_path / "x")
    (tmp_path / "y").mkdir()
    with pytest.raises(Exception, match="already exists"):
        reconcile_datasets(list(agencies), tmp_path / "y")
