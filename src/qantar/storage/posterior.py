"""A calibration's folder: pyabc's history, what made it, and the posterior it ended with.

Layout::

    FOLDER/calibration.json   settings (scenario, parameters, fixed values, population,
                              entropy), version, commit, machine, and per generation its
                              tolerance, evaluations, acceptance rate and effective sample size
    FOLDER/abc.db             pyabc's history (SQLite): every complete generation
    FOLDER/posterior.parquet  the last generation: a row per particle with its weight,
                              distance, unit-cube values (``u.NAME``), values (``NAME``),
                              target distances (``d.TARGET``), the run's seed key, and the
                              ``--set`` assignments that reproduce it
    FOLDER/calibration.md     the report (``report.posterior``)

A folder holds one calibration: opening it with other settings is refused, so a
calibration never overwrites another.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from qantar.errors import QantarInputError
from qantar.storage.series import _atomic_write, git_commit, write_json

#: Spawn key of the generator that picks each run's particle in ``draw_particles``: beyond
#: any run's index, so apart from every run's seed (as ``sweep.DESIGN_KEY``).
DRAW_KEY = 2**31 + 1


class PosteriorStore:
    """The folder of one calibration (see the module's docstring)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.manifest = self.folder / "calibration.json"
        self.database = self.folder / "abc.db"
        self.posterior = self.folder / "posterior.parquet"

    @classmethod
    def open(cls, folder, settings: dict) -> "PosteriorStore":
        """A new calibration in ``folder``, or the same one again (to continue it)."""
        store = cls(folder)
        settings = json.loads(json.dumps(settings, default=str))
        if store.manifest.exists():
            if json.loads(store.manifest.read_text()).get("settings") != settings:
                raise QantarInputError(f"{store.folder}: holds another calibration (its calibration.json has other "
                                       "settings); give a new --out folder, or the same settings to continue it")
            return store
        if store.folder.exists() and any(store.folder.iterdir()):
            raise QantarInputError(f"{store.folder}: exists and is not a calibration folder; give a new --out folder")
        store.folder.mkdir(parents=True, exist_ok=True)
        write_json(store.manifest, {"settings": settings})
        return store

    def write(self, history, model, *, interrupted: bool, seconds: float) -> list[dict]:
        """Write the manifest's generations and the last generation's posterior; returns the
        generations."""
        from qantar import __version__

        pops = history.get_all_populations()
        gens = [{"generation": int(r.t), "epsilon": float(r.epsilon), "evaluations": int(r.samples),
                 "particles": int(r.particles)} for r in pops.itertuples() if r.t >= 0]
        for g in gens:
            g["acceptance_rate"] = round(g["particles"] / max(g["evaluations"], 1), 4)
            _, w = history.get_distribution(m=0, t=g["generation"])
            g["effective_sample_size"] = round(float(1.0 / np.sum((w / w.sum()) ** 2)), 1)
        old = json.loads(self.manifest.read_text())
        write_json(self.manifest, old | {
            "generations": gens, "total_evaluations": int(sum(g["evaluations"] for g in gens)),
            "interrupted_last_session": interrupted, "seconds_last_session": round(seconds, 2),
            "seconds_total": round(old.get("seconds_total", 0.0) + seconds, 2),
            "qantar_version": __version__, "git_commit": git_commit(),
            "machine": {"python": platform.python_version(), "platform": platform.platform()}})
        if gens:
            _atomic_write(self.posterior, lambda tmp: pq.write_table(posterior_table(history, model), tmp))
        return gens


def posterior_table(history, model) -> pa.Table:
    """The last generation's particles, a row each (see the module's docstring)."""
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


def read_posterior(folder) -> tuple[dict, pa.Table]:
    """A calibration folder's manifest and posterior table, or a clear error."""
    store = PosteriorStore(folder)
    if not store.posterior.exists() or not store.manifest.exists():
        raise QantarInputError(f"{folder}: no calibration here (no calibration.json and posterior.parquet); "
                               "give the --out folder of a `qantar calibrate` that finished a generation")
    return json.loads(store.manifest.read_text()), pq.read_table(store.posterior)


def draw_particles(table: pa.Table, runs: int, entropy: int) -> list[int]:
    """Which particle each of ``runs`` runs takes: drawn by weight, with replacement, from
    ``SeedSequence(entropy, spawn_key=(DRAW_KEY,))`` (apart from the runs' own seeds)."""
    weights = np.asarray(table.column("weight").to_numpy(), dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(DRAW_KEY,)))
    return [int(k) for k in rng.choice(len(weights), size=runs, p=weights / weights.sum())]
