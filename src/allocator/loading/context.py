"""Name resolution and type checking of one expression in the context of an entity."""

from __future__ import annotations

from collections.abc import Mapping

from allocator.domain.enums import ENUM_TYPES
from allocator.domain.valuetypes import ValueType
from allocator.expressions.nodes import Node
from allocator.expressions.parser import ExpressionSyntaxError, parse
from allocator.expressions.typecheck import TypeProblem, check
from allocator.loading.files import Problems

#: Types of every known variable, by (entity, name); filled as variables are checked.
TypeTable = dict[tuple[str, str], ValueType]


class Context:
    """Resolves names for expressions of ``entity``: its own variables, ``household.x`` from a
    member, and ``params.a.b``."""

    def __init__(self, entity: str, types: TypeTable, params: Mapping[str, ValueType]) -> None:
        self.entity = entity
        self.types = types
        self.params = params

    def resolve(self, parts: tuple[str, ...]) -> ValueType:
        if parts[0] == "params":
            name = ".".join(parts[1:])
            if name not in self.params:
                raise TypeProblem(f"unknown parameter '{name}'", "unknown-parameter")
            return self.params[name]
        if len(parts) == 2 and parts[0] == "household" and self.entity == "member":
            key = ("household", parts[1])
        elif len(parts) == 1:
            key = (self.entity, parts[0])
        else:
            raise TypeProblem(f"unknown variable '{'.'.join(parts)}'", "unknown-variable")
        if key not in self.types:
            hint = ""
            if (
                len(parts) == 1
                and self.entity == "member"
                and ("household", parts[0]) in self.types
            ):
                hint = f" (a household variable: write household.{parts[0]})"
            elif self.entity == "household" and ("member", parts[-1]) in self.types:
                hint = " (a member variable: aggregate it into a household variable first)"
            raise TypeProblem(
                f"unknown {self.entity} variable '{'.'.join(parts)}'{hint}", "unknown-variable"
            )
        return self.types[key]

    def compile(
        self,
        text: str | int | float,
        expected: str | None,
        where: tuple[str, str, int | None],
        problems: Problems,
    ) -> tuple[Node, ValueType] | None:
        """Parse and type-check ``text``; record a problem and return ``None`` if it fails.

        ``expected`` is ``"bool"``, ``"number"``, ``"enum agency"`` or ``None`` (anything).
        """
        file, rule_id, line = where
        try:
            node = parse(str(text))
            found = check(node, self.resolve, ENUM_TYPES)
        except ExpressionSyntaxError as exc:
            problems.add(file, rule_id, "syntax", f"in '{text}': {exc}", line)
            return None
        except TypeProblem as exc:
            problems.add(file, rule_id, exc.code, f"in '{text}': {exc}", line)
            return None
        ok = (
            expected is None
            or (expected == "number" and found.is_numeric)
            or found.describe() == expected
        )
        if not ok:
            problems.add(
                file,
                rule_id,
                "type-mismatch",
                f"'{text}' is {found.describe()}, expected {expected}",
                line,
            )
            return None
        return node, found
