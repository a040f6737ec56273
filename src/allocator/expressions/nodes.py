"""The expression tree: a few frozen dataclasses, and :func:`unparse` to show them.

Examples:
    >>> unparse(Compare("<", Name(("income",)), Literal(100)))
    'income < 100'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Literal:
    value: bool | int | float | str


@dataclass(frozen=True)
class SetLiteral:
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Name:
    """A dotted reference: ``income``, ``household.urban``, ``params.poverty_line.urban``."""

    parts: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/"
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">=", "in", "not in"
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" or "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    func: str  # "if", "min", "max", "abs"
    args: tuple[Node, ...]


Node: TypeAlias = Literal | SetLiteral | Name | Unary | Binary | Compare | BoolOp | Call

FUNCTIONS: dict[str, int] = {"if": 3, "min": 2, "max": 2, "abs": 1}

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


def _literal(value: bool | int | float | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def _prec(node: Node) -> int:
    if isinstance(node, BoolOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Compare):
        return _PRECEDENCE["cmp"]
    if isinstance(node, Unary):
        return _PRECEDENCE["not" if node.op == "not" else "neg"]
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    return 10


def _wrap(node: Node, parent: int, strict: bool = False) -> str:
    text = unparse(node)
    inner = _prec(node)
    return f"({text})" if inner < parent or (strict and inner == parent) else text


def unparse(node: Node) -> str:
    """Source text of an expression tree (parentheses only where needed).

    Examples:
        >>> from allocator.expressions.parser import parse
        >>> unparse(parse("not (a or b) and c in {'x', 'y'}"))
        "not (a or b) and c in {'x', 'y'}"
    """
    if isinstance(node, Literal):
        return _literal(node.value)
    if isinstance(node, SetLiteral):
        return "{" + ", ".join(_literal(v.value) for v in node.values) + "}"
    if isinstance(node, Name):
        return node.dotted
    if isinstance(node, Unary):
        p = _prec(node)
        sep = " " if node.op == "not" else ""
        return f"{node.op}{sep}{_wrap(node.operand, p)}"
    if isinstance(node, Binary):
        p = _prec(node)
        return f"{_wrap(node.left, p)} {node.op} {_wrap(node.right, p, strict=True)}"
    if isinstance(node, Compare):
        p = _prec(node)
        return f"{_wrap(node.left, p, True)} {node.op} {_wrap(node.right, p, True)}"
    if isinstance(node, BoolOp):
        p = _prec(node)
        return f" {node.op} ".join(_wrap(o, p, strict=True) for o in node.operands)
    return f"{node.func}(" + ", ".join(unparse(a) for a in node.args) + ")"


def names_in(node: Node) -> list[Name]:
    """Every :class:`Name` in the tree, in reading order.

    Examples:
        >>> from allocator.expressions.parser import parse
        >>> [n.dotted for n in names_in(parse("a + b * params.c > 1"))]
        ['a', 'b', 'params.c']
    """
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Unary):
        return names_in(node.operand)
    if isinstance(node, Binary | Compare):
        return names_in(node.left) + names_in(node.right)
    if isinstance(node, BoolOp | Call):
        children = node.operands if isinstance(node, BoolOp) else node.args
        return [n for child in children for n in names_in(child)]
    return []
