"""The generator's state as the kernels step it: NumPy's PCG64 state in a uint64[4] array.

The compiled kernels draw with ``intrinsics.pcg64_next`` on this array instead of calling
through the generator's function pointer once a draw (docs/performance.md). The state goes
in and out through the generator's public ``bit_generator.state``, so the generator ends
where NumPy's own draws would have left it, and the reference draws the same words.

Example:
    >>> rng = np.random.default_rng(7)
    >>> state = take_state(rng)
    >>> state.dtype, state.shape
    (dtype('uint64'), (4,))
    >>> put_state(rng, state)
    >>> rng.random() == np.random.default_rng(7).random()
    True
"""

from __future__ import annotations

import numpy as np

from qantar.errors import QantarInputError

_LOW = (1 << 64) - 1


def take_state(rng: np.random.Generator) -> np.ndarray:
    """The PCG64 state of ``rng`` as uint64[4]: state low, high; increment low, high."""
    st = rng.bit_generator.state
    if st.get("bit_generator") != "PCG64":
        raise QantarInputError(f"rng: the engine steps NumPy's PCG64 (np.random.default_rng), not {st.get('bit_generator')}")
    s, inc = st["state"]["state"], st["state"]["inc"]
    return np.array([s & _LOW, s >> 64, inc & _LOW, inc >> 64], np.uint64)


def put_state(rng: np.random.Generator, state: np.ndarray) -> None:
    """Set ``rng``'s PCG64 state from ``state`` (as ``take_state`` made it and the kernels
    advanced it); its other fields (a buffered 32-bit half) are kept."""
    st = rng.bit_generator.state
    lo, hi, inc_lo, inc_hi = (int(x) for x in state)
    st["state"] = {"state": lo | hi << 64, "inc": inc_lo | inc_hi << 64}
    rng.bit_generator.state = st
