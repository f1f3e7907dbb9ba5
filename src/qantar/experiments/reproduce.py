"""Epstein (2002)'s runs over many seeds: each seed's run, and the numbers its claim is judged by.

Seeds come from ``numpy.random.SeedSequence(entropy).spawn(n)``, so seed k of a reproduction
can be rerun on its own (``World.build(..., seed=SeedSequence(entropy).spawn(n)[k])``).
Runs go one after another for now; issue 5's runner will spread them over processes.

Example:
    >>> from qantar import rule_set
    >>> from qantar.scenario import paper_run
    >>> seeds = run_paper_run(paper_run("run4"), rule_set("netlogo"), seeds=2)
    >>> sorted(seeds[0].measures)[:3], seeds[0].seed_index
    (['exploded', 'final_jailed', 'peak_active_after'], 0)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qantar.analysis import outburst_threshold
from qantar.analysis.paper_claims import (
    measure_deception,
    measure_groups,
    measure_punctuated,
    measure_shift,
    measure_tipping,
)
from qantar.engine import World
from qantar.engine.intergroup_world import InterGroupWorld
from qantar.engine.state import ACTIVE, CITIZEN, JAILED, QUIET
from qantar.experiments.single import RunResult, run_model
from qantar.rules import RuleSet
from qantar.rules.formulas import can_be_active, grievance
from qantar.scenario.paper_runs import PaperRun, paper_run


@dataclass
class SeedRun:
    """One seed of a reproduction: where its seed came from, its run, and its measures."""

    seed_index: int
    entropy: int
    result: RunResult
    measures: dict


def watched_run(params, rules: RuleSet, seed, steps: int) -> tuple[RunResult, dict]:
    """Run 1 stepped one step at a time, recording what each citizen does and how many cops
    it sees (``World.citizens_view``); returns the run and its deception measures.

    Run 1 has no schedule, so this is the same run ``run_model`` would make from ``seed``.
    """
    world = World.build(params, rules, seed=seed)
    aggrieved = can_be_active(grievance(world.agents.hardship[world.agents.kind == CITIZEN], params.legitimacy),
                              params.threshold)  # would be active with no cop in sight (P = 0)
    views = [world.citizens_view()]
    for _ in range(steps):
        world.run(1)
        views.append(world.citizens_view())
    states = np.array([v[0] for v in views])
    seen = np.array([v[1] for v in views])
    counts = np.stack([(states == s).sum(axis=1) for s in (QUIET, ACTIVE, JAILED)], axis=1)
    steady = np.ones(steps + 1)
    result = RunResult(counts, world, False, steady * params.legitimacy, (steady * world.n_cops).astype(np.int64))
    return result, measure_deception(states, seen, aggrieved)


def measure(run: PaperRun, result: RunResult, threshold: float) -> dict:
    """The numbers of ``run``'s claim (``analysis.paper_claims``) for one run's result."""
    start = run.schedule[0].step if run.schedule else 0
    if run.name in ("run1", "run2"):
        return measure_punctuated(result.counts, threshold)
    if run.name in ("run3", "run4"):
        return measure_shift(result.counts, start, threshold)
    if run.name == "run5":
        return measure_tipping(result.counts, result.cops, start, threshold)
    if run.model == "II":
        return measure_groups(result.counts, start)
    raise ValueError(f"no measures defined for {run.name!r}")


def run_paper_run(
    run: PaperRun,
    rules: RuleSet,
    seeds: int,
    entropy: int = 2002,
    on_seed_done: Callable[[int], None] | None = None,
) -> list[SeedRun]:
    """Run ``run`` once per seed of ``SeedSequence(entropy).spawn(seeds)`` under ``rules``.

    A Ctrl-C ends the reproduction after the seeds already finished; they are returned.
    """
    params = run.make_params()
    threshold = outburst_threshold(params.width, params.height)
    done: list[SeedRun] = []
    try:
        for k, child in enumerate(np.random.SeedSequence(entropy).spawn(seeds)):
            if run.name == "run1":  # watched step by step: its claim is about who sees a cop
                result, seen = watched_run(params, rules, child, run.steps)
                measures = measure(run, result, threshold) | seen
            else:
                result = run_model(params, rules, child, run.steps, schedule=run.schedule)
                if result.interrupted:
                    break
                measures = measure(run, result, threshold)
            done.append(SeedRun(k, entropy, result, measures))
            if on_seed_done:
                on_seed_done(k + 1)
    except KeyboardInterrupt:
        pass
    return done


def snapshot(run: PaperRun, rules: RuleSet, seed, step: int):
    """The world of ``run`` (without its schedule) after ``step`` steps, for pictures."""
    params = run.make_params()
    world = (InterGroupWorld if run.model == "II" else World).build(params, rules, seed=seed)
    world.run(step)
    return world


#: Figs. 15-17: time to extinction against initial cop density, capped at 15,000 steps.
EXTINCTION_CAP = 15_000


@dataclass
class ExtinctionRun:
    """One run of the time-to-extinction sweep: its density, seed, and when a group died
    out (None: both alive at the cap)."""

    cop_density: float
    seed_index: int
    extinct_step: int | None


def extinction_sweep(
    rules: RuleSet,
    densities,
    seeds: int,
    entropy: int = 2002,
    cap: int = EXTINCTION_CAP,
    on_run_done: Callable[[int], None] | None = None,
) -> list[ExtinctionRun]:
    """Run 7's world (Model II, L = 0.8, no schedule) at each initial cop density, over
    ``SeedSequence(entropy).spawn(seeds)`` (the same seeds at every density), each until a
    group dies out or ``cap`` steps. A Ctrl-C returns the runs finished so far."""
    base = paper_run("run7").make_params()
    done: list[ExtinctionRun] = []
    children = np.random.SeedSequence(entropy).spawn(seeds)
    try:
        for density in densities:
            params = base.model_copy(update={"cop_density": float(density)})
            for k, child in enumerate(children):
                result = run_model(params, rules, child, cap, stop_at_extinction=True)
                if result.interrupted:
                    raise KeyboardInterrupt
                extinct = result.steps_done if result.world.extinct() else None
                done.append(ExtinctionRun(float(density), k, extinct))
                if on_run_done:
                    on_run_done(len(done))
    except KeyboardInterrupt:
        pass
    return done

