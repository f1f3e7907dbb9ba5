"""A scenario ensemble's folder, written run by run so that an interrupted ensemble resumes.

Layout::

    FOLDER/ensemble.json          what the ensemble is: the call that made it and the scenario
                                  as loaded (its fingerprint: another call is refused)
    FOLDER/runs/run-000003.npz    run 3's arrays (counts in agents, controls), written
                                  atomically as it finishes
    FOLDER/series.parquet, runs.json, report.md, figures/   compiled from the runs at the end
                                  of each call (``storage.scenario``, ``report.scenario``)

A run counts as finished exactly when its ``.npz`` exists; running the same call again runs
only the others.

Example:
    >>> import tempfile, pathlib, numpy as np
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "ens"
    >>> store = EnsembleStore.open(folder, {"seeds": 2})
    >>> store.write_run(1, {"counts": np.zeros((1, 3, 7), np.int64)}, ["A"])
    >>> sorted(store.finished()), store.read_run(1)[1]
    ([1], ['A'])
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np

from qantar.errors import QantarInputError
from qantar.storage.experiment import claim_folder
from qantar.storage.series import _atomic_write

MARKER = "ensemble.json"
#: What a call writes at its end, removed with the runs by ``--overwrite``.
COMPILED = ("series.parquet", "runs.json", "report.md", "figures")


class EnsembleStore:
    """The folder of one ensemble (see the module's docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"

    @classmethod
    def open(cls, folder, spec: dict, overwrite: bool = False, **about) -> "EnsembleStore":
        """A new ensemble of ``spec`` in ``folder``, or the same one again (to resume it); a
        folder holding another ensemble is refused unless ``overwrite`` (which empties it).
        ``about``: more fields of a new ``ensemble.json`` (the call, the command), which do
        not decide what resumes."""
        store = cls(Path(folder))
        spec = json.loads(json.dumps(spec, default=str))
        marker = store.folder / MARKER
        if overwrite and (marker.is_file() or (store.folder / "runs.json").is_file()):
            store.clear()
        elif not marker.is_file() and (store.folder / "runs.json").is_file():
            raise QantarInputError(f"{store.folder}: holds an ensemble written before ensembles could resume; "
                                   "pass --overwrite or give another --out folder")
        claim_folder(marker, {"spec": spec, **json.loads(json.dumps(about, default=str))}, lambda old: old.get("spec") == spec, "ensemble",
                     "scenario, seeds or settings")
        store.runs.mkdir(parents=True, exist_ok=True)
        return store

    @classmethod
    def unfinished(cls, root, name: str, spec: dict) -> Path | None:
        """The newest folder ``root/<time>-<name>`` holding an interrupted ensemble of
        ``spec``, if any: where a call without a folder of its own resumes, so that the same
        command finishes what a Ctrl-C stopped instead of starting again in a new folder."""
        spec = json.loads(json.dumps(spec, default=str))
        markers = sorted(Path(root).glob(f"*-{name}/{MARKER}"), key=lambda m: m.stat().st_mtime, reverse=True)
        for marker in markers:
            store = cls(marker.parent)
            try:
                same = store.record.get("spec") == spec
            except (OSError, ValueError):
                continue
            if same and len(store.finished()) < spec["seeds"]:
                return store.folder
        return None

    @staticmethod
    def new_folder(root, name: str) -> Path:
        """``root/<time>-<name>``, with ``-2``, ``-3``... after the time if two calls start in
        the same second (a script's loop), so that neither is refused as another's folder."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder, k = Path(root) / f"{stamp}-{name}", 1
        while folder.exists():
            k += 1
            folder = Path(root) / f"{stamp}-{k}-{name}"
        return folder

    @property
    def record(self) -> dict:
        """``ensemble.json``: the spec, and the call that made the ensemble."""
        return json.loads((self.folder / MARKER).read_text())

    def clear(self) -> None:
        """Remove the ensemble's files (for ``--overwrite``); other files stay."""
        for name in (MARKER, *COMPILED):
            path = self.folder / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        if self.runs.is_dir():
            shutil.rmtree(self.runs)

    def run_path(self, run: int) -> Path:
        return self.runs / f"run-{run:06d}.npz"

    def write_run(self, run: int, arrays: dict[str, np.ndarray], regions: list[str]) -> None:
        """Keep run ``run``: its arrays and region names, atomically."""
        def write(path):
            with open(path, "wb") as f:
                np.savez(f, regions=np.array(regions), **arrays)
        _atomic_write(self.run_path(run), write)

    def read_run(self, run: int) -> tuple[dict[str, np.ndarray], list[str]]:
        """Run ``run``'s arrays and region names."""
        with np.load(self.run_path(run)) as data:
            arrays = {k: data[k] for k in data.files if k != "regions"}
            return arrays, [str(r) for r in data["regions"]]

    def finished(self) -> set[int]:
        """The runs kept so far."""
        return {int(p.stem.removeprefix("run-")) for p in self.runs.glob("run-*.npz")}
