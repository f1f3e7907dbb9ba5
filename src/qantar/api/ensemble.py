"""Scenario ensembles into a folder: run one, resume one, open one.

``run_ensemble`` is what ``qantar run SCENARIO`` does: load the scenario (``--set``,
``--without``, ``--until``), run its ensemble keeping each run as it finishes
(``storage.ensemble``), then write ``series.parquet``, ``runs.json`` (provenance, each
run's measures, the targets' verdicts), ``report.md`` and its figures. The same call into
the same folder runs only the runs still missing; another call there is refused.

Example (tests/api/test_api.py runs the same calls on a small scenario):
    >>> ens = run_ensemble("kazakhstan-2022", "runs/base", seeds=20)       # doctest: +SKIP
    >>> ens.record["runs_done"], len(ens.verdicts)                         # doctest: +SKIP
    (20, 24)
    >>> ens = resume_ensemble("runs/base")    # after a Ctrl-C: only the missing runs  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from concurrent.futures import CancelledError
from pathlib import Path

import numpy as np

from qantar.api.progress import OnProgress, check_cancel, tell
from qantar.api.warmup import warm_up
from qantar.storage.folders import claim_kind, require_kind


@dataclasses.dataclass(frozen=True)
class EnsembleFolder:
    """A scenario ensemble's folder and its record (``runs.json``)."""

    path: Path
    record: dict

    @classmethod
    def open(cls, path, what: str = "this") -> "EnsembleFolder":
        """The ensemble in ``path`` (refused in one line if it is not one; ``what`` needs it)."""
        import json

        from qantar.errors import QantarInputError

        path = require_kind(path, "ensemble", what)
        if not (path / "runs.json").is_file():
            raise QantarInputError(f"{path}: an ensemble without runs.json (no call of it has ended yet); run the "
                                   "same command again to finish it")
        return cls(path, json.loads((path / "runs.json").read_text()))

    @property
    def measures(self) -> list[dict]:
        """Each finished run's measures (``analysis.scenario_measures.measure_run``)."""
        return self.record.get("measures", [])

    @property
    def verdicts(self) -> list[dict]:
        """Each target's verdict (``analysis.scenario_measures.judge_target``)."""
        return self.record.get("targets", [])

    @property
    def runs_done(self) -> int:
        return self.record.get("runs_done", len(self.measures))

    @property
    def seeds(self) -> int:
        return self.record["seeds"]

    @property
    def interrupted(self) -> bool:
        return self.runs_done < self.seeds

    @property
    def command(self) -> str:
        return self.record.get("command", "")


def ensemble_command(scenario: str, seeds: int, seed: int, overrides=(), without=(), until=None,
                     posterior=None) -> str:
    """The ``qantar run`` command of these arguments, as the record keeps it.

    Example:
        >>> ensemble_command("kazakhstan-2022", 20, 0, ["news.gain=0"], ["csto"])
        'qantar run kazakhstan-2022 --seeds 20 --seed 0 --set news.gain=0 --without csto'
    """
    return " ".join(["qantar run", str(scenario), f"--seeds {seeds}", f"--seed {seed}",
                     *[f"--set {a}" for a in overrides], *[f"--without {w}" for w in without],
                     *([f"--until {until}"] if until else []), *([f"--posterior {posterior}"] if posterior else [])])


def run_ensemble(scenario: str, out=None, *, seeds: int = 20, seed: int = 0, overrides=(), without=(),
                 until: dt.date | str | None = None, posterior=None, workers: int | None = None,
                 cluster: str | None = None, executor=None, overwrite: bool = False,
                 on_progress: OnProgress | None = None, cancel: threading.Event | None = None) -> EnsembleFolder:
    """Run ``seeds`` runs of ``scenario`` (a built-in name or a TOML file) into ``out``
    (default ``runs/<time>-<name>``, or the newest such folder holding this same call
    interrupted) and report them; a folder holding the same call is resumed (only missing
    runs run), one holding another is refused unless ``overwrite``.

    ``overrides``: ``PATH=VALUE`` texts (``--set``); ``without``: event names; ``until``:
    run only up to that day (``scenario.load.cut_at``); ``posterior``: a calibration folder,
    each run taking a particle. Runs go to ``workers`` local processes, the Dask scheduler
    at ``cluster``, or ``executor``. ``on_progress`` gets 'compiling', 'runs' and 'report'
    ``Progress``; setting ``cancel`` (or a Ctrl-C) stops after the runs in hand, keeping and
    reporting what finished (the result's ``interrupted``)."""
    from qantar.experiments.posterior_runs import posterior_scenarios
    from qantar.experiments.runner import cluster_executor
    from qantar.scenario.load import cut_at, load_scenario
    from qantar.storage.ensemble import EnsembleStore

    overrides, without = list(overrides), list(without)
    sc = load_scenario(scenario, overrides=overrides, without=without)
    cut = None
    if until is not None:
        sc, cut = cut_at(sc, until)
    drawn = posterior_scenarios(scenario, posterior, seeds, seed, overrides, without) if posterior else None
    scenarios = [cut_at(s, until)[0] if cut else s for _, s in drawn] if drawn else [sc] * seeds
    spec = {"scenario": sc.model_dump(mode="json"), "seeds": seeds, "entropy": seed, "until": cut,
            "posterior": {"folder": str(posterior), "particles": [row["particle"] for row, _ in drawn]}
            if drawn else None}
    out = claim_kind(out or EnsembleStore.unfinished("runs", sc.name, spec)
                     or EnsembleStore.new_folder("runs", sc.name), "ensemble")
    command = ensemble_command(scenario, seeds, seed, overrides, without, cut and cut["until"], posterior)
    call = {"scenario": scenario, "seeds": seeds, "seed": seed, "overrides": overrides, "without": without,
            "until": cut and cut["until"], "posterior": str(posterior) if posterior else None}
    store = EnsembleStore.open(out, spec, overwrite, call=call, command=command)
    missing = sorted(set(range(seeds)) - store.finished())
    started = time.perf_counter()
    if missing and cluster is None and executor is None and not (cancel and cancel.is_set()):
        warm_up(sc, on_progress)
    tell(on_progress, "runs", seeds - len(missing), seeds, sc.name)

    def keep(run) -> None:
        store.write_run(run.index, run_arrays(run), run.regions)

    def done(n: int) -> None:
        tell(on_progress, "runs", seeds - len(missing) + n, seeds, sc.name)
        check_cancel(cancel)

    if missing and not (cancel and cancel.is_set()):
        from qantar.experiments.scenario_run import run_ensemble as run_runs

        try:
            with cluster_executor(cluster) as pool:
                run_runs(scenarios, seeds, seed, on_run_done=done, workers=workers, executor=executor or pool,
                         only=missing, on_run=keep)
        except CancelledError:  # a caller's executor cancelled the runs not started (the dashboard's stop)
            if not (cancel and cancel.is_set()):
                raise
    elapsed = time.perf_counter() - started
    tell(on_progress, "report", 0, None, "writing the report")
    record = report_ensemble(store, sc, scenarios, seed, command, elapsed, workers, cluster, drawn, cut)
    tell(on_progress, "report", 1, 1, f"wrote {out / 'report.md'}")
    return EnsembleFolder(out, record)


def resume_ensemble(folder, *, workers: int | None = None, cluster: str | None = None, executor=None,
                    on_progress: OnProgress | None = None,
                    cancel: threading.Event | None = None) -> EnsembleFolder:
    """Finish the ensemble in ``folder``: its call again (``ensemble.json``), running only the
    runs still missing. The scenario is loaded again, so a changed scenario file is refused.

    Example:
        >>> resume_ensemble("runs/base")    # doctest: +SKIP
    """
    from qantar.errors import QantarInputError
    from qantar.storage.ensemble import EnsembleStore

    folder = require_kind(folder, "ensemble", "resume_ensemble")
    call = EnsembleStore(folder).record.get("call") if (folder / "ensemble.json").is_file() else None
    if call is None:
        raise QantarInputError(f"{folder}: an ensemble written before ensembles could resume; run it again into "
                               "a new folder")
    return run_ensemble(call["scenario"], folder, seeds=call["seeds"], seed=call["seed"], overrides=call["overrides"],
                        without=call["without"], until=call["until"], posterior=call["posterior"], workers=workers,
                        cluster=cluster, executor=executor, on_progress=on_progress, cancel=cancel)


def run_arrays(run) -> dict[str, np.ndarray]:
    """A ``ScenarioRun``'s per-step arrays, by field name (what the folder keeps of it)."""
    return {f.name: getattr(run, f.name) for f in dataclasses.fields(run)
            if isinstance(getattr(run, f.name), np.ndarray)}


def load_runs(store, scenarios: list, entropy: int) -> list:
    """The finished runs of ``store`` as ``ScenarioRun`` s, in run order."""
    from qantar.experiments.scenario_run import ScenarioRun

    from qantar.engine.seeds import children

    seeds = children(entropy, len(scenarios))
    runs = []
    for k in sorted(store.finished()):
        arrays, regions = store.read_run(k)
        runs.append(ScenarioRun(scenarios[k], seeds[k], regions, **arrays, index=k))
    return runs


def report_ensemble(store, sc, scenarios: list, entropy: int, command: str, seconds: float, workers, cluster,
                    drawn, cut) -> dict:
    """Write ``series.parquet``, ``runs.json``, ``report.md`` and figures from the runs kept
    in ``store`` (run k of ``scenarios[k]``); return the record (``runs.json``), which holds
    ``sc``, the scenario as loaded (each posterior run took its particle's on top of it)."""
    from qantar import __version__
    from qantar.analysis.scenario_measures import judge_target, measure_run
    from qantar.experiments.runner import worker_count
    from qantar.report import scenario as report
    from qantar.storage.scenario import write_ensemble
    from qantar.storage.series import git_commit, write_json

    out, seeds = store.folder, len(scenarios)
    runs = load_runs(store, scenarios, entropy)
    measures = [measure_run(r) for r in runs]
    record = {"command": command, "scenario": sc.model_dump(mode="json"), "entropy": entropy, "seeds": seeds,
              "runs_done": len(runs), "interrupted": len(runs) < seeds, "qantar_version": __version__,
              "git_commit": git_commit(), "seconds": round(seconds, 2),
              "workers": cluster or worker_count(seeds, workers), "measures": measures,
              "targets": [judge_target(t, measures) for t in sc.targets] if runs else []}
    if cut:
        record["until"] = cut
    if drawn:
        record["posterior"] = {"folder": str(store.record["call"]["posterior"]), "generation": drawn[0][0]["generation"],
                               "particles": [{"run": r.index, "particle": drawn[r.index][0]["particle"],
                                              "assignments": drawn[r.index][0]["assignments"]} for r in runs]}
    if not runs:
        write_json(out / "runs.json", record)
        return record
    write_ensemble(out, runs, record)
    figures = [str(report.national_figure(runs, out / "figures" / "national.png").relative_to(out)),
               str(report.regions_figure(runs, out / "figures" / "regions.png").relative_to(out))]
    (out / "report.md").write_text(report.render_markdown(runs, record["targets"], command, record, figures))
    return record
