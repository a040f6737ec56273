"""Write households of a Parquet data set as an agency would export them (test helper).

The format is the example agency's (``examples/agency/mapping.yaml``): Persian headers and
values, Persian digits, ``٬`` thousands separators, Jalali dates of birth, the agency's codes.
Each member gets a valid national ID; each household the case file ``پ-<household_id>``.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import jdatetime
import pyarrow.parquet as pq
import yaml

from allocator.domain.nationalid import check_digit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MAPPING = ROOT / "examples" / "agency" / "mapping.yaml"
#: The fields the example agency does not record, as columns of the test's agency.
EXTRA_COLUMNS = {
    "street_child": "کودک کار",
    "waste_picker": "زباله‌گرد",
    "woman_at_risk": "زن در معرض آسیب",
}
FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def full_mapping() -> dict[str, Any]:
    """The example mapping, with a column for every field it declares as a constant."""
    mapping: dict[str, Any] = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    for name, column in EXTRA_COLUMNS.items():
        mapping["members"]["constants"].pop(name)
        mapping["members"]["fields"][name] = column
    return mapping


def write_mapping(path: Path) -> Path:
    path.write_text(yaml.safe_dump(full_mapping(), allow_unicode=True), encoding="utf-8")
    return path


def fa(value: object) -> str:
    return str(value).translate(FA)


def national_id(seed: int) -> str:
    first = f"{(seed * 7919 + 123456789) % 10**9:09d}"
    return first + str(check_digit(first))


def _inverse(
    mapping: dict[str, Any], table: str
) -> tuple[dict[str, str], dict[str, dict[Any, str]]]:
    columns: dict[str, str] = {}
    values: dict[str, dict[Any, str]] = {}
    for name, spec in mapping[table]["fields"].items():
        spec = {"column": spec} if isinstance(spec, str) else spec
        columns[name] = spec["column"]
        values[name] = {v: k for k, v in reversed(list((spec.get("values") or {}).items()))}
    return columns, values


def birth_date(age: int, day: date) -> str:
    """A Jalali date of birth giving ``age`` on ``day`` (the same day and month)."""
    today = jdatetime.date.fromgregorian(date=day)
    return f"{today.year - age}/{today.month:02d}/{min(today.day, 29):02d}"


def rows(
    data_dir: Path, day: date
) -> tuple[list[list[Any]], list[list[Any]], list[str], list[str]]:
    """Header and rows (plain values) of the households and members files."""
    mapping = full_mapping()
    h_cols, h_vals = _inverse(mapping, "households")
    m_cols, m_vals = _inverse(mapping, "members")
    h_key, m_key = mapping["households"]["key"], mapping["members"]["key"]
    households = pq.read_table(data_dir / "households.parquet").to_pylist()
    members = pq.read_table(data_dir / "members.parquet").to_pylist()
    h_header = [h_key, *h_cols.values()]
    m_header = [m_key, *m_cols.values()]
    h_rows = []
    for h in households:
        row: list[Any] = [f"پ-{h['household_id']}"]
        for name in h_cols:
            value = h[name]
            if h_vals.get(name):
                value = h_vals[name].get(value, value)
            elif isinstance(value, bool):
                value = "بله" if value else "خیر"
            row.append(value)
        h_rows.append(row)
    m_rows = []
    for i, m in enumerate(members):
        row = [f"پ-{m['household_id']}"]
        for name in m_cols:
            if name == "national_id":
                value: Any = national_id(i)
            elif name == "age":
                value = birth_date(m["age"], day)
            else:
                value = m[name]
                if m_vals.get(name):
                    value = m_vals[name].get(value, value)
                elif isinstance(value, bool):
                    value = "بله" if value else "خیر"
            row.append(value)
        m_rows.append(row)
    return h_rows, m_rows, h_header, m_header


def _text(value: Any, amount: bool) -> str:
    if amount and isinstance(value, int):
        return fa(f"{value:,}".replace(",", "٬"))
    return fa(value)


def write_csv(data_dir: Path, out: Path, day: date) -> tuple[Path, Path]:
    """UTF-8 CSV files with Persian digits and separators; returns (households, members)."""
    h_rows, m_rows, h_header, m_header = rows(data_dir, day)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "households.csv", out / "members.csv")
    for path, header, body in zip(paths, (h_header, m_header), (h_rows, m_rows), strict=True):
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows([_text(v, isinstance(v, int)) for v in r] for r in body)
    return paths


def write_xlsx(data_dir: Path, out: Path, day: date) -> tuple[Path, Path]:
    """Excel files written with openpyxl: numbers as numbers (national IDs too, so those
    starting with 0 lose it, as in real exports), text in Persian."""
    from openpyxl import Workbook

    h_rows, m_rows, h_header, m_header = rows(data_dir, day)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "households.xlsx", out / "members.xlsx")
    for path, header, body in zip(paths, (h_header, m_header), (h_rows, m_rows), strict=True):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("داده")
        sheet.append(header)
        for r in body:
            sheet.append([int(v) if isinstance(v, str) and v.isdigit() else v for v in r])
        book.save(path)
    return paths
