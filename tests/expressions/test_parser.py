from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.expressions.nodes import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Node,
    SetLiteral,
    Unary,
    unparse,
)
from allocator.expressions.parser import ExpressionSyntaxError, parse

names = st.sampled_from(["a", "b", "income", "household.urban", "params.p.q"]).map(
    lambda s: Name(tuple(s.split(".")))
)
numbers = st.integers(0, 10**6).map(Literal) | st.floats(0, 1e6, allow_nan=False).map(Literal)
atoms = names | numbers | st.booleans().map(Literal)


def trees(depth: int = 3) -> st.SearchStrategy[Node]:
    if depth == 0:
        return atoms
    sub = trees(depth - 1)
    return st.one_of(
        atoms,
        st.builds(Binary, st.sampled_from("+-*/"), sub, sub),
        st.builds(Compare, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), sub, sub),
        st.builds(Unary, st.just("not"), sub),
        st.builds(Unary, st.just("-"), names),
        st.builds(BoolOp, st.sampled_from(["and", "or"]), st.tuples(sub, sub)),
        st.builds(Call, st.just("if"), st.tuples(sub, sub, sub)),
        st.builds(Call, st.sampled_from(["min", "max"]), st.tuples(sub, sub)),
        st.builds(
            Compare,
            st.sampled_from(["in", "not in"]),
            names,
            st.lists(st.sampled_from(["x", "y"]), min_size=1, max_size=2).map(
                lambda v: SetLiteral(tuple(Literal(s) for s in v))
            ),
        ),
    )


def _flat(node: Node) -> Node:
    """Parsing flattens nested BoolOps of one operator; so does this."""
    if isinstance(node, BoolOp):
        out: list[Node] = []
        for o in node.operands:
            f = _flat(o)
            if isinstance(f, BoolOp) and f.op == node.op and not isinstance(o, Unary):
                out.extend(f.operands)
            else:
                out.append(f)
        return BoolOp(node.op, tuple(out))
    return node


@given(trees())
def test_unparse_then_parse_gives_the_same_value(tree: Node) -> None:
    text = unparse(tree)
    assert unparse(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a < b < c", "chained comparisons"),
        ("a +", "unexpected end"),
        ("foo(1)", "unknown function 'foo'"),
        ("min(1)", "takes 2 argument"),
        ("a $ b", "unexpected character '$'"),
        ("", "empty expression"),
        ("(a", "expected ')'"),
        ("x in {a}", "unexpected 'a'"),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)) as info:
        parse(text)
    assert info.value.column >= 1


def test_no_eval_of_python() -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse("__import__('os').system('true')")
