"""A small recursive-descent parser for rule expressions. Nothing is ever ``eval``-ed.

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("=="|"!="|"<"|"<="|">"|">="|"in"|"not in") sum)?
    sum     := product (("+"|"-") product)*
    product := unary (("*"|"/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args ")"
             | "(" expr ")" | "{" literal ("," literal)* "}"

Examples:
    >>> parse("income / size < params.line")  # doctest: +NORMALIZE_WHITESPACE
    Compare(op='<', left=Binary(op='/', left=Name(parts=('income',)),
        right=Name(parts=('size',))), right=Name(parts=('params', 'line')))
    >>> parse("age >= 6 and")
    Traceback (most recent call last):
    ...
    allocator.expressions.parser.ExpressionSyntaxError: unexpected end of expression (at column 13)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from allocator.errors import AllocatorError, Reason
from allocator.expressions.nodes import (
    FUNCTIONS,
    Binary,
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Node,
    SetLiteral,
    Unary,
)


class ExpressionSyntaxError(AllocatorError, ValueError):
    """The text is not a valid expression; ``column`` is 1-based."""

    reason = Reason.EXPRESSION_SYNTAX

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        super().__init__(f"{message} (at column {column})")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "kw", "end"
    text: str
    pos: int


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>==|!=|<=|>=|[<>+\-*/(){},])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens.

    Examples:
        >>> [t.text for t in tokenize("a<=1_000 and b")]
        ['a', '<=', '1_000', 'and', 'b', '']
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExpressionSyntaxError(f"unexpected character {text[col - 1]!r}", col)
        kind = match.lastgroup
        value = match.group(kind)
        start = match.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "kw"
        tokens.append(Token(kind, value, start))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str | None = None) -> ExpressionSyntaxError:
        tok = self.tok
        if message is None:
            message = (
                "unexpected end of expression" if tok.kind == "end" else f"unexpected {tok.text!r}"
            )
        return ExpressionSyntaxError(message, tok.pos + 1)

    def accept(self, text: str) -> bool:
        if self.tok.kind in ("op", "kw") and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            where = "at the end" if self.tok.kind == "end" else f"instead of {self.tok.text!r}"
            raise self.fail(f"expected {text!r} {where}")

    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise self.fail()
        return node

    def expr(self) -> Node:
        operands = [self.and_()]
        while self.accept("or"):
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def and_(self) -> Node:
        operands = [self.not_()]
        while self.accept("and"):
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def not_(self) -> Node:
        if self.accept("not"):
            return Unary("not", self.not_())
        return self.compare()

    def compare(self) -> Node:
        left = self.sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARE:
            self.i += 1
            op = tok.text
        elif self.accept("in"):
            op = "in"
        elif tok.kind == "kw" and tok.text == "not" and self.tokens[self.i + 1].text == "in":
            self.i += 2
            op = "not in"
        else:
            return left
        node = Compare(op, left, self.sum())
        nxt = self.tok
        if (nxt.kind == "op" and nxt.text in _COMPARE) or nxt.text == "in":
            raise self.fail("chained comparisons are not allowed; join them with 'and'")
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.tok.text
            self.i += 1
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.tok.text
            self.i += 1
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            operand = self.unary()
            value = operand.value if isinstance(operand, Literal) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Literal(-value)
            return Unary("-", operand)
        return self.atom()

    def literal(self) -> Literal:
        tok = self.tok
        negative = False
        if tok.kind == "op" and tok.text == "-":
            negative = True
            self.i += 1
            tok = self.tok
        self.i += 1
        if tok.kind == "num":
            raw = tok.text.replace("_", "")
            number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
            return Literal(-number if negative else number)
        if negative:
            self.i -= 1
            raise self.fail("expected a number after '-'")
        if tok.kind == "str":
            return Literal(tok.text[1:-1])
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return Literal(tok.text == "true")
        self.i -= 1
        raise self.fail()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind in ("num", "str") or tok.text in ("true", "false"):
            return self.literal()
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        if self.accept("{"):
            values = [self.literal()]
            while self.accept(","):
                values.append(self.literal())
            self.expect("}")
            return SetLiteral(tuple(values))
        if tok.kind == "name":
            self.i += 1
            if self.accept("("):
                return self.call(tok)
            return Name(tuple(tok.text.split(".")))
        raise self.fail()

    def call(self, tok: Token) -> Node:
        if tok.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionSyntaxError(
                f"unknown function {tok.text!r} (known: {known})", tok.pos + 1
            )
        args = [self.expr()]
        while self.accept(","):
            args.append(self.expr())
        self.expect(")")
        if len(args) != FUNCTIONS[tok.text]:
            raise ExpressionSyntaxError(
                f"{tok.text}() takes {FUNCTIONS[tok.text]} argument(s), not {len(args)}",
                tok.pos + 1,
            )
        return Call(tok.text, tuple(args))


def parse(text: str) -> Node:
    """Parse an expression into a tree of :mod:`allocator.expressions.nodes`."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionSyntaxError("empty expression", 1)
    return _Parser(text).parse()
