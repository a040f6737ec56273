"""Digits, separators, yes/no, codes, dates and the readers, value by value."""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.errors import DataError
from allocator.importing.convert import convert_column
from allocator.importing.digits import ascii_digits
from allocator.importing.mapping import FieldSpec
from allocator.importing.readers import read_blocks

DAY = date(2023, 6, 1)  # 1402/03/11
DIGITS = "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@given(st.lists(st.one_of(st.none(), st.text(alphabet=DIGITS + ",٬،ab رای"))), st.booleans())
def test_ascii_digits_agrees_with_translate(values: list[str | None], drop: bool) -> None:
    expected = []
    for v in values:
        if v is not None:
            v = v.translate(TO_ASCII)
            if drop:
                v = v.replace(",", "").replace("٬", "").replace("،", "")
        expected.append(v)
    assert ascii_digits(pa.array(values, pa.string()), drop_separators=drop).to_pylist() == expected


def _convert(spec: FieldSpec, values: list[str | None]) -> tuple[list[object], list[str]]:
    col = convert_column(spec, pa.array(values, pa.string()), DAY)
    values_out = col.values.to_pylist() if isinstance(col.values, pa.Array) else col.values.tolist()
    return values_out, [f"{i}:{r}" for i, _, r in col.problems]


def test_amounts_with_every_separator() -> None:
    values, problems = _convert(
        FieldSpec("income", "amount", "درآمد"),
        ["۲٬۵۰۰٬۰۰۰", "٢،٥٠٠،٠٠٠", "2,500,000", " 2500000 ", "۲۵۰ هزار", None, "-5", "9" * 14],
    )
    assert values[:4] == [2_500_000] * 4
    assert problems == [
        "4:not a whole number >= 0",
        "5:missing value",
        "6:not a whole number >= 0",
        "7:not a whole number >= 0",
    ]


def test_yes_no_codes_and_mapping_values() -> None:
    flags, problems = _convert(
        FieldSpec("insured", "bool", "بیمه"),
        ["بله", "خیر", "دارد", "ندارد", "Yes", "۱", "٠", "شاید"],
    )
    assert flags == [True, False, True, False, True, True, False, False]
    assert problems == ["7:not a yes/no value"]
    spec = FieldSpec(
        "disability_type", "enum", "کد", "disability_type", {"0": "none", "1": "physical_motor"}
    )
    codes, problems = _convert(spec, ["۰", "١", "1", "visual", "9"])
    assert codes[:4] == [0, 1, 1, 3]  # a schema value is accepted besides the mapping's
    assert problems == ["4:not a value of the mapping (0, 1)"]


def test_letters_and_zero_width_non_joiner() -> None:
    spec = FieldSpec("housing", "enum", "مسکن", "housing", {"بی خانمان": "homeless"})
    codes, problems = _convert(spec, ["بی‌خانمان", "بي خانمان", " بی  خانمان "])
    assert codes == [3, 3, 3] and problems == []


def test_birth_dates() -> None:
    spec = FieldSpec("age", "int", "تاریخ تولد", birth_date="jalali")
    ages, problems = _convert(
        spec,
        [
            "۱۳۶۵/۰۳/۱۱",
            "1365-03-12",
            "١٣٦٥/٣/١٠",
            "1399/12/30",
            "1400/12/30",
            "1986/06/01",
            "1403/01/01",
            "65/03/11",
        ],
    )
    assert ages[:4] == [37, 36, 37, 2]
    assert problems == [
        "4:'1400/12/30' is not a Jalali date (day is out of range for month)",
        "5:'1986/06/01' is a Gregorian year, the mapping says jalali",
        "6:'1403/01/01' is after the decision date 2023-06-01",
        "7:'65/03/11' is not a date of the form YYYY/MM/DD",
    ]


def test_csv_missing_columns_all_named(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="no column 'x', 'y'"):
        list(read_blocks(path, ["a", "x", "y"]))


def test_csv_cp1256_with_bom_free_headers(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("کد,درآمد\n1,100\n".encode("cp1256"))
    blocks = list(read_blocks(path, ["کد", "درآمد"], encoding="cp1256"))
    assert blocks[0].table.to_pydict() == {"کد": ["1"], "درآمد": ["100"]}


def test_xlsx_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "خانوار"
    sheet.append(["کد ملی", "درآمد", "تاریخ", "کد"])
    sheet.append([12345679, 2500000.0, dt.datetime(1986, 6, 1), "۱۰۱"])
    sheet.append([None, "۲٬۵۰۰", "1365/03/11", 7])
    book.create_sheet("دیگر")
    path = tmp_path / "h.xlsx"
    book.save(path)
    blocks = list(read_blocks(path, ["کد", "کد ملی", "درآمد", "تاریخ"], sheet="خانوار"))
    assert blocks[0].first_row == 2
    assert blocks[0].table.to_pydict() == {
        "کد": ["۱۰۱", "7"],
        "کد ملی": ["12345679", None],
        "درآمد": ["2500000", "۲٬۵۰۰"],
        "تاریخ": ["1986-06-01", "1365/03/11"],
    }
    with pytest.raises(DataError, match="no sheet 'x'"):
        list(read_blocks(path, ["کد"], sheet="x"))


def test_csv_utf8_with_bom(tmp_path: Path) -> None:  # Excel's "CSV UTF-8" writes one
    path = tmp_path / "h.csv"
    path.write_bytes("\ufeffکد,درآمد\n۱,۱۰۰\n".encode())
    assert next(iter(read_blocks(path, ["کد"]))).table.to_pydict() == {"کد": ["۱"]}


def test_mapping_unknown_encoding() -> None:
    import yaml

    from allocator.importing.mapping import parse_mapping

    from .agency import EXAMPLE_MAPPING

    data = yaml.safe_load(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    data["encoding"] = "persian-ish"
    with pytest.raises(DataError, match="unknown encoding 'persian-ish'"):
        parse_mapping(data)
