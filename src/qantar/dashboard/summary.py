"""What the map and series pages show of an ensemble: per region and step, the median over
runs of participants, detained, killed and police, and whether a curfew holds; national
median and 90% spread; the targets judged as ``qantar run`` judges them.

Participants are active citizens in people, detained the arrests so far, killed civilians
and security killed so far (rule Casualties' people per killing), police the cops on the
streets in officers: ``ScenarioRun.people`` and ``cops`` times the scale, as in
``series.parquet``.

Example:
    >>> import numpy as np
    >>> spread_of(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))["median"].tolist()
    [3.0, 4.0]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from qantar.analysis.scenario_measures import judge_target, measure_run

#: The region columns shown at each step, in the hover and the table.
REGION_COLUMNS = ("participants", "detained", "killed", "police")
#: The national series drawn beside the map.
NATIONAL = ("participants", "detained", "killed")


def per_run(run) -> dict[str, np.ndarray]:
    """One run's region columns, each (regions, steps + 1), in people."""
    return {"participants": run.people("active"), "detained": run.people("detained"),
            "killed": run.people("civilians_killed") + run.people("security_killed"),
            "police": run.cops * run.scenario.scale}


def spread_of(values: np.ndarray) -> dict[str, np.ndarray]:
    """Median and 5th / 95th percentiles over the first axis (runs)."""
    return {"median": np.median(values, axis=0), "p05": np.percentile(values, 5, axis=0),
            "p95": np.percentile(values, 95, axis=0)}


@dataclass
class EnsembleSummary:
    """An ensemble as the pages show it."""

    scenario: object
    runs: int
    times: list[dt.datetime]
    regions: list[str]
    population: np.ndarray
    columns: dict[str, np.ndarray]  # REGION_COLUMNS: medians, (regions, steps + 1)
    curfew: np.ndarray  # (regions, steps + 1): in force in at least half the runs
    national: dict[str, dict[str, np.ndarray]]  # NATIONAL: spread_of the national totals
    measures: list[dict]
    targets: list[dict]

    @property
    def steps(self) -> int:
        """The last step (rows are 0..steps)."""
        return len(self.times) - 1

    def at(self, step: int) -> list[dict]:
        """Each region's values at ``step``: name, population, REGION_COLUMNS, curfew."""
        return [{"region": name, "population": int(self.population[r]),
                 **{c: float(self.columns[c][r, step]) for c in REGION_COLUMNS},
                 "curfew": bool(self.curfew[r, step])} for r, name in enumerate(self.regions)]


def summarize_ensemble(runs: list) -> EnsembleSummary:
    """The summary of an ensemble's runs (``run_ensemble``'s)."""
    scenario = runs[0].scenario
    columns = [per_run(r) for r in runs]
    stacked = {c: np.stack([col[c] for col in columns]) for c in REGION_COLUMNS}
    measures = [measure_run(r) for r in runs]
    return EnsembleSummary(
        scenario=scenario, runs=len(runs), times=list(runs[0].times),
        regions=list(runs[0].regions), population=np.array([reg.population for reg in scenario.regions], float),
        columns={c: np.median(v, axis=0) for c, v in stacked.items()},
        curfew=np.mean(np.stack([r.curfew for r in runs]), axis=0) >= 0.5,
        national={c: spread_of(stacked[c].sum(axis=1)) for c in NATIONAL},
        measures=measures, targets=[judge_target(t, measures) for t in scenario.targets])
