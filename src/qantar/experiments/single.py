"""One model run from parameters to counts, in chunks so that it can report progress and be
interrupted (Ctrl-C) without losing the steps already done, with an optional schedule of
changes between steps (``qantar.scenario.schedule``).

Example:
    >>> from qantar import Params, rule_set
    >>> from qantar.scenario import Change
    >>> r = run_model(Params(), rule_set("netlogo"), seed=1, steps=20, schedule=[Change(step=11, legitimacy=0.6)])
    >>> r.counts.shape, r.interrupted     # row 0 is the initial state
    ((21, 3), False)
    >>> float(r.legitimacy[10]), float(r.legitimacy[11])   # step 11 ran with the new value
    (0.82, 0.6)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qantar.engine import World
from qantar.engine.intergroup_world import InterGroupWorld
from qantar.rules import InterGroupParams, Params, RuleSet
from qantar.scenario.schedule import WORLD, Change, schedule_actions, steer, validate_schedule, world_controls
from qantar.scenario.timeline import apply_due


@dataclass
class RunResult:
    """Counts per step (row 0 = initial), the legitimacy and number of cops each step ran with
    (row 0: the initial values), the world at the end, and whether it was interrupted.

    Model I's counts are citizens quiet, active, jailed; Model II's are the columns of
    ``engine.intergroup_state.COLUMNS`` (per group, then killed, died, born).
    """

    counts: np.ndarray
    world: World | InterGroupWorld
    interrupted: bool
    legitimacy: np.ndarray
    cops: np.ndarray

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
    schedule: Sequence[Change] = (),
    stop_at_extinction: bool = False,
) -> RunResult:
    """Build a world (Model II's if ``params`` are ``InterGroupParams``) and run ``steps``
    steps; ``on_progress(done)`` after every chunk.

    Each change of ``schedule`` is applied just before its step runs; a change after the
    last step is refused before anything runs. A KeyboardInterrupt between chunks ends the
    run early with what was done (``interrupted=True``); the caller decides how to report it.
    Model II only: ``stop_at_extinction`` ends the run at the step a group dies out.
    """
    actions = schedule_actions(validate_schedule(schedule, steps))
    if isinstance(params, InterGroupParams):
        world = InterGroupWorld.build(params, rules, seed=seed, stop_at_extinction=stop_at_extinction)
    else:
        world = World.build(params, rules, seed=seed)
    if chunk is None:  # about 1e6 agent-steps a chunk: frequent progress, small overhead
        chunk = max(1, min(steps, 1_000_000 // max(1, len(world.agents.kind))))
    # one record per chunk (counts, the legitimacy and cops it ran with), appended in one go
    # so that an interruption cannot leave the three out of step
    chunks = [(world.counts()[None, :], world.params.legitimacy, world.n_cops)]
    done, i = 0, 0
    controls = {WORLD: world_controls(world)}
    interrupted = False
    try:
        while done < steps:
            i, touched = apply_due(actions, i, done + 1, controls)
            if touched:
                steer(world, controls[WORLD])
            n = min(chunk, steps - done, (actions[i].step - 1 - done) if i < len(actions) else steps)
            rows = world.run(n)
            chunks.append((rows, world.params.legitimacy, world.n_cops))
            done += n
            if on_progress:
                on_progress(done)
            if len(rows) < n:  # the world stopped itself (Model II: a group died out)
                break
    except KeyboardInterrupt:
        interrupted = True
    counts = np.concatenate([c for c, _, _ in chunks])
    legitimacy = np.concatenate([np.full(len(c), value) for c, value, _ in chunks])
    cops = np.concatenate([np.full(len(c), n_cops, np.int64) for c, _, n_cops in chunks])
    return RunResult(counts, world, interrupted, legitimacy, cops)
