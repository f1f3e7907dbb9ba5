"""SQL over an experiment folder (``experiments.sweep``), with DuckDB.

Two views: ``summary`` (``summary.parquet``: one row per run, nested measures as
``"measures.peak_active"`` columns) and ``series`` (every run's ``runs/*.parquet``, with a
``run`` column). ``query`` returns an Arrow table, ``query_frame`` a pandas DataFrame
(pandas comes with SALib, a dependency).

Example:
    >>> import tempfile, pathlib
    >>> from qantar.experiments.sweep import SweepSpec, run_sweep
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "l"
    >>> spec = SweepSpec(name="l", steps=10, base={"width": 20, "height": 20}, grid={"legitimacy": [0.6, 0.9]})
    >>> _ = run_sweep(spec, folder, workers=1)
    >>> query(folder, 'SELECT "point.legitimacy" AS L, status FROM summary ORDER BY run').to_pylist()
    [{'L': 0.6, 'status': 'done'}, {'L': 0.9, 'status': 'done'}]
    >>> query_frame(folder, 'SELECT count(*) AS n FROM series GROUP BY run ORDER BY run')["n"].tolist()
    [11, 11]
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from qantar.errors import QantarInputError


def query(folder, sql: str) -> pa.Table:
    """The result of ``sql`` over the experiment in ``folder`` (views ``summary``, ``series``)."""
    import duckdb

    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise QantarInputError(f"{folder}: not an experiment folder (no manifest.json); give a folder written by "
                               "qantar sweep")
    con = duckdb.connect()

    def quoted(path: Path) -> str:
        return "'" + str(path).replace("'", "''") + "'"

    try:
        if (folder / "summary.parquet").is_file():
            con.execute(f"CREATE VIEW summary AS SELECT * FROM read_parquet({quoted(folder / 'summary.parquet')})")
        if any((folder / "runs").glob("run-*.parquet")):
            con.execute("CREATE VIEW series AS SELECT * FROM read_parquet("
                        f"{quoted(folder / 'runs' / 'run-*.parquet')}, union_by_name = true)")
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise QantarInputError(f"query: {exc}".splitlines()[0] + " (views: summary, series)") from None


def query_frame(folder, sql: str):
    """``query``'s result as a pandas DataFrame."""
    return query(folder, sql).to_pandas()
