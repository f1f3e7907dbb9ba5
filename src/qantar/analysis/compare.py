"""Two ensembles side by side: for each measure, both medians and the difference of medians
with a bootstrap 90% interval (runs resampled with replacement within each ensemble, from a
seeded generator, so the interval is reproducible).

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


def median_difference(a, b, resamples: int = 2000, seed: int = 0) -> dict:
    """Median of b minus median of a, with the 5th and 95th percentiles of that difference
    over bootstrap resamples of each."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    rng = np.random.default_rng(seed)
    boot = np.median(rng.choice(b, (resamples, len(b))), axis=1) - np.median(rng.choice(a, (resamples, len(a))), axis=1)
    return {"a": float(np.median(a)), "b": float(np.median(b)), "difference": float(np.median(b) - np.median(a)),
            "low": float(np.percentile(boot, 5)), "high": float(np.percentile(boot, 95))}


def measure_values(record: dict, name: str) -> list[float]:
    """One measure over an ensemble's runs (``runs.json``); ``peak_day`` is days from the start."""
    if name == "peak_day":
        start = dt.datetime.fromisoformat(record["scenario"]["start"])
        return [(dt.datetime.fromisoformat(m["peak_time"]) - start).total_seconds() / 86400 for m in record["measures"]]
    return [float(m.get(name, 0.0)) for m in record["measures"]]


def compare_records(a: dict, b: dict, resamples: int = 2000, seed: int = 0) -> list[dict]:
    """Every ``COMPARED`` measure of ensembles a and b."""
    return [{"measure": name, **median_difference(measure_values(a, name), measure_values(b, name), resamples, seed)}
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
