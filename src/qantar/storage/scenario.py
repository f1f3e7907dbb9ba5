"""A scenario ensemble on disk: ``series.parquet`` (one row per run, region and step, in
people, national totals as region ``national``) and ``runs.json`` (what made it: the
validated scenario, seeds, rule set, version; each run's measures; the targets' verdicts).
Both are written atomically; an existing folder is never overwritten unless asked.

Example:
    >>> import numpy as np
    >>> t = series_frame_columns()
    >>> t[:4]
    ('run', 'step', 'time', 'region')
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from qantar.engine.world import PEOPLE_COLUMNS
from qantar.storage.series import META_KEY, _atomic_write, write_json

#: Count columns, in people: the engine's own tuple of names (citizens quiet, active,
#: jailed; then cumulative detained, civilians killed, security killed, police defected),
#: the columns of a run's counts, so the store names each by the engine's name, not by place.
PEOPLE = PEOPLE_COLUMNS


def series_frame_columns() -> tuple[str, ...]:
    """The columns of a scenario's ``series.parquet``."""
    return ("run", "step", "time", "region", *PEOPLE, "cops", "foreign_troops", "legitimacy", "mean_grievance",
            "arrest_constant", "curfew")


def run_table(k: int, run) -> pa.Table:
    """One run as rows: each region and the national totals, each step; counts in people
    (``ScenarioRun.people``: agents times the scale, the dead counted person by person),
    whole numbers, as are cops in officers."""
    scale = run.scenario.scale
    steps = run.counts.shape[1]
    regions = run.regions + ["national"]
    people = np.stack([run.people(c) for c in PEOPLE], axis=-1)
    counts = np.rint(np.concatenate([people, people.sum(axis=0, keepdims=True)])).astype(np.int64)
    cops = np.rint(np.concatenate([run.cops, run.cops.sum(axis=0, keepdims=True)]) * scale).astype(np.int64)
    n = len(regions)
    nat_weights = np.array([reg.population for reg in run.scenario.regions], float)

    def with_national(values: np.ndarray) -> np.ndarray:  # population-weighted national mean
        return np.concatenate([values, (nat_weights @ values / nat_weights.sum())[None, :]])

    columns = {
        "run": np.full(n * steps, k, np.int32),
        "step": np.tile(np.arange(steps, dtype=np.int32), n),
        "time": pa.array(np.tile(np.array(run.times, dtype="datetime64[s]"), n)),
        "region": pa.array(np.repeat(regions, steps)).dictionary_encode(),
        **{name: counts[:, :, c].ravel() for c, name in enumerate(PEOPLE)},
        "cops": cops.ravel(),
        "foreign_troops": np.concatenate([run.troops, run.troops.sum(axis=0, keepdims=True)]).ravel(),
        "legitimacy": with_national(run.legitimacy).ravel(),
        "mean_grievance": with_national(run.grievance).ravel(),
        "arrest_constant": with_national(run.arrest_constant).ravel(),
        "curfew": np.concatenate([run.curfew, run.curfew.any(axis=0, keepdims=True)]).ravel(),
    }
    return pa.table(columns)


def write_ensemble(out, runs: list, record: dict) -> dict:
    """Write the runs' series and the record (provenance, measures, verdicts) into ``out``."""
    tables = [run_table(run.index, run) for run in runs]
    table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    table = table.replace_schema_metadata({META_KEY: json.dumps({k: v for k, v in record.items()
                                                                 if k != "measures"}, default=str).encode()})
    paths = {"parquet": out / "series.parquet", "json": out / "runs.json"}
    _atomic_write(paths["parquet"], lambda p: pq.write_table(table, p))
    write_json(paths["json"], record)
    return paths
