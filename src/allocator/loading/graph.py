"""Order derived variables so each comes after what it reads; report cycles.

Examples:
    >>> order({"a": ["b"], "b": ["c"], "c": []})
    (['c', 'b', 'a'], [])
    >>> order({"a": ["b"], "b": ["a"], "c": ["a"]})[1]
    [['a', 'b', 'a']]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def order(deps: Mapping[K, Sequence[K]]) -> tuple[list[K], list[list[K]]]:
    """A topological order of ``deps`` (declaration order kept where free) and the cycles.

    Dependencies that are not keys of ``deps`` (inputs, unknown names) are ignored here.
    """
    state: dict[K, int] = {}  # 1 = on the stack, 2 = done
    result: list[K] = []
    cycles: list[list[K]] = []

    def visit(node: K, path: list[K]) -> None:
        state[node] = 1
        path.append(node)
        for dep in deps[node]:
            if dep not in deps:
                continue
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, path)
        path.pop()
        state[node] = 2
        result.append(node)

    for node in deps:
        if node not in state:
            visit(node, [])
    return result, cycles
