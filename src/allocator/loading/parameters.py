"""Build dated parameters from parameter files, checking their date ranges."""

from __future__ import annotations

import itertools

from allocator.api.parameters import Parameter, ParameterSet, ParameterValue
from allocator.api.services import Source
from allocator.domain.valuetypes import ValueType
from allocator.loading.files import Problems
from allocator.loading.schema import ParametersFile, RawSource


def source_of(raw: RawSource | None) -> Source | None:
    """The rule model's :class:`~allocator.api.Source` of a raw one."""
    return Source(raw.title, raw.clause, raw.url) if raw is not None else None


def build_parameters(
    files: list[tuple[str, ParametersFile]], problems: Problems
) -> tuple[ParameterSet, dict[str, ValueType]]:
    """All parameters, and the type of each, from validated parameter files."""
    params: dict[str, Parameter] = {}
    types: dict[str, ValueType] = {}
    for rel, content in files:
        for name, raw in content.parameters.items():
            if name in params:
                problems.add(
                    rel, name, "duplicate-id", f"parameter '{name}' is defined twice", raw.line
                )
                continue
            values = sorted(
                (ParameterValue(v.start, v.end, v.value) for v in raw.values),
                key=lambda v: v.start,
            )
            ok = True
            for value in values:
                if value.end is not None and value.end < value.start:
                    problems.add(
                        rel,
                        name,
                        "bad-date-range",
                        f"value from {value.start} ends before it starts ({value.end})",
                        raw.line,
                    )
                    ok = False
            for before, after in itertools.pairwise(values):
                if before.end is None or before.end >= after.start:
                    problems.add(
                        rel,
                        name,
                        "bad-date-range",
                        f"values from {before.start} and {after.start} overlap",
                        raw.line,
                    )
                    ok = False
            if len({isinstance(v.value, bool) for v in values}) > 1:
                problems.add(
                    rel, name, "type-mismatch", "mixes boolean and numeric values", raw.line
                )
                ok = False
            if ok:
                params[name] = Parameter(
                    name,
                    raw.description,
                    raw.unit,
                    raw.reference,
                    tuple(values),
                    rel,
                    assumption=raw.assumption,
                    source=source_of(raw.source),
                )
                types[name] = params[name].type
    return ParameterSet(params), types
