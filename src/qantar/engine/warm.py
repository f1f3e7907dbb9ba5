"""Compile (or load from Numba's cache) the Model I kernels before the first real run.

A fresh clone has no compiled code: the first run compiles the step, which takes tens of
seconds (docs/performance.md, "Compilation"); later runs load it from the cache in a
fraction of a second. ``warm_up`` does that first compilation on a tiny world, so that a
caller can say so (the CLI's "compiling the engine once") and so that an ensemble's
worker processes, started after it, find the cache filled instead of each compiling.

Example:
    >>> seen = []
    >>> seconds = warm_up(on_progress=lambda done, total: seen.append((done, total)))
    >>> seen, seconds >= 0
    ([(0, 2), (1, 2), (2, 2)], True)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from qantar.engine import kernels
from qantar.engine.pcg import take_state
from qantar.engine.world import DETAIL_COLUMNS, World
from qantar.rules import Params, rule_set


def warm_up(on_progress: Callable[[int, int], None] | None = None) -> float:
    """Compile or load Model I's kernels (``rebuild_cells``, then ``run_steps`` with the
    step); ``on_progress(done, total)`` before the first and after each. Returns the
    seconds it took: under a second when the cache was already filled."""
    start = time.perf_counter()
    total = 2
    if on_progress:
        on_progress(0, total)
    world = World.build(Params(width=12, height=12, citizen_vision=2, cop_vision=2), rule_set("netlogo"), seed=0)
    if on_progress:
        on_progress(1, total)
    kernels.run_steps(world.agents, world.config, take_state(world.rng), 1, np.empty((1, len(DETAIL_COLUMNS)), np.int64))
    if on_progress:
        on_progress(2, total)
    return time.perf_counter() - start
