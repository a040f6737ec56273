from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from allocator.expressions.nodes import Binary, BoolOp, Call, Compare, Literal, Name, Node, Unary
from allocator.expressions.scalar import compiled, divide, evaluate, interpret

ENV = {"a": 3, "b": 0, "c": 2.5}
nums = st.sampled_from(["a", "b", "c"]).map(lambda s: Name((s,))) | st.integers(-5, 5).map(Literal)


def numeric(depth: int = 3) -> st.SearchStrategy[Node]:
    if depth == 0:
        return nums
    sub = numeric(depth - 1)
    return st.one_of(
        nums,
        st.builds(Binary, st.sampled_from("+-*/"), sub, sub),
        st.builds(Call, st.sampled_from(["min", "max"]), st.tuples(sub, sub)),
        st.builds(Call, st.just("abs"), st.tuples(sub)),
        st.builds(Unary, st.just("-"), sub),
    )


def boolean(depth: int = 2) -> st.SearchStrategy[Node]:
    cmp = st.builds(
        Compare, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), numeric(2), numeric(2)
    )
    if depth == 0:
        return cmp
    sub = boolean(depth - 1)
    return st.one_of(
        cmp,
        st.builds(Unary, st.just("not"), sub),
        st.builds(BoolOp, st.sampled_from(["and", "or"]), st.tuples(sub, sub)),
    )


def lookup(parts: tuple[str, ...]) -> float:
    return ENV[parts[0]]


@given(numeric() | boolean())
def test_compiled_closures_agree_with_the_tree_walker(tree: Node) -> None:
    assert compiled(tree)((ENV, ENV, {})) == interpret(tree, lookup)


def test_division_by_zero_is_zero() -> None:
    assert divide(5, 0) == 0.0
    assert evaluate(Binary("/", Name(("a",)), Name(("b",))), lookup) == 0.0
    assert compiled(Binary("/", Name(("a",)), Name(("b",))))((ENV, ENV, {})) == 0.0
