"""Type aliases shared across the package.

Examples:
    >>> from allocator.types import ScalarValue
    >>> value: ScalarValue = 3.5
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

#: A value an expression can take for one entity: numbers, booleans, enum names.
ScalarValue: TypeAlias = bool | int | float | str

#: A column of values for many entities at once.
Array: TypeAlias = npt.NDArray[Any]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]

#: The two entities rules can target.
EntityName: TypeAlias = str
HOUSEHOLD: EntityName = "household"
MEMBER: EntityName = "member"
ENTITIES: tuple[EntityName, ...] = (HOUSEHOLD, MEMBER)
