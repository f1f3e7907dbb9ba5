"""Two ensembles side by side: for each measure, both medians and the difference of medians
with a bootstrap 90% interval, from a seeded generator, so the interval is reproducible.

When the two ensembles ran the same seeds (the same entropy and run numbers, as a
counterfactual against its base does), run k of one and run k of the other share their
random streams, and differ only where the change acts: the runs are resampled in pairs, so
the interval holds the intervention's effect and not the spread between runs (common random
numbers). Otherwise each ensemble is resampled on its own.

Example:
    >>> d = median_difference([1.0, 2.0, 3.0], [11.0, 12.0, 13.0], resamples=200, seed=0)
    >>> d["difference"], d["low"] <= 10.0 <= d["high"]
    (10.0, True)
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: What ``qantar compare`` reports, from each run's measures (``analysis.scenario_measures``).
COMPARED = ("peak_participants", "peak_day", "detained", "civilians_killed", "security_killed", "killed", "defected")


def median_difference(a, b, resamples: int = 2000, seed: int = 0, paired: bool = False) -> dict:
    """Median of b minus median of a, with the 5th and 95th percentiles of that difference
    over bootstrap resamples: of each on its own, or, ``paired``, of the pairs (a[k], b[k])
    together (a and b then the same length, run k of each from the same seed).

    Example:
        >>> same_runs = median_difference([1.0, 5.0, 9.0], [1.0, 5.0, 9.0], resamples=200, paired=True)
        >>> same_runs["low"], same_runs["high"]      # the same runs: no difference in any resample
        (0.0, 0.0)
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    rng = np.random.default_rng(seed)
    if paired:
        if len(a) != len(b):
            raise ValueError(f"paired ensembles need as many runs each, not {len(a)} and {len(b)}")
        picks = rng.integers(0, len(a), (resamples, len(a)))
        boot = np.median(b[picks], axis=1) - np.median(a[picks], axis=1)
    else:
        boot = np.median(rng.choice(b, (resamples, len(b))), axis=1) - np.median(rng.choice(a, (resamples, len(a))), axis=1)
    return {"a": float(np.median(a)), "b": float(np.median(b)), "difference": float(np.median(b) - np.median(a)),
            "low": float(np.percentile(boot, 5)), "high": float(np.percentile(boot, 95))}


def same_seeds(a: dict, b: dict) -> bool:
    """Whether ensembles a and b (``runs.json`` records) ran the same seeds: the same entropy
    and the same run numbers, so that their runs pair up."""
    runs = [[m.get("run") for m in r["measures"]] for r in (a, b)]
    if a.get("entropy") is None or a.get("entropy") != b.get("entropy") or None in runs[0] + runs[1]:
        return False  # other seeds, or runs that do not say which they are
    return sorted(runs[0]) == sorted(runs[1])


def measure_values(record: dict, name: str) -> list[float]:
    """One measure over an ensemble's runs (``runs.json``); ``peak_day`` is days from the start."""
    if name == "peak_day":
        start = dt.datetime.fromisoformat(record["scenario"]["start"])
        return [(dt.datetime.fromisoformat(m["peak_time"]) - start).total_seconds() / 86400 for m in record["measures"]]
    return [float(m.get(name, 0.0)) for m in record["measures"]]


def compare_records(a: dict, b: dict, resamples: int = 2000, seed: int = 0) -> list[dict]:
    """Every ``COMPARED`` measure of ensembles a and b, their runs paired when they ran the
    same seeds (``same_seeds``; each row says ``paired``)."""
    paired = same_seeds(a, b)
    if paired:  # run k beside run k
        a, b = ({**r, "measures": sorted(r["measures"], key=lambda m: m["run"])} for r in (a, b))
    return [{"measure": name, "paired": paired,
             **median_difference(measure_values(a, name), measure_values(b, name), resamples, seed, paired)}
            for name in COMPARED]


def difference_rows(rows: list[dict]) -> list[dict]:
    """``compare_records``' rows as text for a table: people as whole numbers (a median of an
    even number of runs may fall on a half), the peak day in days to one decimal.

    Example:
        >>> difference_rows([{"measure": "killed", "a": 10.5, "b": 12.0, "difference": 1.5, "low": -2.0,
        ...                   "high": 4.5}])[0]["B - A"]
        '+2'
    """
    def text(name: str, x: float, sign: str = "") -> str:
        return f"{x:{sign},.1f}" if name == "peak_day" else f"{round(x):{sign},}"

    return [{"measure": r["measure"], "A (median)": text(r["measure"], r["a"]), "B (median)": text(r["measure"], r["b"]),
             "B - A": text(r["measure"], r["difference"], "+"),
             "90% interval": f"{text(r['measure'], r['low'], '+')} to {text(r['measure'], r['high'], '+')}"}
            for r in rows]
