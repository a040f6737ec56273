"""Pin the public API of the top-level packages."""

import allocator.api
import allocator.decisions
import allocator.domain
import allocator.expressions
import allocator.reference


def test_exported_members() -> None:
    assert allocator.api.__all__ == [
        "Aggregation",
        "Condition",
        "DerivedVariable",
        "Parameter",
        "ParameterSet",
        "ParameterValue",
        "Priority",
        "PriorityTerm",
        "Provenance",
        "RuleSet",
        "Service",
        "Source",
    ]
    assert allocator.domain.__all__ == [
        "Household",
        "Member",
        "Neighborhood",
        "NeighborhoodRegistry",
        "parse_household",
    ]
    assert set(allocator.expressions.__all__) == {
        "ExpressionSyntaxError",
        "Node",
        "TypeProblem",
        "check",
        "evaluate",
        "parse",
        "unparse",
    }
    assert "Decision" in allocator.decisions.__all__
    assert allocator.reference.__all__ == [
        "DEFAULT_SEED",
        "Province",
        "default_neighborhoods",
        "default_registry",
        "province_named",
        "provinces",
    ]
