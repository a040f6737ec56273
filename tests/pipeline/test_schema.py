"""A missing column or a wrong type is a DataError naming table and column; nothing written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from allocator.api.ruleset import RuleSet
from allocator.cli.app import _register, app
from allocator.domain.tables import HOUSEHOLDS_SCHEMA, MEMBERS_SCHEMA
from allocator.errors import DataError
from allocator.outputs import OutputExistsError, verify_dir
from allocator.pipeline import classify_dataset
from tests.conftest import DAY
from tests.pipeline.conftest import household, member, write_dataset

_register()


def _without(schema: pa.Schema, name: str) -> pa.Schema:
    return schema.remove(schema.get_field_index(name))


def _retyped(schema: pa.Schema, name: str, new: pa.DataType) -> pa.Schema:
    return schema.set(schema.get_field_index(name), pa.field(name, new))


@pytest.mark.parametrize(
    ("households", "members", "table", "column"),
    [
        (_without(HOUSEHOLDS_SCHEMA, "income"), MEMBERS_SCHEMA, "households.parquet", "income"),
        (HOUSEHOLDS_SCHEMA, _without(MEMBERS_SCHEMA, "sex"), "members.parquet", "sex"),
        (
            _retyped(HOUSEHOLDS_SCHEMA, "income", pa.float64()),
            MEMBERS_SCHEMA,
            "households.parquet",
            "income",
        ),
        (HOUSEHOLDS_SCHEMA, _retyped(MEMBERS_SCHEMA, "age", pa.string()), "members.parquet", "age"),
        (
            HOUSEHOLDS_SCHEMA,
            _retyped(MEMBERS_SCHEMA, "insured", pa.int8()),
            "members.parquet",
            "insured",
        ),
    ],
)
def test_schema_problems(
    tmp_path: Path,
    ruleset: RuleSet,
    households: pa.Schema,
    members: pa.Schema,
    table: str,
    column: str,
) -> None:
    hh = [{k: v for k, v in household(1).items() if k in households.names}]
    mm = [{k: v for k, v in member(1).items() if k in members.names}]
    if "age" in members.names and members.field("age").type == pa.string():
        mm[0]["age"] = "forty"
    if "insured" in members.names and members.field("insured").type == pa.int8():
        mm[0]["insured"] = 0
    data = write_dataset(tmp_path / "data", [(hh, mm)], households, members)
    out = tmp_path / "out"
    with pytest.raises(DataError) as raised:
        classify_dataset(data, out, ruleset, DAY)
    assert raised.value.table == table
    assert raised.value.column == column
    assert table in str(raised.value) and column in str(raised.value)
    assert not out.exists()
    assert not (tmp_path / ".out.tmp").exists()


def test_missing_table(tmp_path: Path, ruleset: RuleSet) -> None:
    with pytest.raises(DataError, match="no such file"):
        classify_dataset(tmp_path, tmp_path / "out", ruleset, DAY)
    assert not (tmp_path / "out").exists()


def test_existing_outputs_need_force(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    classify_dataset(clean_dir, out, ruleset, DAY)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(OutputExistsError, match="--force"):
        classify_dataset(clean_dir, out, ruleset, DAY)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    classify_dataset(clean_dir, out, ruleset, DAY, force=True)
    assert verify_dir(out) == []


def test_cli_refuses_to_overwrite(clean_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["classify", str(clean_dir), "--out", str(out), "--date", DAY.isoformat()]
    assert CliRunner().invoke(app, args).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2
    assert "--force" in again.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
