"""What the map and series pages show of an ensemble folder (``qantar.api.run_ensemble``'s):
per region and step, the median over runs of participants, detained, killed and police,
and whether a curfew holds; national median and 90% spread; the targets as judged in its
``runs.json``.

Read from the folder's ``series.parquet`` (people; police in officers): participants are
``active``, killed ``civilians_killed`` + ``security_killed``, police ``cops``.

Example:
    >>> import numpy as np
    >>> spread_of(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))["median"].tolist()
    [3.0, 4.0]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qantar.scenario.schema import Scenario

#: The region columns shown at each step, in the hover and the table.
REGION_COLUMNS = ("participants", "detained", "killed", "police")
#: The national series drawn beside the map.
NATIONAL = ("participants", "detained", "killed")
#: Where each shown column comes from in series.parquet.
SOURCES = {"participants": ("active",), "detained": ("detained",), "killed": ("civilians_killed", "security_killed"),
           "police": ("cops",)}


def spread_of(values: np.ndarray) -> dict[str, np.ndarray]:
    """Median and 5th / 95th percentiles over the first axis (runs)."""
    return {"median": np.median(values, axis=0), "p05": np.percentile(values, 5, axis=0),
            "p95": np.percentile(values, 95, axis=0)}


@dataclass
class EnsembleSummary:
    """An ensemble as the pages show it."""

    folder: Path
    scenario: Scenario
    record: dict
    runs: int
    times: list[dt.datetime]
    regions: list[str]
    population: np.ndarray
    columns: dict[str, np.ndarray]  # REGION_COLUMNS: medians, (regions, steps + 1)
    curfew: np.ndarray  # (regions, steps + 1): in force in at least half the runs
    national: dict[str, dict[str, np.ndarray]]  # NATIONAL: spread_of the national totals

    @property
    def steps(self) -> int:
        """The last step (rows are 0..steps)."""
        return len(self.times) - 1

    @property
    def targets(self) -> list[dict]:
        """The targets' verdicts (``judge_target``), as ``qantar run`` prints them."""
        return self.record.get("targets", [])

    def at(self, step: int) -> list[dict]:
        """Each region's values at ``step``: name, population, REGION_COLUMNS, curfew."""
        return [{"region": name, "population": int(self.population[r]),
                 **{c: float(self.columns[c][r, step]) for c in REGION_COLUMNS},
                 "curfew": bool(self.curfew[r, step])} for r, name in enumerate(self.regions)]


def summarize_folder(folder) -> EnsembleSummary:
    """The summary of the ensemble in ``folder`` (its series.parquet and runs.json)."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    record = json.loads((folder / "runs.json").read_text())
    scenario = Scenario.model_validate(record["scenario"])
    frame = pq.read_table(folder / "series.parquet").to_pandas()
    frame["region"] = frame["region"].astype(str)
    regions = [r.name for r in scenario.regions]
    runs = sorted(frame["run"].unique())
    steps = int(frame["step"].max()) + 1
    frame = frame[frame["region"] != "national"].sort_values(["run", "region", "step"])
    order = {name: k for k, name in enumerate(regions)}

    def cube(column: str) -> np.ndarray:  # (runs, regions, steps)
        out = np.zeros((len(runs), len(regions), steps))
        run_index = {r: k for k, r in enumerate(runs)}
        out[frame["run"].map(run_index).to_numpy(), frame["region"].map(order).to_numpy(),
            frame["step"].to_numpy()] = frame[column].to_numpy(float)
        return out

    stacked = {c: sum(cube(s) for s in SOURCES[c]) for c in REGION_COLUMNS}
    times = sorted(frame["time"].unique())
    return EnsembleSummary(
        folder=folder, scenario=scenario, record=record, runs=len(runs),
        times=[_timestamp(t) for t in times],
        regions=regions, population=np.array([reg.population for reg in scenario.regions], float),
        columns={c: np.median(v, axis=0) for c, v in stacked.items()},
        curfew=np.mean(cube("curfew"), axis=0) >= 0.5,
        national={c: spread_of(stacked[c].sum(axis=1)) for c in NATIONAL})


def _timestamp(value) -> dt.datetime:
    """A time of series.parquet as a datetime."""
    import pandas as pd

    return pd.Timestamp(value).to_pydatetime()
