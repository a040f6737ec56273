"""What a sweep varies: ``--vary NAME=START:STOP:COUNT`` specs and the grid they span.

``budget``, ``workers`` and ``slots`` are factors applied to the scenario's resources;
``floor`` is the tier-1 equity floor fraction itself and ``alpha`` the fairness α of the
value curves (absolute values, not factors): a sweep over ``alpha`` shows what spreading the
money costs tier 1 and gains the other tiers.

Examples:
    >>> spec = parse_vary("budget=0.5:1.5:3")
    >>> spec.name, spec.values
    ('budget', (0.5, 1.0, 1.5))
    >>> [v for v in grid([spec, parse_vary("floor=0:0.2:2")])][:3]
    [{'budget': 0.5, 'floor': 0.0}, {'budget': 0.5, 'floor': 0.2}, {'budget': 1.0, 'floor': 0.0}]
    >>> parse_vary("money=1:2:3")
    Traceback (most recent call last):
    ...
    allocator.errors.ScenarioError: --vary: unknown name 'money'; use one of budget, workers, ...
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from allocator.errors import ScenarioError

#: The names ``--vary`` accepts, with what each one changes.
VARY_NAMES: dict[str, str] = {
    "budget": "factor on the total and per-agency budgets",
    "workers": "factor on every worker pool (agency, province, total)",
    "slots": "factor on the service slots (per neighborhood and per center)",
    "floor": "tier-1 equity floor fraction (absolute, 0 to 1)",
    "alpha": "fairness alpha of the value curves (absolute, >= 0; 0 linear, 1 proportional)",
}
#: The names whose values are set as they are, not multiplied into the scenario's.
ABSOLUTE = ("floor", "alpha")
#: At most this many variants in one sweep (a guard against a typo such as COUNT=1000).
MAX_VARIANTS = 10_000


@dataclass(frozen=True)
class VarySpec:
    """One varied quantity: ``count`` evenly spaced values from ``start`` to ``stop``."""

    name: str
    start: float
    stop: float
    count: int

    @property
    def values(self) -> tuple[float, ...]:
        """The values, rounded to 12 significant digits (0.1 + 0.2 stays 0.3)."""
        raw = np.linspace(self.start, self.stop, self.count)
        return tuple(float(f"{v:.12g}") for v in raw)

    @property
    def is_factor(self) -> bool:
        """True for a factor on the scenario's resources, False for an absolute value."""
        return self.name not in ABSOLUTE

    def to_json(self) -> dict[str, Any]:
        """The spec as written to ``sweep.json``."""
        return {
            "name": self.name,
            "start": self.start,
            "stop": self.stop,
            "count": self.count,
            "kind": "factor" if self.is_factor else "value",
            "values": list(self.values),
        }


def parse_vary(text: str) -> VarySpec:
    """Parse ``NAME=START:STOP:COUNT``.

    Raises:
        ScenarioError: an unknown name, a malformed range, a negative factor or a floor
            outside [0, 1] (the message quotes the text and the legal form).
    """
    name, sep, rng = text.partition("=")
    name = name.strip()
    form = "NAME=START:STOP:COUNT, e.g. budget=0.5:1.5:11"
    if not sep:
        raise ScenarioError(f"--vary: {text!r} is not of the form {form}", field="vary")
    if name not in VARY_NAMES:
        known = ", ".join(VARY_NAMES)
        raise ScenarioError(f"--vary: unknown name {name!r}; use one of {known}", field="vary")
    parts = rng.split(":")
    try:
        start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
    except (ValueError, IndexError):
        raise ScenarioError(f"--vary: {text!r} is not of the form {form}", field="vary") from None
    if count < 1:
        raise ScenarioError(f"--vary {name}: COUNT must be at least 1, not {count}", field="vary")
    if not (np.isfinite(start) and np.isfinite(stop)) or min(start, stop) < 0:
        raise ScenarioError(f"--vary {name}: values must be finite and >= 0", field="vary")
    if name == "floor" and max(start, stop) > 1:
        raise ScenarioError("--vary floor: the floor is a fraction within [0, 1]", field="vary")
    return VarySpec(name, start, stop, count)


def grid(specs: list[VarySpec]) -> list[dict[str, float]]:
    """Every combination of the specs' values, the last spec varying fastest.

    Raises:
        ScenarioError: a name given twice, or more than :data:`MAX_VARIANTS` variants.
    """
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ScenarioError(f"--vary: a name is given twice ({', '.join(names)})", field="vary")
    size = int(np.prod([s.count for s in specs])) if specs else 1
    if size > MAX_VARIANTS:
        raise ScenarioError(f"--vary: {size:,} variants, at most {MAX_VARIANTS:,}", field="vary")
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(s.values for s in specs))
    ]
