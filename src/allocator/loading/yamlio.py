"""Read YAML with the line number of every mapping kept under the key ``__line__``.

Examples:
    >>> load_yaml_text("a: 1\\nb:\\n  - id: x\\n    v: 2\\n")["b"][0]
    {'id': 'x', 'v': 2, '__line__': 3}
    >>> load_yaml_text("from: 1402-01-01")["from"]
    '1402-01-01'
"""

from __future__ import annotations

from typing import Any

import yaml

LINE_KEY = "__line__"


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: ``1402-01-01`` is a Jalali date, not 1402 AD, so
    the models read dates themselves (:data:`allocator.calendar.Day`)."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _LineLoader(_TextDateLoader):
    """:class:`_TextDateLoader` that records each mapping's line under :data:`LINE_KEY`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_text(text: str, lines: bool = True) -> Any:
    """Parse YAML text, dates kept as text; mappings carry ``__line__`` (1-based) if ``lines``.

    Examples:
        >>> load_yaml_text("decision_date: 1402-01-01", lines=False)
        {'decision_date': '1402-01-01'}
    """
    return yaml.load(text, Loader=_LineLoader if lines else _TextDateLoader)


def strip_lines(value: Any) -> Any:
    """A copy of ``value`` without the ``__line__`` keys.

    Examples:
        >>> strip_lines({"a": [{"b": 1, "__line__": 2}], "__line__": 1})
        {'a': [{'b': 1}]}
    """
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
