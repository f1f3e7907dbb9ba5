"""One run's results on disk: ``series.parquet`` (one row per step), optional ``series.csv``,
and ``run.json`` (what made it and its summary), each written atomically.

Every file carries its provenance: qantar's version, the git commit when run from qantar's
own checkout (``-dirty`` when it has uncommitted changes), parameters, the full rule set, the seed and the steps done. A folder that already
holds results is never overwritten unless the caller says so.

Example:
    >>> import tempfile, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> meta = {"seed": 1}
    >>> paths = write_run(d, np.array([[10, 0, 0], [9, 1, 0]]), meta, summary={})
    >>> table, read_meta = read_series(paths["parquet"])
    >>> table.column_names, read_meta["seed"]
    (['step', 'quiet', 'active', 'jailed'], 1)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from qantar.engine.world import DETAIL_COLUMNS
from qantar.errors import QantarInputError

#: A Model I run's count columns: the engine's citizens quiet, active, jailed.
COLUMNS = DETAIL_COLUMNS[:3]
META_KEY = b"qantar"


class ResultsExistError(QantarInputError):
    """The output folder already holds results; the message says how to proceed."""


def git_commit() -> str | None:
    """The commit of qantar's own checkout that qantar runs from, with ``-dirty`` appended
    when tracked files differ from it; None when qantar is not run from its own checkout
    (installed, or inside another project's repository, whose commit says nothing about
    qantar's code: the version, recorded beside it, does).

    The checkout is qantar's when git's top level holds a ``pyproject.toml`` naming the
    project ``qantar`` and this package lies inside that top level."""
    return _own_commit(Path(__file__).resolve().parent)


def _git(folder: Path, *args: str) -> str | None:
    """``git args`` run in ``folder``: its output, or None if git fails or is missing."""
    try:
        out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _own_commit(package: Path) -> str | None:
    import tomllib

    top = _git(package, "rev-parse", "--show-toplevel")
    if top is None or not package.is_relative_to(Path(top).resolve()):
        return None
    try:
        name = tomllib.loads((Path(top) / "pyproject.toml").read_text())["project"]["name"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return None
    commit = _git(package, "rev-parse", "HEAD")
    if name != "qantar" or commit is None:
        return None
    dirty = _git(package, "status", "--porcelain", "--untracked-files=no")
    return commit + ("-dirty" if dirty else "")


def provenance(params, rules, seed, steps: int, **extra) -> dict:
    """What made a run: enough to rerun it exactly.

    Example:
        >>> from qantar import Params, rule_set
        >>> provenance(Params(), rule_set("mesa"), 3, 10)["rules"]["turn_order"]
        'act_then_move'
    """
    from qantar import __version__

    return {
        "qantar_version": __version__,
        "git_commit": git_commit(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "params": params.model_dump(),
        "rules": rules.model_dump(),
        "seed": seed,
        "steps": steps,
        **extra,
    }


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same folder, then rename: never a half file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def series_table(counts: np.ndarray, metadata: dict, extra: dict[str, np.ndarray] | None = None,
                 names: tuple[str, ...] = COLUMNS) -> pa.Table:
    """Counts (steps x ``names``, Model I's quiet, active, jailed by default; row 0 = initial
    state) as an Arrow table, then any ``extra`` per-step columns (e.g. legitimacy, cops)."""
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, len(names))
    columns = {"step": np.arange(len(counts), dtype=np.int64)} | {c: counts[:, k] for k, c in enumerate(names)}
    for name, values in (extra or {}).items():
        if len(values) != len(counts):
            raise ValueError(f"column {name!r} has {len(values)} values for {len(counts)} steps")
        columns[name] = np.asarray(values)
    table = pa.table(columns)
    return table.replace_schema_metadata({META_KEY: json.dumps(metadata).encode()})


def check_free(out_dir: str | os.PathLike, overwrite: bool, marker: str = "run.json", kind: str = "run") -> Path:
    """The output folder of ``kind`` (``storage.folders``), created if needed; refuses one
    holding another kind of results, or results of this kind (its ``marker`` file) unless
    ``overwrite``."""
    from qantar.storage.folders import claim_kind

    out = claim_kind(out_dir, kind)
    if (out / marker).exists() and not overwrite:
        raise ResultsExistError(
            f"--out: {out} already holds results ({marker}); choose another folder or pass --overwrite"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_run(out_dir, counts, metadata: dict, summary: dict, csv: bool = False, overwrite: bool = True,
              extra: dict[str, np.ndarray] | None = None, names: tuple[str, ...] = COLUMNS) -> dict:
    """Write series.parquet (+ series.csv) and run.json into ``out_dir``; return their paths."""
    out = check_free(out_dir, overwrite)
    table = series_table(counts, metadata, extra, names)
    paths = {"parquet": out / "series.parquet", "json": out / "run.json"}
    _atomic_write(paths["parquet"], lambda p: pq.write_table(table, p))
    if csv:
        paths["csv"] = out / "series.csv"
        _atomic_write(paths["csv"], lambda p: pacsv.write_csv(table, p))
    write_json(paths["json"], metadata | {"summary": summary})
    return paths


def write_json(path, record: dict) -> None:
    """Write ``record`` as indented JSON, atomically."""
    path = Path(path)
    _atomic_write(path, lambda p: Path(p).write_text(json.dumps(record, indent=2, default=str)))


def read_series(path) -> tuple[pa.Table, dict]:
    """A series table and its provenance."""
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
    return table, meta
