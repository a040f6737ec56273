"""A CSV import cut into pieces read side by side gives the data set the rules say, and the
same data set, byte for byte in its tables and rejects, as the streaming reader.

The agency's files hold the tricky cases: Persian and Arabic-Indic digits, thousands
separators, spaces around values, Jalali dates (Esfand 30 of a leap and of a common year, a
Gregorian year), invalid and repeated national IDs, missing values and a member of an
unknown case file. The expected ages come from jdatetime and the expected IDs from
:mod:`allocator.domain.nationalid`, value by value.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jdatetime
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from allocator.domain import nationalid
from allocator.errors import DataError
from allocator.importing import import_dataset, load, readers
from allocator.importing.mapping import load_mapping

from .agency import EXAMPLE_MAPPING

DAY = date(2023, 6, 1)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
H_HEADER = ["شماره پرونده", "کد محله", "درآمد ماهانه (تومان)", "دارایی (تومان)", "وضعیت مسکن"]
H_HEADER += ["نهاد پرونده‌دار", "مستمری"]
M_HEADER = ["شماره پرونده", "کد ملی", "تاریخ تولد", "جنسیت", "نسبت با سرپرست", "بیمه"]
M_HEADER += ["کد معلولیت", "شدت معلولیت", "بیماری صعب‌العلاج", "محصل", "شاغل", "اعتیاد", "زندان"]
HOUSEHOLDS = 600
HOME = ["ملکی", "ندارد", "خیر"]
NO = ["ندارد", "خیر", "خیر", "خیر", "خیر", "خیر"]


def _digits(text: str, i: int) -> str:
    return text.translate(PERSIAN if i % 3 == 0 else ARABIC if i % 3 == 1 else {})


def _id(i: int) -> str:
    first = f"{(i * 7_368_787 + 1234) % 10**9:09d}"
    return first + str(nationalid.check_digit(first))


def _age(text: str) -> int:
    year, month, day = (int(p) for p in text.split("/"))
    today = jdatetime.date.fromgregorian(date=DAY)
    jdatetime.date(year, month, day)  # raises for a date that does not exist
    return today.year - year - ((today.month, today.day) < (month, day))


def _files(directory: Path) -> dict[str, Any]:
    """Write the two files; what the rules say of them (kept IDs with their ages, and the
    member rows rejected with their column and reason)."""
    households, members = [], []
    kept: dict[str, int] = {}
    rejected: set[tuple[int, str, str]] = set()
    row = 1
    for h in range(HOUSEHOLDS):
        key = str(100_000 + h)
        income = f"{h * 1_000:,}".replace(",", "٬" if h % 2 else ",")
        assets = _digits(f" {h * 10} " if h % 7 == 0 else str(h * 10), h)
        households.append(
            [_digits(key, h), _digits(str(1 + h % 50), h), _digits(income, h + 1), assets, *HOME]
        )
        ids: dict[str, int] = {}
        bad_household = False
        for j in range(1 + h % 4):
            row += 1
            n = h * 10 + j
            birth = f"{1330 + n % 70}/{1 + n % 12:02d}/{1 + n % 29:02d}"
            national = _id(n)
            if n % 97 == 5:  # a wrong check digit
                national = national[:9] + str((int(national[9]) + 1) % 10)
                rejected.add((row, "کد ملی", "fails its check digit"))
                bad_household = True
            elif n % 89 == 7:
                birth = "1400/12/30"  # 1400 is not a leap year
                rejected.add((row, "تاریخ تولد", "day is out of range for month"))
                bad_household = True
            elif n % 83 == 3:
                birth = "1985/01/01"
                rejected.add((row, "تاریخ تولد", "is a Gregorian year"))
                bad_household = True
            elif n % 79 == 2:
                birth = ""
                rejected.add((row, "تاریخ تولد", "missing value"))
                bad_household = True
            elif n % 71 == 1:
                birth = "1399/12/30"  # a leap year: valid
            shown_id = _digits(national, n)
            if n % 11 == 4 and national[0] == "0":  # nine digits, as Excel drops a zero
                shown_id = _digits(national[1:], n)
            relation = "سرپرست" if j == 0 else "فرزند"
            members.append(
                [_digits(key, n), shown_id, _digits(birth, n), "زن", relation, "بله", "۰", *NO]
            )
            if (row, "کد ملی", "fails its check digit") not in rejected:
                ids[national] = -1 if bad_household else _age(birth)
        if not bad_household and len(ids) == 1 + h % 4:
            kept.update(ids)
    row += 1  # a member of no household
    members.append(["۹۹۹۹۹۹", *members[0][1:]])
    rejected.add((row, "شماره پرونده", "no household with this case file"))
    for name, header, body in (
        ("households.csv", H_HEADER, households),
        ("members.csv", M_HEADER, members),
    ):
        with (directory / name).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(body)
    return {"kept": kept, "rejected": rejected}


def _import(directory: Path, out: Path) -> None:
    import_dataset(
        EXAMPLE_MAPPING, directory / "households.csv", directory / "members.csv", out, DAY
    )


def _tables(out: Path) -> dict[str, pa.Table]:
    return {p.name: pq.read_table(p) for p in sorted(out.glob("*.parquet"))}


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("agency")
    return directory, _files(directory)


def test_pieces_give_what_the_rules_say(
    agency: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, expected = agency
    monkeypatch.setattr(readers, "PIECE_BYTES", 2_000)  # dozens of pieces, two threads
    _import(directory, tmp_path / "out")
    members = pq.read_table(tmp_path / "out" / "members.parquet")
    got = dict(zip(members["national_id"].to_pylist(), members["age"].to_pylist(), strict=True))
    assert got == expected["kept"]
    assert min(got.values()) >= 0
    rejects = pq.read_table(tmp_path / "out" / "rejects.parquet").to_pylist()
    members_rejects = [r for r in rejects if r["file"] == "members.csv"]
    for row, column, reason in expected["rejected"]:
        assert any(
            r["row"] == row and r["column"] == column and reason in r["reason"]
            for r in members_rejects
        ), (row, column, reason)
    for r in rejects:  # IDs are masked
        assert not any(k in r["value"] + r["reason"] for k in expected["kept"])


def test_pieces_and_streaming_write_the_same(
    agency: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _ = agency
    monkeypatch.setattr(readers, "PIECE_BYTES", 3_000)
    _import(directory, tmp_path / "pieces")
    streamed: list[int] = []

    def no_pieces(*args: Any, **kwargs: Any) -> Iterator[Any]:
        def fail() -> pa.Table:
            streamed.append(1)
            raise pa.ArrowInvalid("not parsed in pieces")

        yield fail

    monkeypatch.setattr(load, "csv_pieces", no_pieces)
    _import(directory, tmp_path / "streamed")
    assert streamed == [1, 1]  # both files fell back to the streaming reader
    pieces, stream = _tables(tmp_path / "pieces"), _tables(tmp_path / "streamed")
    assert pieces.keys() == stream.keys()
    for name, table in pieces.items():
        assert table.equals(stream[name]), name
    csv_a = (tmp_path / "pieces" / "rejects.csv").read_bytes()
    assert csv_a == (tmp_path / "streamed" / "rejects.csv").read_bytes()
    assert len(pieces["members.parquet"]) > 800


def test_a_bad_piece_reports_the_streaming_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "PIECE_BYTES", 200)
    path = tmp_path / "members.csv"
    good = ",".join(["1", _id(1), "1360/01/01", "زن", "سرپرست", "بله", "0"] + ["خیر"] * 6)
    path.write_text(
        ",".join(M_HEADER) + "\n" + (good + "\n") * 20 + "1,2\n" + (good + "\n") * 5,
        encoding="utf-8",
    )
    spec = load_mapping(EXAMPLE_MAPPING).members
    with pytest.raises(DataError) as streaming:
        list(readers.read_blocks(path, spec.columns))
    with pytest.raises(DataError) as pieces:
        load.load_table(spec, path, DAY)
    assert "not a readable CSV file" in str(pieces.value)
    assert str(pieces.value) == str(streaming.value)


@pytest.mark.parametrize("cut", [0, 1, 2, 3, 4])
def test_a_quoted_newline_at_a_cut_reads_as_the_streaming_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    """A quoted value with a newline, wherever the cut falls: the streaming reader's rows,
    never rows split at the newline."""
    path = tmp_path / "members.csv"
    good = ",".join(["1", _id(1), "1360/01/01", "زن", "سرپرست", "بله", "0"] + ["خیر"] * 6)
    odd = good.replace("زن", '"ز\nن"')
    body = (good + "\n") * 3 + odd + "\n" + (good + "\n") * 3
    path.write_text(",".join(M_HEADER) + "\n" + body, encoding="utf-8")
    monkeypatch.setattr(readers, "PIECE_BYTES", len((good + "\n").encode()) * 3 + 40 + 8 * cut)
    spec = load_mapping(EXAMPLE_MAPPING).members
    streamed = [b.table for b in readers.read_blocks(path, spec.columns)]
    assert sum(t.num_rows for t in streamed) == 7
    loaded = load.load_table(spec, path, DAY)
    assert len(loaded) == 7
    sex = [r[1:] for r in loaded.rejects if r[2] == "جنسیت"]
    assert sex == [(5, "جنسیت", "ز\nن", "not a value of the mapping (زن, مرد)")]


def _streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make :func:`load.load_table` fall back to the streaming reader."""

    def no_pieces(*args: Any, **kwargs: Any) -> Iterator[Any]:
        def fail() -> pa.Table:
            raise pa.ArrowInvalid("not parsed in pieces")

        yield fail

    monkeypatch.setattr(load, "csv_pieces", no_pieces)


def _same_loaded(a: load.Loaded, b: load.Loaded) -> None:
    assert a.key.equals(b.key)
    assert a.row.tolist() == b.row.tolist()
    assert a.bad.tolist() == b.bad.tolist()
    assert sorted(a.rejects) == sorted(b.rejects)
    assert a.columns.keys() == b.columns.keys()
    for name, values in a.columns.items():
        other = b.columns[name]
        if isinstance(values, pa.Array):
            assert isinstance(other, pa.Array) and values.equals(other), name
        else:
            assert values.tolist() == other.tolist(), name  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "form", ["\n", "\r\n", "\r", "bom", "blank lines", "no last newline", "quoted header"]
)
def test_line_ends_and_headers_read_as_the_streaming_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """Old Mac (``\\r``) and Windows line ends, a byte-order mark, blank lines, a file
    without its last newline and a quoted header name holding a newline (of a column not
    read): the rows, values and rejects of the streaming reader, cut in pieces or not."""
    good = ["1", _id(1), "۱۳۶۰/۰۱/۰۱", "زن", "سرپرست", "بله", "0"] + ["خیر"] * 6
    rows = [",".join([str(i), *good[1:2], f"13{50 + i}/01/01", *good[3:]]) for i in range(9)]
    rows[4] = rows[4].replace("زن", "x")  # a reject
    header = ",".join(M_HEADER)
    end = form if form in ("\n", "\r\n", "\r") else "\n"
    if form == "quoted header":
        header += ',"یادداشت\nها"'
        rows = [r + ",x" for r in rows]
    text = header + end + end.join(rows) + end
    if form == "bom":
        text = "\ufeff" + text
    elif form == "blank lines":
        text = text.replace("\n", "\n\n")
    elif form == "no last newline":
        text = text[:-1]
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(readers, "PIECE_BYTES", 150)
    spec = load_mapping(EXAMPLE_MAPPING).members
    pieces = load.load_table(spec, path, DAY)
    _streamed(monkeypatch)
    streamed = load.load_table(spec, path, DAY)
    assert len(streamed) == 9
    _same_loaded(pieces, streamed)
