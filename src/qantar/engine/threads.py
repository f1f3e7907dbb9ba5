"""Several worlds stepped at once, on threads: the regions of one scenario run.

The compiled step releases the GIL (``kernels.kernel``: ``nogil=True``), and worlds share
no state (each has its own arrays and its own generator), so stepping them on threads gives
exactly what stepping them one after another gives, seed for seed; only the wall time
changes. A caller exchanges anything between worlds (a scenario's news) between calls.

Example:
    >>> from qantar import Params, World, rule_set
    >>> def worlds():
    ...     return [World.build(Params(width=20, height=20), rule_set("netlogo"), seed=s) for s in (1, 2, 3)]
    >>> with WorldStepper(threads=2) as stepper:
    ...     together = stepper.run(worlds(), 10)
    >>> apart = [w.run(10, detailed=True) for w in worlds()]
    >>> all((a == b).all() for a, b in zip(together, apart))
    True
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from qantar.engine.world import World


class WorldStepper:
    """Runs a list of worlds for the same number of steps each, on up to ``threads`` threads
    (1: in this thread, in order). Keeps its threads between calls; close it (or use it in a
    ``with``) when done."""

    def __init__(self, threads: int = 1):
        self.threads = max(1, int(threads))
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="qantar-world") if self.threads > 1 else None

    def run(self, worlds: list[World], n_steps: int) -> list[np.ndarray]:
        """``[w.run(n_steps, detailed=True) for w in worlds]``, the worlds stepped concurrently;
        the largest are started first, so that the threads finish together."""
        sizes = [len(w.agents.kind) for w in worlds]
        return self.map(lambda w: w.run(n_steps, detailed=True), worlds, sizes)

    def map(self, fn, items: list, sizes: list[float] | None = None) -> list:
        """``[fn(x) for x in items]`` on the threads, in the items' order; the items of the
        largest ``sizes`` are started first. ``fn`` must touch nothing another item's call
        touches (such as a world of its own), so that the results are those of a loop."""
        if self._pool is None or len(items) < 2:
            return [fn(x) for x in items]
        order = sorted(range(len(items)), key=lambda k: -sizes[k]) if sizes else range(len(items))
        futures = {k: self._pool.submit(fn, items[k]) for k in order}
        return [futures[k].result() for k in range(len(items))]

    def close(self) -> None:
        """Stop the threads (waits for running steps)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> "WorldStepper":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
