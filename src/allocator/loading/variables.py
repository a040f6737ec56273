"""Build derived variables: parse, order by dependency, report cycles, infer types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allocator.api.variables import Aggregation, DerivedVariable
from allocator.domain.valuetypes import BOOL, INT, ValueType
from allocator.expressions.nodes import names_in
from allocator.expressions.parser import ExpressionSyntaxError, parse
from allocator.loading.context import Context, TypeTable
from allocator.loading.files import Problems
from allocator.loading.graph import order
from allocator.loading.schema import RawVariable, VariablesFile

Key = tuple[str, str]


def _shape_problem(raw: RawVariable) -> str | None:
    if (raw.formula is None) == (raw.aggregate is None):
        return "give exactly one of 'formula' or 'aggregate'"
    if raw.formula is not None and (raw.of or raw.where or raw.default is not None):
        return "'of', 'where' and 'default' belong to an aggregate"
    if raw.aggregate is not None and raw.entity != "household":
        return "aggregates run from members to their household: entity must be 'household'"
    if raw.aggregate in ("sum", "min", "max") and raw.of is None:
        return f"'{raw.aggregate}' needs 'of' (the member expression to aggregate)"
    if raw.aggregate in ("any", "count") and raw.of is not None:
        return f"'{raw.aggregate}' takes 'where', not 'of'"
    if raw.aggregate == "any" and raw.where is None:
        return "'any' needs 'where' (the member condition)"
    if raw.aggregate in ("min", "max") and raw.where is not None and raw.default is None:
        return (
            f"'{raw.aggregate}' with 'where' needs a 'default' for households with no such member"
        )
    return None


def _dependencies(raw: RawVariable) -> list[Key]:
    inner = "member" if raw.aggregate else raw.entity
    deps: list[Key] = []
    for text in (raw.formula, raw.of, raw.where):
        if text is None:
            continue
        try:
            tree = parse(text)
        except ExpressionSyntaxError:
            continue  # reported when the expression is checked
        for name in names_in(tree):
            if name.parts[0] == "household" and len(name.parts) == 2:
                deps.append(("household", name.parts[1]))
            elif len(name.parts) == 1:
                deps.append((inner, name.parts[0]))
    return deps


def build_variables(
    files: list[tuple[str, VariablesFile]],
    inputs: Mapping[str, Mapping[str, ValueType]],
    param_types: Mapping[str, ValueType],
    problems: Problems,
) -> tuple[list[DerivedVariable], TypeTable]:
    """Derived variables in evaluation order, and the type table of every variable."""
    types: TypeTable = {(e, n): t for e, names in inputs.items() for n, t in names.items()}
    raws: dict[Key, tuple[str, RawVariable]] = {}
    for rel, content in files:
        for raw in content.variables:
            key: Key = (str(raw.entity), raw.id)
            if key in raws or key in types:
                what = "an input variable" if key in types else "defined twice"
                problems.add(
                    rel,
                    raw.id,
                    "duplicate-id",
                    f"{raw.entity} variable '{raw.id}' is {what}",
                    raw.line,
                )
                continue
            shape = _shape_problem(raw)
            if shape:
                problems.add(rel, raw.id, "schema", shape, raw.line)
                continue
            raws[key] = (rel, raw)
    deps = {key: _dependencies(raw) for key, (_, raw) in raws.items()}
    ordered, cycles = order(deps)
    in_cycle = {key for cycle in cycles for key in cycle}
    for cycle in cycles:
        rel, raw = raws[cycle[0]]
        path = " -> ".join(f"{e}.{n}" for e, n in cycle)
        problems.add(
            rel, raw.id, "cycle", f"derived variables depend on each other: {path}", raw.line
        )
    built: list[DerivedVariable] = []
    failed: set[Key] = set(in_cycle)
    for key in ordered:
        if key in failed or any(dep in failed for dep in deps[key]):
            failed.add(key)  # its own problem is reported where it starts
            continue
        rel, raw = raws[key]
        variable = _build_one(rel, raw, types, param_types, problems)
        if variable is None:
            failed.add(key)
        else:
            types[key] = variable.type
            built.append(variable)
    return built, types


def _build_one(
    rel: str,
    raw: RawVariable,
    types: TypeTable,
    param_types: Mapping[str, ValueType],
    problems: Problems,
) -> DerivedVariable | None:
    where = (rel, raw.id, raw.line)
    common: dict[str, Any] = {
        "description": raw.description,
        "source": raw.source,
        "file": rel,
        "unit": raw.unit,
    }
    entity: str = raw.entity
    if raw.formula is not None:
        compiled = Context(raw.entity, types, param_types).compile(
            raw.formula, None, where, problems
        )
        if compiled is None:
            return None
        return DerivedVariable(raw.id, entity, compiled[1], formula=compiled[0], **common)
    members = Context("member", types, param_types)
    of = members.compile(raw.of, "number", where, problems) if raw.of else None
    cond = members.compile(raw.where, "bool", where, problems) if raw.where else None
    if (raw.of and of is None) or (raw.where and cond is None):
        return None
    function = raw.aggregate or "count"
    vtype: ValueType = BOOL if function == "any" else INT
    if of is not None:
        vtype = of[1]
    if raw.default is not None and vtype.kind == "int" and not isinstance(raw.default, int):
        vtype = ValueType("float")
    aggregation = Aggregation(
        function,
        of=of[0] if of else None,
        where=cond[0] if cond else None,
        default=raw.default,
    )
    return DerivedVariable(raw.id, entity, vtype, aggregation=aggregation, **common)
