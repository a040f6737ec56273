"""Enum columns as small integer codes, and categorical draws from uniforms.

Generated enum columns are ``int8`` codes: positions in ``ENUM_TYPES[enum]`` (the domain's
code order), turned into strings only when written.

Examples:
    >>> code("relation", "spouse")
    1
    >>> categorical(np.array([0.1, 0.5, 0.99], dtype=np.float32), (0.4, 0.4, 0.2)).tolist()
    [0, 1, 2]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from allocator.domain.enums import ENUM_TYPES

Int8Array = npt.NDArray[np.int8]
Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]


def code(enum: str, value: str) -> int:
    """The integer code of ``value`` in ``ENUM_TYPES[enum]``."""
    return ENUM_TYPES[enum].index(value)


def categorical(u: Float32Array, shares: tuple[float, ...]) -> Int8Array:
    """The category of each uniform draw ``u`` for categories of ``shares`` (summing to 1)."""
    index = np.zeros(len(u), dtype=np.int8)
    for bound in np.cumsum(shares)[:-1].astype(np.float32):
        index += u >= bound
    return index
