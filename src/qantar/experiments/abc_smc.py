"""Calibrating a scenario by ABC-SMC: a posterior over chosen parameters, not one point.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009; Beaumont et
al. 2009) keeps a population of parameter sets ("particles") and, generation after
generation, proposes new ones near the last population and keeps those whose simulation
lands within a shrinking tolerance of the observations. pyabc (``qantar[calibrate]``; Klinger,
Rickert & Hasenauer 2018; Schaelte et al. 2022) does that part: importance weights, the
multivariate normal perturbation kernel fitted to each population, the median-distance
tolerance schedule (generation 0 is the prior, cut at the median distance of a first prior
sample), and the history database. qantar adds:

- **Parameters on the unit cube.** Each free ``Parameter`` (``experiments.calibration``)
  has prior U(0, 1), mapped to its range by ``Parameter.value``: uniform, log-uniform, or
  equal shares of its choices. Derived fields follow a parameter as in the point
  calibration.
- **The distance** is the point calibration's score (``point_score`` of every target's
  ``target_distance``) of the particle's one run: 0 when every target is met. A run that
  raises gets distance infinity (rejected); the session's record counts such runs and
  keeps the first error.
- **A seeded sampler** (``seeded_sampler``): candidate i of generation t draws its
  parameters and runs its scenario from ``SeedSequence(entropy, spawn_key=(t + 2, i))``,
  and the generation keeps the first ``population`` accepted candidates in candidate
  order. The candidates run in batches on ``experiments.runner`` (the local process pool,
  or any executor such as Dask's), so the posterior is the same for any number of workers
  and any schedule, and a continued calibration equals an uninterrupted one. (pyabc's own
  parallel samplers reseed from the operating system, so they cannot promise that.)
  pyabc draws from NumPy's global generator, so the candidates of one process take turns
  (a lock): give Dask workers one thread each (``dask worker --nthreads 1``) to use every
  core.
- **Interrupts between generations' writes.** A Ctrl-C stops the calibration only while
  candidates run; one that comes while pyabc writes a generation takes effect after the
  write, so the history never holds half a generation.
- **A folder** (``storage.posterior``): ``abc.db`` (pyabc's history: running the same call
  again continues where it stopped), ``calibration.json`` (settings, the scenario's
  fingerprint, generations, and a record of each session), ``posterior.parquet`` and
  ``calibration.md``.

``qantar run SCENARIO --posterior FOLDER`` (``experiments.posterior_runs``) draws one
particle per run, by weight.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import platform
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from qantar.errors import QantarInputError
from qantar.experiments.calibration import Parameter, distances, measure_at, point_score, select_targets
from qantar.experiments.runner import local_pool, run_tasks, stop_pool, worker_count
from qantar.scenario.load import load_scenario

#: The key of the candidate being simulated in this process, set by ``simulate_candidates``
#: (under ``_LOCK``) just before pyabc's ``simulate_one`` calls the model, which seeds its
#: run from it; None outside.
_CANDIDATE_KEY: tuple[int, int] | None = None
_LOCK = threading.Lock()
#: Candidates in one task of a passed executor (fewer tasks, less pickling of pyabc's state).
CHUNK = 4


def require_pyabc():
    """pyabc, or a one-line error saying how to install it."""
    try:
        import pyabc
    except ImportError:
        raise QantarInputError("calibration needs pyabc: pip install 'qantar[calibrate]'") from None
    return pyabc


def candidate_seed(entropy: int, t: int, i: int) -> np.random.SeedSequence:
    """Candidate i of pyabc generation t (t = -1 is its first prior sample)."""
    return np.random.SeedSequence(entropy, spawn_key=(t + 2, i))


def simulate_candidates(payload: bytes, entropy: int, t: int, indices: list[int]) -> list:
    """Run pyabc's ``simulate_one`` (pickled in ``payload``) once per candidate index, each
    from its own seed (a task for the pool). pyabc draws from NumPy's and Python's global
    generators, so those are seeded here per candidate, under a lock, and given back as
    they were."""
    import cloudpickle

    global _CANDIDATE_KEY
    simulate_one = cloudpickle.loads(payload)
    particles = []
    with _LOCK:
        saved = np.random.get_state(), random.getstate()
        try:
            for i in indices:
                state = candidate_seed(entropy, t, i).generate_state(4)
                np.random.seed(state)
                random.seed(int(state[0]))
                _CANDIDATE_KEY = (t + 2, i)
                particles.append(simulate_one())
        finally:
            _CANDIDATE_KEY = None
            np.random.set_state(saved[0])
            random.setstate(saved[1])
    return particles


@dataclass
class ScenarioModel:
    """pyabc's model: unit-cube values in, the runs' distances out. Run j (1, 2, ...) of
    candidate i of generation t has the seed ``SeedSequence(entropy, spawn_key=(t + 2, i,
    j))``. With ``runs`` above 1 the distances are the ensemble's, judged on its median as
    the report judges (``calibration.distances``): one run of a noisy scenario can land
    inside a target by luck, and the posterior then follows the luck."""

    scenario: str
    parameters: list[Parameter]
    fixed: list[str]
    entropy: int
    runs: int = 1
    targets: list[str] | None = None  # the names fitted to; None: all of the scenario's
    _targets: list = field(default_factory=list, repr=False)

    def assignments(self, unit: dict) -> list[str]:
        """The ``--set`` assignments of a particle (fixed ones first)."""
        return self.fixed + [a for p in self.parameters for a in p.assignments(p.value(float(unit[p.name])))]

    def __call__(self, unit) -> dict:
        if _CANDIDATE_KEY is None:
            raise RuntimeError("ScenarioModel runs only as a candidate of seeded_sampler, which seeds it")
        if not self._targets:
            self._targets = select_targets(load_scenario(self.scenario, self.fixed).targets, self.targets)
        key = [*_CANDIDATE_KEY, 1]
        try:
            runs = [measure_at(self.scenario, self.assignments(unit),
                               np.random.SeedSequence(self.entropy, spawn_key=(*_CANDIDATE_KEY, j)))
                    for j in range(1, self.runs + 1)]
        except Exception as exc:  # noqa: BLE001 - rejected and counted; the calibration goes on
            return {"distance": math.inf, "seed_key": key, "error": f"{type(exc).__name__}: {exc}"}
        dist = distances(self._targets, runs)
        return {"distance": point_score(dist), "seed_key": key} | {f"d.{k}": v for k, v in dist.items()}


def score_distance(x: dict, x_0: dict) -> float:  # noqa: ARG001 - pyabc's signature; the targets are in the model
    """pyabc's distance: the score the model computed against the scenario's targets."""
    return float(x["distance"])


@dataclass
class SamplerLog:
    """What the sampler did in one session, beyond pyabc's own counts."""

    runs_executed: int = 0
    failed_runs: int = 0
    first_error: str | None = None
    sampling: bool = False  # candidates are running: a Ctrl-C may stop them now
    interrupt_pending: bool = False  # a Ctrl-C came while pyabc was writing


def seeded_sampler(entropy: int, log: SamplerLog, executor=None, workers: int | None = None,
                   on_progress: Callable[[int, int, int, int], None] | None = None):
    """A pyabc sampler whose generations do not depend on workers or schedule (see the
    module's docstring): candidates run on ``executor`` (None: here, one after another),
    in tasks of ``CHUNK`` or, with ``workers`` known (a local pool), fewer so that each
    worker gets two tasks a batch. ``on_progress(t, accepted, evaluated, population)``
    after each batch."""
    pyabc = require_pyabc()

    class SeededSampler(pyabc.sampler.Sampler):
        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            import cloudpickle

            if log.interrupt_pending:
                raise KeyboardInterrupt
            payload = cloudpickle.dumps(simulate_one)
            sample = self._create_empty_sample()
            evaluated, start, batch = 0, 0, n
            log.sampling = True
            try:
                while sample.n_accepted < n and start < max_eval:
                    stop = int(min(start + batch, max_eval))
                    size = CHUNK if not workers else max(1, min(CHUNK, math.ceil((stop - start) / (2 * workers))))
                    chunks = [list(range(a, min(a + size, stop))) for a in range(start, stop, size)]
                    try:
                        got = run_tasks(simulate_candidates, [(payload, entropy, t, c) for c in chunks],
                                        workers=1, executor=executor)
                    except QantarInputError:
                        raise
                    except Exception as exc:  # the executor lost candidates (e.g. Dask's KilledWorker)
                        raise QantarInputError(f"calibrate: the executor lost candidates ({type(exc).__name__}: "
                                               f"{exc}); the complete generations are kept: run the same command "
                                               "again to continue") from None
                    if len(got) < len(chunks):
                        raise KeyboardInterrupt  # interrupted: pyabc keeps the complete generations
                    for k in range(len(chunks)):
                        for particle in got[k]:
                            log.runs_executed += 1
                            if "error" in particle.sum_stat:  # rejected, whatever the tolerance (even infinite)
                                particle.accepted = False
                                log.failed_runs += 1
                                log.first_error = log.first_error or particle.sum_stat["error"]
                            if sample.n_accepted < n:
                                sample.append(particle)
                                evaluated += 1
                    if log.failed_runs >= max(n, 2 * (log.runs_executed - log.failed_runs) + n):
                        raise QantarInputError(f"calibrate: {log.failed_runs} of {log.runs_executed} runs failed; "
                                               f"the first: {log.first_error}. Narrow the --param ranges or fix "
                                               "the scenario")
                    if on_progress:
                        on_progress(t, sample.n_accepted, evaluated, n)
                    rate = max(sample.n_accepted / max(evaluated, 1), 0.02)
                    start = stop
                    # at most 4x the last batch: one empty batch must not launch 60 x n runs
                    batch = min(4 * batch, max(2, math.ceil((n - sample.n_accepted) / rate * 1.2)))
            finally:
                log.sampling = False
            self.nr_evaluations_ = evaluated
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return SeededSampler()


@contextmanager
def interrupts_while_sampling(log: SamplerLog) -> Iterator[None]:
    """Ctrl-C raises only while candidates run; otherwise (pyabc writing a generation) it
    is noted and raised when the next generation starts. Only in the main thread, where
    signals arrive; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if log.sampling:
            raise KeyboardInterrupt
        log.interrupt_pending = True

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def quiet_pyabc() -> None:
    """pyabc logs each step at INFO; qantar shows its own progress instead."""
    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's loggers are all under "ABC"


def scenario_fingerprint(scenario: str, assignments: list[str]) -> str:
    """A short hash of the scenario as loaded with ``assignments``: what a posterior was
    fitted to, for refusing to continue or reuse it on a scenario that changed since."""
    return hashlib.sha256(load_scenario(scenario, assignments).model_dump_json().encode()).hexdigest()[:16]


def generations_of(history) -> list[dict]:
    """Per complete generation: tolerance, runs (pyabc's count, up to the last accepted
    candidate), particles, acceptance rate and effective sample size."""
    gens = []
    for r in history.get_all_populations().itertuples():
        if r.t < 0:
            continue
        _, w = history.get_distribution(m=0, t=int(r.t))
        gens.append({"generation": int(r.t), "epsilon": float(r.epsilon), "evaluations": int(r.samples),
                     "particles": int(r.particles), "acceptance_rate": round(int(r.particles) / max(int(r.samples), 1), 4),
                     "effective_sample_size": round(float(1.0 / np.sum((w / w.sum()) ** 2)), 1)})
    return gens


def posterior_table(history, model: ScenarioModel) -> pa.Table:
    """The last generation's particles, a row each (``storage.posterior`` lists the columns)."""
    t = history.max_t
    particles = history.get_population(t).particles
    weights = np.array([p.weight for p in particles], dtype=float)
    columns: dict[str, list] = {"generation": [t] * len(particles), "particle": list(range(len(particles))),
                                "weight": list(weights / weights.sum()),
                                "distance": [float(p.distance) for p in particles]}
    for par in model.parameters:
        columns[f"u.{par.name}"] = [float(p.parameter[par.name]) for p in particles]
        columns[par.name] = [par.value(float(p.parameter[par.name])) for p in particles]
    for key in particles[0].sum_stat:
        if key.startswith("d."):
            columns[key] = [float(p.sum_stat[key]) for p in particles]
    columns["seed_key"] = [[int(v) for v in p.sum_stat["seed_key"]] for p in particles]
    columns["assignments"] = [model.assignments(p.parameter) for p in particles]
    return pa.table(columns)


@dataclass
class Calibration:
    """What ``calibrate`` did: the folder, the generations in it, and why it stopped."""

    folder: Path
    generations: list[dict]
    stopped: str
    seconds: float

    @property
    def interrupted(self) -> bool:
        return self.stopped == "interrupted"


def why_stop(gens: list[dict], generations: int, min_epsilon: float) -> str | None:
    """Why a calibration with ``gens`` done need not run on, or None."""
    if len(gens) >= generations:
        return f"{generations} generations"
    if gens and gens[-1]["epsilon"] <= min_epsilon:
        return f"tolerance {gens[-1]['epsilon']:.4g} <= {min_epsilon:g}"
    return None


def check_inputs(scenario: str, parameters: list[Parameter], fixed: list[str], population: int,
                 targets: list[str] | None = None):
    """Refuse what cannot be calibrated, before anything runs; the loaded scenario."""
    if not parameters:
        raise QantarInputError("calibrate: give at least one parameter to fit (--param PATH=LOW:HIGH)")
    if population <= len(parameters):
        raise QantarInputError(f"population: {population} particles cannot fit {len(parameters)} parameters (the "
                               "perturbation kernel's covariance would be singular); give more than "
                               f"{len(parameters)}, better 10 a parameter")
    fixed_paths = {a.split("=", 1)[0].strip() for a in fixed}
    for p in parameters:
        if fixed_paths & set(p.paths):
            raise QantarInputError(f"--set {sorted(fixed_paths & set(p.paths))[0]}: also fitted by parameter "
                                   f"{p.name}; fix it or fit it, not both")
    sc = load_scenario(scenario, fixed)
    if not sc.targets:
        raise QantarInputError(f"scenario {sc.name!r} has no [[targets]] to calibrate against; add some")
    select_targets(sc.targets, targets)  # a name it lacks is refused here
    for p in parameters:
        for u in (0.0, 0.37, 1.0):  # the ends, and a point inside, which whole-number fields refuse
            try:
                load_scenario(scenario, fixed + p.assignments(p.value(u)))
            except QantarInputError as exc:
                raise QantarInputError(f"parameter {p.name} at {p.value(u):g}: {exc} (a whole-number field is "
                                       "fitted over choices: Parameter(..., choices=(...)) in Python)") from None
    return sc


def refuse_changed_scenario(folder, settings: dict) -> None:
    """A folder whose calibration has these settings but another fingerprint was fitted
    to the scenario before it changed: say so (not just "other settings")."""
    path = Path(folder) / "calibration.json"
    if not path.exists():
        return
    old = json.loads(path.read_text()).get("settings", {})
    same = {k: v for k, v in json.loads(json.dumps(settings)).items() if k != "fingerprint"}
    if old.get("fingerprint") != settings["fingerprint"] and {k: v for k, v in old.items() if k != "fingerprint"} == same:
        raise QantarInputError(f"{folder}: scenario {settings['scenario_name']!r} changed since this calibration "
                               "began (its fields outside the fitted ones differ); calibrate into a new --out folder")


def calibrate(scenario: str, parameters: list[Parameter], folder, *, fixed: list[str] | None = None,
              population: int = 100, generations: int = 6, max_simulations: float = math.inf,
              min_epsilon: float = 0.0, entropy: int = 0, workers: int | None = None, executor=None,
              on_progress: Callable[[int, int, int, int], None] | None = None,
              runs_per_particle: int = 1, targets: list[str] | None = None) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to its targets by ABC-SMC, into ``folder``: all of
    them, or only the ``targets`` named (a stage of a fit; the folder records which).

    Runs until ``generations`` generations exist in the folder (the first from the prior),
    the tolerance reaches ``min_epsilon``, or about ``max_simulations`` more runs were
    spent (checked after each generation). Each particle is judged on
    ``runs_per_particle`` runs (their ensemble's median, as the report judges). A folder that holds the same calibration is
    continued (one already done is left as it is); one with other settings, or fitted to
    a scenario that changed since, is refused. A Ctrl-C keeps the complete generations
    and writes the posterior of the last one.
    """
    from qantar import __version__
    from qantar.report.posterior import write_report
    from qantar.storage.posterior import PosteriorStore
    from qantar.storage.series import git_commit

    pyabc = require_pyabc()
    quiet_pyabc()
    fixed = list(fixed or [])
    targets = None if targets is None else list(targets)
    sc = check_inputs(scenario, parameters, fixed, population, targets)
    if Path(scenario).is_file():
        scenario = str(Path(scenario).resolve())  # the same file from any folder
    if runs_per_particle < 1:
        raise QantarInputError(f"runs_per_particle: give 1 or more (got {runs_per_particle})")
    model = ScenarioModel(scenario, parameters, fixed, entropy, runs_per_particle, targets)
    middle = model.assignments({p.name: 0.5 for p in parameters})
    settings = {"scenario": scenario, "scenario_name": sc.name, "fingerprint_at": middle,
                "fingerprint": scenario_fingerprint(scenario, middle), "parameters": [p.describe() for p in parameters],
                "fixed": fixed, "population": population, "entropy": entropy}
    if runs_per_particle > 1:  # absent at 1, so that folders made before the option continue
        settings["runs_per_particle"] = runs_per_particle
    if targets is not None:  # absent for all targets, so that folders made before the option continue
        settings["targets"] = targets
    refuse_changed_scenario(folder, settings)
    store = PosteriorStore.open(folder, settings=settings)
    log = SamplerLog()
    local = worker_count(population, workers) if executor is None else None
    pool = local_pool(local) if local and local > 1 else None
    abc = pyabc.ABCSMC(model, pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0, 1) for p in parameters}),
                       score_distance, population_size=population,
                       sampler=seeded_sampler(entropy, log, executor or pool, local if pool else None, on_progress),
                       eps=pyabc.MedianEpsilon())
    db = f"sqlite:///{store.database}"
    history = abc.load(db, 1) if store.database.exists() else abc.new(db, {"distance": 0.0})
    started, began = time.perf_counter(), dt.datetime.now().isoformat(timespec="seconds")
    stopped = why_stop(generations_of(history), generations, min_epsilon)
    failed = True  # until the run ends, or stops in one of the ways below
    try:
        if stopped is None:
            with interrupts_while_sampling(log):
                abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations - (history.max_t + 1),
                        max_total_nr_simulations=history.total_nr_simulations + max_simulations / runs_per_particle)
            stopped = "interrupted" if log.interrupt_pending else None
        failed = False
    except KeyboardInterrupt:
        stopped, failed = "interrupted", False
    except AssertionError as exc:  # pyabc's check of a population, e.g. weights that are NaN
        stopped, failed = f"pyabc refused a generation: {exc}", False
    finally:
        if failed:
            stopped = "an error (its traceback follows)"
        if pool is not None:  # one pool for the whole calibration: workers start (and compile) once
            stop_pool(pool, interrupted=stopped == "interrupted")
        history = pyabc.History(db, _id=1)
        gens = generations_of(history)
        stopped = stopped or why_stop(gens, generations, min_epsilon) or "run budget (--max-runs) spent"
        seconds = time.perf_counter() - started
        store.write(gens, {"started": began, "seconds": round(seconds, 2), "qantar_version": __version__,
                           "git_commit": git_commit(), "python": platform.python_version(),
                           "platform": platform.platform(), "runs_executed": log.runs_executed * runs_per_particle,
                           "failed_runs": log.failed_runs, "first_error": log.first_error,
                           "generations_after": len(gens), "stopped": stopped},
                    posterior_table(history, model) if gens else None)
    if gens:
        write_report(store.folder)
    return Calibration(store.folder, gens, stopped, seconds)
