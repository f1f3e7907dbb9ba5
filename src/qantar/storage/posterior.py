"""A calibration's folder: pyabc's history, what made it, and the posterior it ended with.

Layout::

    FOLDER/calibration.json   settings (scenario, its fingerprint, parameters, fixed values,
                              population, entropy); per generation its tolerance, runs,
                              acceptance rate and effective sample size; per session (each
                              call) version, commit, machine, runs executed, failed runs and
                              why it stopped
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
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from qantar.errors import QantarInputError
from qantar.storage.experiment import claim_folder
from qantar.storage.series import _atomic_write, write_json

#: Spawn key of the generator that picks each run's particle in ``draw_particles``: beyond
#: any run's index, so apart from every run's seed (as ``sweep.DESIGN_KEY``).
DRAW_KEY = 2**31 + 1


class PosteriorStore:
    """The folder of one calibration (see the module's docstring). It only reads and
    writes; ``experiments.abc_smc`` makes the records and the table."""

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
        claim_folder(store.manifest, {"settings": settings, "sessions": []}, lambda old: old.get("settings") == settings,
                     "calibration", "settings")
        return store

    def record(self) -> dict:
        return json.loads(self.manifest.read_text())

    def write(self, generations: list[dict], session: dict, posterior: pa.Table | None) -> dict:
        """Keep a session's end: the generations so far, the session appended to the
        record's ``sessions``, and the posterior (the last complete generation's) if any."""
        old = self.record()
        record = old | {"generations": generations,
                        "total_evaluations": int(sum(g["evaluations"] for g in generations)),
                        "runs_executed": int(old.get("runs_executed", 0) + session["runs_executed"]),
                        "seconds_total": round(old.get("seconds_total", 0.0) + session["seconds"], 2),
                        "sessions": old.get("sessions", []) + [session]}
        if posterior is not None:
            _atomic_write(self.posterior, lambda tmp: pq.write_table(posterior, tmp))
        write_json(self.manifest, record)
        return record


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
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise QantarInputError("posterior.parquet: its weights are not finite, non-negative and summing to more "
                               "than 0; calibrate again")
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(DRAW_KEY,)))
    return [int(k) for k in rng.choice(len(weights), size=runs, p=weights / weights.sum())]
