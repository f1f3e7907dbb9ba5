"""Sweeps: many runs over a grid or a sample of parameters, times seeds, kept run by run.

A ``SweepSpec`` names what runs (Epstein's model under a rule set, or a scenario), the
values every run shares (``base``), and the values that vary: a ``grid`` (every
combination) or a ``sample`` (a Latin hypercube of ``samples`` points over ranges). Every
point runs ``seeds`` times with the seeds ``SeedSequence(entropy).spawn(seeds)``: the same
seeds at every point (common random numbers), so points differ by their parameters only,
and each run is reproducible on its own from its point and its seed's spawn key.

``run_sweep`` runs what is not finished yet in an ``ExperimentStore`` folder, on a local
process pool or any ``concurrent.futures`` executor. Each run is written as soon as it ends;
a run that raises is recorded with its error and the sweep goes on; Ctrl-C stops and keeps
what finished, and running it again resumes. When a worker process dies (killed, out of
memory), nothing finished is lost, and what happens to the rest depends on the executor:

- the local pool (no ``executor``): Python's pool breaks as a whole, so the runs that were
  running on any of its workers, and those not started, are dropped without a row; the
  sweep starts a new pool for every run without a row, up to ``retries`` times, and the
  manifest's ``worker_deaths_last_session`` counts the broken pools. Runs still without a
  row after that (a run that kills its worker every time) stay undone: no row, not done,
  so running the sweep again runs them.
- a Dask ``distributed`` executor: the nanny restarts the worker and the scheduler runs its
  tasks again elsewhere by itself; the sweep is not told (``worker_deaths_last_session``
  stays 0) and ends with every run done. A run whose workers died more than the
  scheduler's ``distributed.scheduler.allowed-failures`` times (default 3) is given up
  by Dask (``KilledWorker``): it is recorded as failed with that error, the sweep goes on,
  and running it again retries it.
- any other executor: an exception its future raises that is not the task's own (a run's
  own errors come back as failed rows, never raised), such as ``BrokenProcessPool`` from
  a ``ProcessPoolExecutor`` passed in, records that run as failed with the error, as for
  Dask; a passed executor is never replaced, and one refusing new tasks stops the sweep
  with its error.

Example:
    >>> spec = SweepSpec(name="l", rules="netlogo", steps=5, base={"width": 20, "height": 20},
    ...                  grid={"legitimacy": [0.7, 0.9]}, seeds=2)
    >>> [(k, p) for k, p, s in tasks(spec)]
    [(0, {'legitimacy': 0.7}), (1, {'legitimacy': 0.7}), (2, {'legitimacy': 0.9}), (3, {'legitimacy': 0.9})]
"""

from __future__ import annotations

import itertools
import math
import platform
import time
import traceback
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qantar.errors import QantarInputError
from qantar.experiments.runner import available_cores, run_tasks
from qantar.storage.experiment import ExperimentStore


class SweepSpec(BaseModel):
    """What a sweep runs. ``scenario`` set: scenario runs, parameters are ``--set`` paths;
    unset: Epstein's model under ``rules`` for ``steps`` steps, parameters are ``Params``
    fields (legitimacy, cop_density, ...)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    scenario: str | None = None
    rules: str = "netlogo"
    steps: int = Field(500, ge=1)
    base: dict[str, object] = Field(default_factory=dict)
    grid: dict[str, list[object]] = Field(default_factory=dict)
    sample: dict[str, tuple[float, float]] = Field(default_factory=dict)
    samples: int = Field(0, ge=0)
    design: list[dict[str, object]] = Field(default_factory=list, description="explicit points (sensitivity)")
    seeds: int = Field(1, ge=1)
    entropy: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _one_design(self) -> "SweepSpec":
        if sum(map(bool, (self.grid, self.sample, self.design))) > 1:
            raise ValueError("grid, sample, design: give one of them")
        if self.sample and self.samples < 1:
            raise ValueError("samples: a sample needs the number of points (samples >= 1)")
        for name, values in self.grid.items():
            if not values:
                raise ValueError(f"grid.{name}: give at least one value")
        for name, (low, high) in self.sample.items():
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError(f"sample.{name}: the range {low}..{high} must be finite numbers, e.g. 0.6:0.9")
            if not low < high:
                raise ValueError(f"sample.{name}: the range {low}..{high} must go from low to high")
        return self



#: The spawn key of the sample design's generator: apart from the runs' seeds
#: (``SeedSequence(entropy).spawn(seeds)`` take keys 0, 1, ...), so no run shares its stream.
DESIGN_KEY = 2**31


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in [0, 1)^d, one in each of the n strata of every axis (McKay, Beckman &
    Conover 1979), strata paired at random.

    Example:
        >>> u = latin_hypercube(4, 2, np.random.default_rng(0))
        >>> sorted((u[:, 0] * 4).astype(int).tolist())   # one point in each quarter of each axis
        [0, 1, 2, 3]
    """
    strata = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T
    return (strata + rng.random((n, d))) / n


def points(spec: SweepSpec) -> list[dict[str, object]]:
    """The design's points, in order: the grid's combinations (last name fastest), or the
    sample's Latin hypercube (seeded by ``entropy``), or the explicit design, or the base
    alone."""
    if spec.design:
        return [dict(p) for p in spec.design]
    if spec.grid:
        names = list(spec.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*spec.grid.values())]
    if spec.sample:
        rng = np.random.default_rng(np.random.SeedSequence(spec.entropy, spawn_key=(DESIGN_KEY,)))
        u = latin_hypercube(spec.samples, len(spec.sample), rng)
        return [{name: float(lo + row[i] * (hi - lo)) for i, (name, (lo, hi)) in enumerate(spec.sample.items())}
                for row in u]
    return [{}]


def tasks(spec: SweepSpec) -> list[tuple[int, dict, int]]:
    """(run number, point, seed index) of every run: point by point, seeds within."""
    return [(p * spec.seeds + s, point, s) for p, point in enumerate(points(spec)) for s in range(spec.seeds)]


def run_one(spec: SweepSpec, run: int, point: dict, seed_index: int) -> tuple[dict, object]:
    """Run number ``run`` (a task for the pool): its row and series table (with a ``run``
    column, so that all runs' files read as one table). An error is returned as a failed
    row, not raised, so that one bad point does not stop the sweep."""
    started = time.perf_counter()
    seed = np.random.SeedSequence(spec.entropy, spawn_key=(seed_index,))  # = .spawn(seeds)[seed_index]
    base = row_base(spec, point, seed_index)
    try:
        measures, series = (_scenario_run if spec.scenario else _model_run)(spec, run, point, seed)
    except Exception as exc:  # noqa: BLE001 - recorded with its traceback, the sweep goes on
        return base | {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                       "traceback": traceback.format_exc(limit=5),
                       "seconds": round(time.perf_counter() - started, 3)}, None
    return base | {"status": "done", "seconds": round(time.perf_counter() - started, 3), "measures": measures}, series


def row_base(spec: SweepSpec, point: dict, seed_index: int) -> dict:
    """What every run's row starts with: its point and its seed (entropy, spawn key)."""
    return {"point": point, "seed": {"entropy": spec.entropy, "spawn_key": [seed_index]}}


def _model_run(spec: SweepSpec, run: int, point: dict, seed) -> tuple[dict, object]:
    import pyarrow as pa

    from qantar.analysis import outburst_threshold, summarize
    from qantar.engine import World
    from qantar.rules import make_params, rule_set

    params = make_params(**(spec.base | point))
    # not experiments.single.run_model: it turns a Ctrl-C into a short run, which would be kept as done
    world = World.build(params, rule_set(spec.rules), seed=seed)
    counts = np.concatenate([world.counts()[None, :], world.run(spec.steps)])
    measures = summarize(counts[:, 1], counts[:, 2], outburst_threshold(params.width, params.height))
    series = pa.table({"run": np.full(len(counts), run, np.int32), "step": np.arange(len(counts), dtype=np.int32),
                       "quiet": counts[:, 0],
                       "active": counts[:, 1], "jailed": counts[:, 2]})
    return {k: (float(v) if isinstance(v, np.floating | np.integer) else v) for k, v in measures.items()}, series


def _scenario_run(spec: SweepSpec, run: int, point: dict, seed) -> tuple[dict, object]:
    from qantar.analysis.scenario_measures import measure_run
    from qantar.experiments.scenario_run import run_scenario
    from qantar.scenario.load import load_scenario
    from qantar.storage.scenario import run_table

    assignments = [f"{k}={v}" for k, v in (spec.base | point).items()]
    result = run_scenario(load_scenario(spec.scenario, assignments), seed)
    result.index = run
    return measure_run(result), run_table(run, result)


def check_spec(spec: SweepSpec) -> None:
    """Refuse a spec any of whose points cannot be set up, before anything runs (a
    scenario loads in about 2 ms; parameters are checked without building a world)."""
    from qantar.rules import make_params, rule_set
    from qantar.scenario.load import load_scenario

    if not spec.scenario:
        rule_set(spec.rules)
    for point in points(spec):
        try:
            if spec.scenario:
                load_scenario(spec.scenario, [f"{k}={v}" for k, v in (spec.base | point).items()])
            else:
                for name, value in (spec.base | point).items():
                    if isinstance(value, float) and not math.isfinite(value):
                        raise QantarInputError(f"{name}: {value} is not a finite number; give one, e.g. 0.8")
                make_params(**(spec.base | point))
        except QantarInputError as exc:
            raise QantarInputError(f"point {point}: {exc}") from None


def run_sweep(spec: SweepSpec, folder, *, workers: int | None = None, executor=None, retries: int = 2,
              on_done: Callable[[int, int], None] | None = None) -> ExperimentStore:
    """Run what is not finished of ``spec`` in ``folder`` (see the module's docstring):
    new runs, and runs that failed in an earlier session. ``on_done(done, total)`` as runs
    finish, counting those finished before. A Ctrl-C returns with what finished written.

    A worker's death: on the local pool (``executor`` None), the runs without a row go to a
    new pool, ``retries`` times at most, each counted in the manifest's
    ``worker_deaths_last_session``, and those left stay undone; on a passed ``executor``
    (Dask's restarts its workers and reruns their tasks itself), a run its executor gives up
    on (Dask's ``KilledWorker``, after ``allowed-failures`` deaths) is recorded as failed
    with that error and the sweep goes on."""
    from qantar import __version__
    from qantar.storage.series import git_commit

    check_spec(spec)
    manifest = {"spec": spec.model_dump(mode="json"), "qantar_version": __version__, "git_commit": git_commit(),
                "machine": {"python": platform.python_version(), "platform": platform.platform(),
                            "cores": available_cores()}}
    store = ExperimentStore.open(folder, manifest)
    made_by = {"qantar_version": manifest["qantar_version"], "git_commit": manifest["git_commit"]}
    everything, finished = tasks(spec), store.finished()
    todo = [t for t in everything if t[0] not in finished]
    total, done_before = len(everything), len(everything) - len(todo)
    started = time.perf_counter()
    written: set[int] = set()  # runs with a row from this session, done or failed
    done_now = 0  # of those, done

    def keep(k: int, result) -> None:
        nonlocal done_now
        row, series = result
        store.write_run(todo_now[k][0], row | made_by, series)  # per row: a resume may run other code
        written.add(todo_now[k][0])
        done_now += row["status"] == "done"
        if on_done:
            on_done(done_before + len(written), total)

    def lost(k: int, error: Exception) -> tuple[dict, None]:
        """A run a passed executor gave up on: failed, with its error (a rerun retries it)."""
        _, point, seed_index = todo_now[k]
        return row_base(spec, point, seed_index) | {"status": "failed", "error": f"{type(error).__name__}: {error}"}, None

    deaths = 0
    for _ in range(retries + 1):
        todo_now = [t for t in todo if t[0] not in written]
        if not todo_now:
            break
        try:
            got = run_tasks(run_one, [(spec, run, point, s) for run, point, s in todo_now], workers=workers,
                            executor=executor, on_result=keep, on_lost=lost)
        except BrokenProcessPool:  # a local worker died (killed, out of memory): a new pool, the rest again
            if executor is not None:  # a passed executor refusing new tasks: not ours to replace
                raise
            deaths += 1
            continue
        if len(got) < len(todo_now):
            break  # interrupted: what finished is written
    store.update_manifest(seconds_last_session=round(time.perf_counter() - started, 2), runs_total=total,
                          runs_done=len(finished) + done_now, worker_deaths_last_session=deaths)
    store.write_summary()
    return store
