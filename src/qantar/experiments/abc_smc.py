"""Calibrating a scenario by ABC-SMC: a posterior over chosen parameters, not one point.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009; Beaumont et
al. 2009) keeps a population of parameter sets ("particles") and, generation after
generation, proposes new ones near the last population and keeps those whose simulation
lands within a shrinking tolerance of the observations. pyabc (``qantar[calibrate]``; Klinger,
Rickert & Hasenauer 2018; Schaelte et al. 2022) does that part: importance weights, the
multivariate normal perturbation kernel fitted to each population, the median-distance
tolerance schedule, and the history database. qantar adds four things:

- **Parameters on the unit cube.** Each free ``Parameter`` (``experiments.calibration``)
  has prior U(0, 1), mapped to its range by ``Parameter.value``: uniform, log-uniform, or
  equal shares of its choices. Derived fields follow a parameter as in the point
  calibration.
- **The distance** is the point calibration's score (``point_score`` of every target's
  ``target_distance``) of the particle's one run: 0 when every target is met, so the
  tolerance can only shrink towards "every reported range hit".
- **A seeded sampler** (``SeededSampler``): candidate i of generation t draws its
  parameters and runs its scenario from ``SeedSequence(entropy, spawn_key=(t + 2, i))``,
  and the generation keeps the first ``population`` accepted candidates in candidate
  order. The candidates run in batches on ``experiments.runner`` (the local process pool,
  or any executor such as Dask's), so the posterior is the same for any number of workers
  and any schedule, and a resumed calibration equals an uninterrupted one. (pyabc's own
  parallel samplers reseed from the operating system, so they cannot promise that.)
- **A folder** (``storage.posterior``): ``abc.db`` (pyabc's history: every generation, so
  running the same command again continues where it stopped), ``calibration.json`` (what
  made it: scenario, parameters, fixed values, population, entropy, version, commit,
  machine, and each generation's tolerance, evaluations and acceptance rate),
  ``posterior.parquet`` (the last generation's particles: weight, distance, values and the
  ``--set`` assignments that reproduce each one) and ``calibration.md``.

``qantar run SCENARIO --posterior FOLDER`` draws one particle per run, by weight.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from qantar.errors import QantarInputError
from qantar.experiments.calibration import Parameter, distances, measure_at, point_score
from qantar.experiments.runner import local_pool, run_tasks, worker_count
from qantar.scenario.load import load_scenario

#: The key of the candidate being simulated in this process, set by ``simulate_candidates``
#: just before pyabc's ``simulate_one`` calls the model, which seeds its run from it.
_CANDIDATE_KEY: tuple[int, int] = (0, 0)
#: Candidates in one task of the pool (fewer tasks, less pickling of pyabc's state).
CHUNK = 4


def require_pyabc():
    """pyabc, or a one-line error saying how to install it."""
    try:
        import pyabc
    except ImportError:
        raise QantarInputError("calibration needs pyabc: pip install 'qantar[calibrate]'") from None
    return pyabc


def candidate_seed(entropy: int, t: int, i: int) -> np.random.SeedSequence:
    """Candidate i of pyabc generation t (t = -1 is its calibration sample)."""
    return np.random.SeedSequence(entropy, spawn_key=(t + 2, i))


def simulate_candidates(payload: bytes, entropy: int, t: int, indices: list[int]) -> list:
    """Run pyabc's ``simulate_one`` (pickled in ``payload``) once per candidate index, each
    from its own seed (a task for the pool). pyabc draws from NumPy's and Python's global
    generators, so those are seeded here, per candidate."""
    import cloudpickle

    global _CANDIDATE_KEY
    simulate_one = cloudpickle.loads(payload)
    particles = []
    for i in indices:
        state = candidate_seed(entropy, t, i).generate_state(4)
        np.random.seed(state)
        random.seed(int(state[0]))
        _CANDIDATE_KEY = (t + 2, i)
        particles.append(simulate_one())
    return particles


@dataclass
class ScenarioModel:
    """pyabc's model: unit-cube values in, the run's distances out. The run's seed is
    ``SeedSequence(entropy, spawn_key=(t + 2, i, 1))`` for candidate i of generation t."""

    scenario: str
    parameters: list[Parameter]
    fixed: list[str]
    entropy: int
    _targets: list = field(default_factory=list, repr=False)

    def assignments(self, unit: dict) -> list[str]:
        """The ``--set`` assignments of a particle (fixed ones first)."""
        return self.fixed + [a for p in self.parameters for a in p.assignments(p.value(float(unit[p.name])))]

    def __call__(self, unit) -> dict:
        if not self._targets:
            self._targets = load_scenario(self.scenario, self.fixed).targets
        key = _CANDIDATE_KEY
        seed = np.random.SeedSequence(self.entropy, spawn_key=(*key, 1))
        dist = distances(self._targets, [measure_at(self.scenario, self.assignments(unit), seed)])
        return {"distance": point_score(dist), "seed_key": list(key) + [1]} | {f"d.{k}": v for k, v in dist.items()}


def score_distance(x: dict, x_0: dict) -> float:  # noqa: ARG001 - pyabc's signature; the targets are in the model
    """pyabc's distance: the score the model computed against the scenario's targets."""
    return float(x["distance"])


def seeded_sampler(entropy: int, workers: int | None = None, executor=None,
                   on_progress: Callable[[int, int, int, int], None] | None = None):
    """A pyabc sampler whose generations do not depend on workers or schedule (see the
    module's docstring). ``on_progress(t, accepted, evaluated, population)`` after each
    batch."""
    pyabc = require_pyabc()

    class SeededSampler(pyabc.sampler.Sampler):
        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            import cloudpickle

            payload = cloudpickle.dumps(simulate_one)
            sample = self._create_empty_sample()
            evaluated, start, batch = 0, 0, n
            per_task = worker_count(batch, workers) if executor is None else None
            while sample.n_accepted < n and start < max_eval:
                stop = int(min(start + batch, max_eval))
                size = CHUNK if per_task is None else max(1, min(CHUNK, math.ceil((stop - start) / (2 * per_task))))
                chunks = [list(range(a, min(a + size, stop))) for a in range(start, stop, size)]
                got = run_tasks(simulate_candidates, [(payload, entropy, t, c) for c in chunks], workers=workers,
                                executor=executor)
                if len(got) < len(chunks):
                    raise KeyboardInterrupt  # interrupted: pyabc keeps the complete generations
                for k in range(len(chunks)):
                    for particle in got[k]:
                        if sample.n_accepted < n:
                            sample.append(particle)
                            evaluated += 1
                if on_progress:
                    on_progress(t, sample.n_accepted, evaluated, n)
                rate = max(sample.n_accepted / max(evaluated, 1), 0.02)
                start = stop
                batch = max(2, math.ceil((n - sample.n_accepted) / rate * 1.2))
            self.nr_evaluations_ = evaluated
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return SeededSampler()


@dataclass
class Calibration:
    """What ``calibrate`` did: the folder, generations done, and whether it was interrupted."""

    folder: object
    generations: list[dict]
    interrupted: bool
    seconds: float


def quiet_pyabc() -> None:
    """pyabc logs each step at INFO; qantar shows its own progress instead."""
    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's loggers are all under "ABC"


def calibrate(scenario: str, parameters: list[Parameter], folder, *, fixed: list[str] | None = None,
              population: int = 100, generations: int = 6, max_simulations: float = math.inf,
              min_epsilon: float = 0.0, entropy: int = 0, workers: int | None = None, executor=None,
              on_progress: Callable[[int, int, int, int], None] | None = None) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to its targets by ABC-SMC, into ``folder``.

    Runs until ``generations`` generations exist in the folder (the first from the prior),
    the tolerance reaches ``min_epsilon``, or ``max_simulations`` runs were spent in this
    call. A folder that holds an earlier calibration with the same settings is continued;
    one with other settings is refused. A Ctrl-C keeps the complete generations and writes
    the posterior of the last one.
    """
    from qantar.storage.posterior import PosteriorStore

    pyabc = require_pyabc()
    quiet_pyabc()
    fixed = list(fixed or [])
    if not parameters:
        raise QantarInputError("calibrate: give at least one parameter to fit (--param PATH=LOW:HIGH)")
    if population < 2:
        raise QantarInputError(f"population: {population} is too small; give at least 2 particles")
    sc = load_scenario(scenario, fixed)
    if not sc.targets:
        raise QantarInputError(f"scenario {sc.name!r} has no [[targets]] to calibrate against; add some")
    for p in parameters:
        for u in (0.0, 1.0):
            try:
                load_scenario(scenario, fixed + p.assignments(p.value(u)))
            except QantarInputError as exc:
                raise QantarInputError(f"parameter {p.name} at {p.value(u):g}: {exc}") from None
    store = PosteriorStore.open(folder, settings={
        "scenario": scenario, "parameters": [p.describe() for p in parameters], "fixed": fixed,
        "population": population, "entropy": entropy})
    model = ScenarioModel(scenario, parameters, fixed, entropy)
    pool = local_pool(worker_count(population, workers)) if executor is None and workers != 1 else None
    abc = pyabc.ABCSMC(model, pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0, 1) for p in parameters}),
                       score_distance, population_size=population,
                       sampler=seeded_sampler(entropy, workers, executor or pool, on_progress),
                       eps=pyabc.MedianEpsilon())
    db = f"sqlite:///{store.database}"
    history = abc.load(db, 1) if store.database.exists() else abc.new(db, {"distance": 0.0})
    done = history.max_t + 1
    started, interrupted = time.perf_counter(), False
    try:
        if done < generations:
            abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations - done,
                    max_total_nr_simulations=max_simulations)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if pool is not None:  # one pool for the whole calibration: workers start (and compile) once
            pool.shutdown(wait=True, cancel_futures=True)
    history = pyabc.History(db, _id=1)
    gens = store.write(history, model, interrupted=interrupted, seconds=time.perf_counter() - started)
    if gens:
        from qantar.report.posterior import write_report

        write_report(store.folder)
    return Calibration(store.folder, gens, interrupted, time.perf_counter() - started)
