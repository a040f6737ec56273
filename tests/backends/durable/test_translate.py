"""The durable-rules translation decides exactly what the scalar semantics decide."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.backends.durable.host import RuleEngine
from allocator.backends.durable.translate import Translator
from allocator.expressions.nodes import BoolOp, Compare, Literal, Name, Node, SetLiteral, Unary
from allocator.expressions.parser import parse
from allocator.expressions.scalar import evaluate

PARAMS = {"limit": 50, "share": 0.5}
variables = st.sampled_from(["x", "y"]).map(lambda s: Name((s,)))
constants = st.integers(0, 100).map(Literal) | st.sampled_from(
    [Name(("params", "limit")), parse("params.share * params.limit")]
)
operands = variables | constants | st.sampled_from([parse("x + y"), parse("x / 3")])


def conditions(depth: int = 2) -> st.SearchStrategy[Node]:
    leaf = st.one_of(
        st.builds(Compare, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), operands, operands),
        st.builds(
            Compare,
            st.sampled_from(["in", "not in"]),
            st.just(Name(("kind",))),
            st.just(SetLiteral((Literal("a"), Literal("b")))),
        ),
        st.just(Name(("flag",))),
    )
    if depth == 0:
        return leaf
    sub = conditions(depth - 1)
    return st.one_of(
        leaf,
        st.builds(Unary, st.just("not"), sub),
        st.builds(BoolOp, st.sampled_from(["and", "or"]), st.tuples(sub, sub)),
    )


facts = st.fixed_dictionaries(
    {
        "x": st.integers(0, 100),
        "y": st.integers(0, 100),
        "flag": st.booleans(),
        "kind": st.sampled_from(["a", "b", "c"]),
    }
)


@settings(max_examples=150, deadline=None)
@given(conditions(), st.lists(facts, min_size=1, max_size=6))
def test_durable_rules_agree_with_the_scalar_semantics(cond: Node, values: list[dict]) -> None:
    tr = Translator("household", PARAMS)
    positive = tr.condition(cond)
    negative = tr.condition(cond, negate=True)
    engine = RuleEngine("t", {"yes": {"all": [{"m": positive}]}, "no": {"all": [{"m": negative}]}})

    def lookup(parts: tuple[str, ...]) -> object:
        if parts[0] == "params":
            return PARAMS[".".join(parts[1:])]
        return env[parts[0]]

    for i, env in enumerate(values):
        fact = {"k": i, **{f"v_{k}": v for k, v in env.items()}}
        for name, node in tr.slots:
            fact[name] = evaluate(node, lookup)  # type: ignore[arg-type]
        expected = bool(evaluate(cond, lookup))  # type: ignore[arg-type]
        assert engine.fire(fact) == (["yes"] if expected else ["no"])
