"""The mapping file: from an agency's columns and values to the project's schema.

A mapping (YAML) has a section per file, ``households`` and ``members``. Each names the
column that links members to their household (``key``: the agency's case file number) and,
for **every** field of the schema, either the agency's column (``fields``) or a value the
agency does not record but declares (``constants``): a field left out is an error, never a
silent default. A field is a column name, or ``{column, values, birth_date}``:

- ``values`` maps the agency's values (Persian or coded, e.g. ``"۲": tenant``) to the
  schema's; without it the schema's own values are accepted, and yes/no fields also accept
  the usual Persian and English words (:data:`YES`, :data:`NO`).
- ``birth_date: jalali`` (or ``gregorian``) on ``age`` reads a date of birth and computes
  the age in completed years on the decision date.

Keys and column names are compared after :func:`~allocator.importing.digits.normalize_text`
(Persian digits, ``ي``/``ی``, zero-width non-joiners), so the mapping and the file need not
be typed the same way. Every problem of a mapping is reported at once.

Examples:
    >>> m = parse_mapping({"source": "demo", "households": {"key": "پرونده",
    ...     "fields": {"neighborhood_id": "محله", "income": "درآمد"}}, "members": {}})
    Traceback (most recent call last):
    ...
    allocator.errors.DataError: mapping: 19 problem(s):
      households: field 'assets' is neither in fields nor in constants
    ...
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from allocator.domain.enums import ENUM_TYPES
from allocator.domain.inputs import MEMBER_INPUTS
from allocator.errors import DataError
from allocator.importing.digits import normalize_text

Kind = Literal["key", "id", "amount", "int", "bool", "enum", "national_id"]

#: Household fields of the schema and how they are read (``household_id`` is assigned).
HOUSEHOLD_FIELDS: dict[str, tuple[Kind, str | None]] = {
    "neighborhood_id": ("id", None),
    "income": ("amount", None),
    "assets": ("amount", None),
    "housing": ("enum", "housing"),
    "case_agency": ("enum", "agency"),
    "continuous_pension": ("bool", None),
}


#: Member fields: the rule inputs, plus the optional national ID.
def _member_kind(kind: str, enum: str | None) -> tuple[Kind, str | None]:
    if enum is not None:
        return "enum", enum
    return ("int" if kind == "int" else "bool"), None


MEMBER_FIELDS: dict[str, tuple[Kind, str | None]] = {
    name: _member_kind(vt.kind, vt.enum) for name, vt in MEMBER_INPUTS.items()
} | {"national_id": ("national_id", None)}
#: Fields that may be left out of a mapping (they are then null).
OPTIONAL = frozenset({"national_id"})

YES = ("بله", "بلی", "آری", "دارد", "هست", "است", "yes", "y", "true", "1", "✓")
NO = ("خیر", "نه", "ندارد", "نیست", "no", "n", "false", "0", "-")
CALENDARS = ("jalali", "gregorian")


@dataclass(frozen=True)
class FieldSpec:
    """How one schema field is read from one column of an agency's file."""

    name: str
    kind: Kind
    column: str
    enum: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    birth_date: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One of the agency's files: its key column, the columns read and the constants."""

    table: str
    key: str
    fields: tuple[FieldSpec, ...]
    constants: dict[str, Any]
    sheet: str | None = None

    @property
    def columns(self) -> list[str]:
        """The agency's columns this table reads, key first, each once."""
        return list(dict.fromkeys([self.key, *(f.column for f in self.fields)]))


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file (see the module doc)."""

    source: str
    holds_case_files: bool
    encoding: str
    households: TableSpec
    members: TableSpec


def _schema_value(kind: Kind, enum: str | None, value: Any) -> tuple[Any, str | None]:
    """``value`` as the schema's value for a field of ``kind``, or a problem."""
    if kind == "enum" and enum is not None:
        if isinstance(value, str) and value in ENUM_TYPES[enum]:
            return value, None
        return None, f"{value!r} is not one of {', '.join(ENUM_TYPES[enum])}"
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        return None, f"{value!r} is not true or false"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, None
    return None, f"{value!r} is not a whole number >= 0"


def _field(table: str, name: str, raw: Any, problems: list[str]) -> FieldSpec | None:
    kinds = HOUSEHOLD_FIELDS if table == "households" else MEMBER_FIELDS
    kind, enum = kinds[name]
    where = f"{table}.fields.{name}"
    spec = {"column": raw} if isinstance(raw, str) else raw
    if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
        problems.append(f"{where}: a column name, or a mapping with 'column'")
        return None
    unknown = set(spec) - {"column", "values", "birth_date"}
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for key, value in (spec.get("values") or {}).items():
        converted, problem = _schema_value(kind, enum, value)
        if problem:
            problems.append(f"{where}.values[{key!r}]: {problem}")
        values[normalize_text(str(key))] = converted
    birth = spec.get("birth_date")
    if birth is not None and (name != "age" or birth not in CALENDARS):
        problems.append(f"{where}.birth_date: only on 'age', one of {', '.join(CALENDARS)}")
    return FieldSpec(name, kind, normalize_text(spec["column"]), enum, values, birth)


def _table(table: str, raw: Any, problems: list[str]) -> TableSpec:
    kinds = HOUSEHOLD_FIELDS if table == "households" else MEMBER_FIELDS
    raw = raw if isinstance(raw, dict) else {}
    unknown = set(raw) - {"key", "fields", "constants", "sheet"}
    if unknown:
        problems.append(f"{table}: unknown key(s) {', '.join(sorted(unknown))}")
    key = raw.get("key")
    if not isinstance(key, str):
        problems.append(f"{table}.key: the column linking members to households is missing")
        key = ""
    fields_raw = raw.get("fields") or {}
    constants_raw = raw.get("constants") or {}
    specs: list[FieldSpec] = []
    constants: dict[str, Any] = {}
    for name in list(fields_raw) + list(constants_raw):
        if name not in kinds:
            problems.append(f"{table}: {name!r} is not a field ({', '.join(kinds)})")
    for name, (kind, enum) in kinds.items():
        if name in fields_raw and name in constants_raw:
            problems.append(f"{table}: field {name!r} is both in fields and in constants")
        elif name in fields_raw:
            spec = _field(table, name, fields_raw[name], problems)
            if spec is not None:
                specs.append(spec)
        elif name in constants_raw:
            value, problem = _schema_value(kind, enum, constants_raw[name])
            if problem:
                problems.append(f"{table}.constants.{name}: {problem}")
            constants[name] = value
        elif name not in OPTIONAL:
            problems.append(f"{table}: field {name!r} is neither in fields nor in constants")
    sheet = raw.get("sheet")
    return TableSpec(table, normalize_text(key), tuple(specs), constants, sheet)


def parse_mapping(data: Any) -> Mapping:
    """Check a mapping read from YAML; raises :class:`DataError` listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DataError("mapping: expected a YAML mapping with households and members")
    unknown = set(data) - {"source", "holds_case_files", "encoding", "households", "members"}
    if unknown:
        problems.append(f"unknown key(s) {', '.join(sorted(unknown))}")
    source = data.get("source")
    if not isinstance(source, str) or not source:
        problems.append("source: the name of the agency or register these files come from")
    holds = data.get("holds_case_files", True)
    if not isinstance(holds, bool):
        problems.append("holds_case_files: true or false")
    encoding = data.get("encoding", "utf-8")
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        problems.append(f"encoding: unknown encoding {encoding!r} (e.g. utf-8, cp1256)")
    households = _table("households", data.get("households"), problems)
    members = _table("members", data.get("members"), problems)
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise DataError(f"mapping: {len(problems)} problem(s):\n{lines}", table="mapping")
    return Mapping(str(source), bool(holds), str(encoding), households, members)


def load_mapping(path: Path) -> Mapping:
    """Read and check the mapping file at ``path``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"mapping {path}: cannot read: {exc}", table="mapping") from None
    try:
        return parse_mapping(data)
    except DataError as exc:
        raise DataError(f"{path}: {exc}", table="mapping") from None
