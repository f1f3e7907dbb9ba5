"""An experiment on disk: one folder, written run by run so that nothing finished is lost.

Layout::

    FOLDER/manifest.json          what the experiment is (its spec), and who made it when
    FOLDER/runs/run-000042.json   run 42's summary row: its point, seed, status, timing, measures
    FOLDER/runs/run-000042.parquet  run 42's series (absent for a failed run)
    FOLDER/summary.parquet        every run's row, compiled from runs/*.json

A run's JSON is written last and atomically, so a run counts as finished exactly when its
JSON exists with ``status`` "done"; a run cut off while writing is run again on resume. A
folder holds one experiment: opening it with another spec is refused, so two experiments
never overwrite each other.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "exp"
    >>> store = ExperimentStore.open(folder, {"spec": {"seeds": 2}})
    >>> store.write_run(0, {"status": "done", "peak": 3.0})
    >>> sorted(store.finished()), store.rows()[0]["peak"]
    ([0], 3.0)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from qantar.errors import QantarInputError
from qantar.storage.series import _atomic_write, write_json


class ExperimentStore:
    """The folder of one experiment (see the module's docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"

    @classmethod
    def open(cls, folder, manifest: dict) -> "ExperimentStore":
        """A new experiment in ``folder``, or the same one again (to resume it). The
        manifest's ``spec`` decides what is the same (all of it but its ``name``, so a
        renamed folder resumes); another spec in an existing folder is refused, with the
        way out."""
        store = cls(Path(folder))
        spec = _what(json.loads(json.dumps(manifest.get("spec"), default=str)))
        if not claim_folder(store.folder / "manifest.json", manifest, lambda old: _what(old.get("spec")) == spec,
                            "experiment", "spec"):
            store.runs.mkdir(parents=True, exist_ok=True)
        return store

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text())

    def update_manifest(self, **fields) -> None:
        """Add or replace top-level fields of the manifest (timings, machine)."""
        write_json(self.folder / "manifest.json", self.manifest | fields)

    def run_path(self, run: int, suffix: str) -> Path:
        return self.runs / f"run-{run:06d}.{suffix}"

    def write_run(self, run: int, row: dict, series: pa.Table | None = None) -> None:
        """Keep one run: its series first, then its row (which marks it finished)."""
        if series is not None:
            _atomic_write(self.run_path(run, "parquet"), lambda p: pq.write_table(series, p))
        write_json(self.run_path(run, "json"), {"run": run, **row})

    def rows(self) -> list[dict]:
        """Every run's row, in run order."""
        return [json.loads(p.read_text()) for p in sorted(self.runs.glob("run-*.json"))]

    def finished(self) -> set[int]:
        """The runs done (failed runs are not: a resume runs them again)."""
        return {r["run"] for r in self.rows() if r.get("status") == "done"}

    def write_summary(self) -> Path:
        """``summary.parquet``: one row per run (failed ones too, with their error), nested
        values flattened to ``a.b`` columns."""
        flat = [_flatten(r) for r in self.rows()]
        columns = sorted({k for r in flat for k in r} | {"run"}, key=lambda k: (k != "run", k))
        table = pa.table({c: _column([r.get(c) for r in flat]) for c in columns})
        path = self.folder / "summary.parquet"
        _atomic_write(path, lambda p: pq.write_table(table, p))
        return path


def claim_folder(marker: Path, record: dict, same: Callable[[dict], bool], kind: str, what: str) -> bool:
    """Open the folder of ``marker`` (its JSON record) for one piece of work: True when it
    already holds the same one (``same(existing record)``: resume it); a new or empty
    folder gets the record (False). A folder holding other work, or other files, is
    refused with the way out, so one never overwrites another."""
    folder = marker.parent
    if marker.exists():
        if not same(json.loads(marker.read_text())):
            raise QantarInputError(f"{folder}: holds another {kind} (its {marker.name} has another {what}); "
                                   "give a new --out folder, or the same settings to continue it")
        return True
    if folder.exists() and any(folder.iterdir()):
        from qantar.storage.folders import COMMANDS, describe_kind, folder_kind

        held = folder_kind(folder)
        if held != "other":
            raise QantarInputError(f"{folder}: holds {describe_kind(held)} ({COMMANDS[held]}), not "
                                   f"{describe_kind(kind)}; give a new --out folder")
        raise QantarInputError(f"{folder}: exists and is not a{'n' if kind[0] in 'aeiou' else ''} {kind} folder; "
                               "give a new --out folder")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(marker, record)
    return False


def _what(spec: dict | None) -> dict | None:
    """A spec without its name: what makes two experiments the same."""
    return None if spec is None else {k: v for k, v in spec.items() if k != "name"}


def _column(values: list) -> pa.Array:
    """One summary column: its natural type, or JSON text where the runs' values do not
    share one (a grid mixing numbers and words); an empty column of runs is int64."""
    if not values:
        return pa.array([], pa.int64())
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else json.dumps(v) for v in values], pa.string())


def _flatten(row: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` as ``{"a.b": 1}``; lists and other values as they are, lists of
    mixed or nested values as JSON text."""
    out: dict = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, f"{name}.")
        elif isinstance(value, list | tuple):
            out[name] = json.dumps(value, default=str)
        else:
            out[name] = value
    return out
