"""One model run from parameters to counts, in chunks so that it can report progress and be
interrupted (Ctrl-C) without losing the steps already done.

Example:
    >>> from qantar import Params, rule_set
    >>> r = run_model(Params(), rule_set("netlogo"), seed=1, steps=20)
    >>> r.counts.shape, r.interrupted     # row 0 is the initial state
    ((21, 3), False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qantar.engine import World
from qantar.rules import Params, RuleSet


@dataclass
class RunResult:
    """Counts per step (row 0 = initial), the world at the end, and whether it stopped early."""

    counts: np.ndarray
    world: World
    interrupted: bool

    @property
    def steps_done(self) -> int:
        return len(self.counts) - 1


def run_model(
    params: Params,
    rules: RuleSet,
    seed: int,
    steps: int,
    chunk: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Build a world and run ``steps`` steps; ``on_progress(done)`` after every chunk.

    A KeyboardInterrupt between chunks ends the run early with what was done
    (``interrupted=True``); the caller decides how to report it.
    """
    world = World.build(params, rules, seed=seed)
    if chunk is None:  # about 1e6 agent-steps a chunk: frequent progress, small overhead
        chunk = max(1, min(steps, 1_000_000 // max(1, len(world.agents.kind))))
    parts = [world.counts()[None, :]]
    done = 0
    interrupted = False
    try:
        while done < steps:
            n = min(chunk, steps - done)
            parts.append(world.run(n))
            done += n
            if on_progress:
                on_progress(done)
    except KeyboardInterrupt:
        interrupted = True
    return RunResult(np.concatenate(parts), world, interrupted)
