"""The rule language: parse text into a tree, type-check it, evaluate it for one entity."""

from allocator.expressions.nodes import Node, unparse
from allocator.expressions.parser import ExpressionSyntaxError, parse
from allocator.expressions.scalar import evaluate
from allocator.expressions.typecheck import TypeProblem, check

__all__ = ["ExpressionSyntaxError", "Node", "TypeProblem", "check", "evaluate", "parse", "unparse"]
