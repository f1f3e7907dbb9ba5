"""Calibrating a scenario to its targets by design, not by hand: refocused Latin hypercubes.

The procedure (``refocus``), documented with its results for ``kazakhstan-2022`` in
``docs/validation/kazakhstan-2022-calibration.md``:

1. Each free parameter is a ``Parameter``: the ``--set`` paths it sets (one value may set
   several fields, e.g. the arrest factor of every emergency) and a plausible range.
2. Wave 1 draws a seeded Latin hypercube over the ranges. Every point runs ``seeds`` runs
   (seeds ``SeedSequence(entropy).spawn``, the same for every point, so points differ only
   by their parameters) on the local process pool.
3. Each point is scored by how far its runs' central value is from each target
   (``analysis.scenario_measures.target_distance``, the report's own judge: 0 exactly when
   the report says the target is met; else factors of two for counts, days for dates),
   summed as a root mean square (``point_score``).
4. The next wave draws a new hypercube inside the box spanned by the best ``keep`` share of
   all points so far (each range widened by ``margin`` of its width, clipped to the
   original range). This is the simulator-only form of history matching's refocusing
   (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015), without an emulator and with
   a best-share cut instead of an implausibility cut-off.
5. The best-scoring points of all waves are run again with more seeds (``reevaluate``),
   since the best of many noisy scores is partly luck; the best of those is the
   calibration. It is rerun with a full ensemble and its verdicts are reported as they
   come out.

It is a point estimate with its neighbourhood, not a posterior. ``experiments.abc_smc``
(``qantar calibrate``) gives a posterior, using this module's ``Parameter``, distances and
score; the built-in ``kazakhstan-2022`` is now calibrated that way, and this procedure's
result stays for the record (``docs/validation/kazakhstan-2022-calibration.md``).

Example:
    >>> Parameter("k", ("model.arrest_constant",), 1.0, 4.0).assignments(2.5)
    ['model.arrest_constant=2.5']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qantar.analysis.scenario_measures import NEVER_DAYS, measure_run, target_distance, target_values
from qantar.errors import QantarInputError
from qantar.engine.seeds import children
from qantar.experiments.runner import run_tasks
from qantar.experiments.scenario_run import run_scenario
from qantar.experiments.sweep import latin_hypercube
from qantar.scenario.load import load_scenario
from qantar.scenario.schema import Target

__all__ = ["NEVER_DAYS", "Parameter", "distances", "evaluate", "point_score", "refocus", "reevaluate",
           "target_distance"]


@dataclass(frozen=True)
class Parameter:
    """One free parameter: a name, the ``--set`` paths it sets, its range, and whether it
    varies on a log scale (for ranges spanning orders of magnitude). ``choices``: a
    discrete parameter takes one of these instead (the range is then ignored).
    ``derived``: further paths set to a function of the value (a constraint, e.g. the
    hardship ceiling that keeps the start calm at a given legitimacy)."""

    name: str
    paths: tuple[str, ...]
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    choices: tuple = ()
    derived: tuple[tuple[str, Callable[[float], float]], ...] = ()
    note: str = ""

    def value(self, u: float) -> float:
        """The value at ``u`` in [0, 1] of the range (or of the choices, in equal shares)."""
        if self.choices:
            return self.choices[min(len(self.choices) - 1, int(u * len(self.choices)))]
        if self.log:
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))))
        return float(self.low + u * (self.high - self.low))

    def unit(self, value: float) -> float:
        """Where ``value`` lies in the range, 0 to 1 (the inverse of ``value``; a choice's
        middle of its share)."""
        if self.choices:
            return (self.choices.index(value) + 0.5) / len(self.choices)
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def describe(self) -> dict:
        """What the parameter is, for a record (a derived field by its path only)."""
        return {"name": self.name, "paths": list(self.paths), "low": self.low, "high": self.high, "log": self.log,
                "choices": list(self.choices), "derived": [path for path, _ in self.derived]}

    def assignments(self, value: float) -> list[str]:
        """The ``--set`` assignments for ``value``."""
        return [f"{path}={value:.6g}" for path in self.paths] + [f"{path}={f(value):.6g}" for path, f in self.derived]


def distances(targets: list[Target], measures: list[dict]) -> dict[str, float]:
    """Every target's distance for one point's runs."""
    return {t.name: target_distance(t, target_values(t, measures)) for t in targets}


def select_targets(targets: list[Target], names=None) -> list[Target]:
    """The targets a calibration fits to: all of them (``names`` None), or those named, in
    the scenario's order. A name the scenario lacks is refused in one line. Fitting to some
    targets only is a stage of a fit: a parameter that acts only late (a rate of detentions
    after the calm, say) is pinned by the targets it moves, not drowned by the others' noise."""
    if names is None:
        return list(targets)
    known = [t.name for t in targets]
    for name in names:
        if name not in known:
            raise QantarInputError(f"--target {name}: not a target of the scenario (its targets: {', '.join(known)})")
    if not names:
        raise QantarInputError("--target: name at least one target, or leave the option out for all of them")
    return [t for t in targets if t.name in set(names)]


def point_score(dist: dict[str, float]) -> float:
    """Root mean square of the targets' distances (0: every median inside its range)."""
    return float(math.sqrt(sum(d * d for d in dist.values()) / max(1, len(dist))))


def measure_at(scenario: str, assignments: list[str], seed) -> dict:
    """One run's measures at a point (a task for the process pool)."""
    return measure_run(run_scenario(load_scenario(scenario, assignments), seed))


@dataclass
class Evaluated:
    """A point of the design: its wave, values, runs' measures, distances and score."""

    wave: int
    values: dict[str, float]
    measures: list[dict]
    distances: dict[str, float]
    score: float


def evaluate(scenario: str, parameters: list[Parameter], fixed: list[str], points: list[dict[str, float]],
             seeds: int, entropy: int, wave: int, workers: int | None = None,
             on_done: Callable[[int], None] | None = None, executor=None,
             targets: list[str] | None = None) -> list[Evaluated] | None:
    """Every point run ``seeds`` times (seeds ``SeedSequence(entropy).spawn(seeds)``, the
    same for every point) and scored against ``targets`` (names; default all of the
    scenario's), on ``workers`` local processes or ``executor`` (a Dask client's, say); None
    if interrupted before all finished."""
    targets = select_targets(load_scenario(scenario, fixed).targets, targets)
    seed_list = children(entropy, seeds)
    tasks = [(scenario, fixed + [a for p in parameters for a in p.assignments(pt[p.name])], seed)
             for pt in points for seed in seed_list]
    results = run_tasks(measure_at, tasks, workers=workers, executor=executor,
                        on_done=(lambda k, n_done: on_done(n_done)) if on_done else None)
    if len(results) < len(tasks):
        return None
    out = []
    for i, pt in enumerate(points):
        ms = [results[i * seeds + j] for j in range(seeds)]
        dist = distances(targets, ms)
        out.append(Evaluated(wave, pt, ms, dist, point_score(dist)))
    return out


def reevaluate(scenario: str, parameters: list[Parameter], fixed: list[str], best: list[Evaluated], seeds: int,
               entropy: int, workers: int | None = None,
               on_done: Callable[[int], None] | None = None, executor=None,
               targets: list[str] | None = None) -> list[Evaluated] | None:
    """The points of ``best`` run again with ``seeds`` fresh seeds (``SeedSequence(entropy +
    1)``, none of the design's), scored on those runs alone against ``targets`` (names;
    default all); sorted by that score."""
    again = evaluate(scenario, parameters, fixed, [e.values for e in best], seeds, entropy + 1, 0, workers, on_done,
                     executor, targets)
    if again is None:
        return None
    for old, new in zip(best, again):
        new.wave = old.wave
    return sorted(again, key=lambda e: e.score)


def refocus(scenario: str, parameters: list[Parameter], fixed: list[str], waves: list[int], seeds: int,
            entropy: int = 0, keep: float = 0.1, margin: float = 0.1, workers: int | None = None,
            on_done: Callable[[int, int], None] | None = None, executor=None) -> list[Evaluated]:
    """Run the procedure above: ``waves`` gives the points per wave; ``fixed`` are
    assignments applied at every point (structural choices, not fitted). Returns every
    point evaluated, in order. A Ctrl-C inside a wave ends the procedure: the points of the
    complete waves are returned, fewer than asked."""
    rng = np.random.default_rng(children(entropy, 1)[0])
    lows, highs = np.zeros(len(parameters)), np.ones(len(parameters))
    done: list[Evaluated] = []
    total = sum(waves) * seeds
    for w, n in enumerate(waves, start=1):
        units = lows + latin_hypercube(n, len(parameters), rng) * (highs - lows)
        points = [{p.name: p.value(u) for p, u in zip(parameters, row)} for row in units]
        offset = len(done) * seeds
        evaluated = evaluate(scenario, parameters, fixed, points, seeds, entropy, w, workers,
                             (lambda n_done: on_done(offset + n_done, total)) if on_done else None, executor)
        if evaluated is None:
            break  # interrupted: keep the complete waves
        done += evaluated
        best = sorted(done, key=lambda e: e.score)[:max(2, math.ceil(keep * len(done)))]
        box = np.array([[p.unit(e.values[p.name]) for p in parameters] for e in best])
        width = box.max(axis=0) - box.min(axis=0)
        lows = np.clip(box.min(axis=0) - margin * np.maximum(width, 0.05), 0.0, 1.0)
        highs = np.clip(box.max(axis=0) + margin * np.maximum(width, 0.05), 0.0, 1.0)
    return done
