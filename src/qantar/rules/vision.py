"""Rule V: which cells an agent sees, as offsets from its own cell in one canonical order.

The order (rows from north to south, then columns from west to east) is part of the model's
definition here: when an agent picks "a random empty cell" or "a random active" in vision,
it draws an index into the cells listed in this order. The kernel and the reference
implementation both walk this list, so their random choices coincide.

Example:
    >>> len(vision_offsets(7, "disk", include_centre=True))        # NetLogo in-radius 7
    149
    >>> len(vision_offsets(7, "von_neumann", include_centre=False))  # Mesa radius 7
    112
"""

from __future__ import annotations

import math

import numpy as np

SHAPES = ("disk", "von_neumann", "moore")


def in_vision(dx: int, dy: int, radius: float, shape: str) -> bool:
    """Whether offset (dx, dy) lies within ``radius`` for the given shape.

    ``disk``: Euclidean distance <= radius (NetLogo ``in-radius``); ``von_neumann``:
    |dx| + |dy| <= radius; ``moore``: max(|dx|, |dy|) <= radius.
    """
    if shape == "disk":
        return dx * dx + dy * dy <= radius * radius
    if shape == "von_neumann":
        return abs(dx) + abs(dy) <= radius
    if shape == "moore":
        return max(abs(dx), abs(dy)) <= radius
    raise ValueError(f"vision_shape: unknown shape {shape!r}; accepted: {', '.join(SHAPES)}")


def vision_offsets(radius: float, shape: str, include_centre: bool) -> np.ndarray:
    """Offsets (dy, dx) in vision, shape (n, 2), int64, in canonical order."""
    r = math.floor(radius)
    rows = [
        (dy, dx)
        for dy in range(-r, r + 1)
        for dx in range(-r, r + 1)
        if in_vision(dx, dy, radius, shape) and (include_centre or (dx, dy) != (0, 0))
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)
