"""The one place allocator talks to durable-rules' engine.

It drives ``durable_rules_engine`` directly: assert a fact, collect the names of the rules
that fire, retract the fact. Parsing only the rule name out of each action message (not
the whole JSON) keeps a decision well under a millisecond (see
``../shared/notes/durable-rules.md`` and ``benchmarks/durable.py``).
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import durable_rules_engine as _engine

from allocator.errors import AllocatorError, Reason

_names = itertools.count()


class DurableError(AllocatorError, RuntimeError):
    """durable-rules refused a ruleset or a fact."""

    reason = Reason.RULES_ENGINE


class RuleEngine:
    """A compiled durable-rules ruleset that tells which of its rules a fact fires."""

    def __init__(self, name: str, definition: dict[str, Any]) -> None:
        self.name = f"{name}_{next(_names)}"
        self.definition = definition
        self._lock = threading.Lock()
        try:
            self._handle = _engine.create_ruleset(self.name, json.dumps(definition))
        except Exception as exc:  # the engine raises bare Exceptions
            raise DurableError(f"durable-rules refused ruleset {name}: {exc}") from exc

    def fire(self, fact: dict[str, Any]) -> list[str]:
        """The names of the rules ``fact`` fires, each once, in the engine's order.

        durable-rules runs a rule once per branch of an ``$or`` that matches, so a name can
        come back several times; it carries no more information the second time.
        """
        text = json.dumps(fact)
        fired: list[str] = []
        with self._lock:
            result = _engine.assert_fact(self._handle, text)
            if result[0] != 0:
                raise DurableError(f"fact not handled by {self.name} (code {result[0]})")
            state = result[1]
            try:
                message = _engine.start_action_for_state(self._handle, state)
                action = message[1] if message else None
                while action:
                    name = action[2 : action.index('"', 2)]
                    if name not in fired:
                        fired.append(name)
                    action = _engine.complete_and_start_action(self._handle, state)
            finally:
                _engine.retract_fact(self._handle, text)
        return fired
