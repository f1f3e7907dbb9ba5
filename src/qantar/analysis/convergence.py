"""Does a result in people depend on the people per agent? The judge of a convergence study
(``validation/convergence.py``): each target's ensemble value (``scenario_measures.central``)
at a scale against the same at the finest scale run.

Agreement, one rule per kind of value (issue 12.2): numbers within ``RELATIVE`` (10%) of the
finest, relative to the finest's size or, below it, to the floor of the target distance (one
person, 1% for a share); days within ``DAYS`` (one) of it; a region's name the same; a first
region the same name, its day within a day. "Never" agrees only with never.

Example:
    >>> agrees("killed", 105.0, 100.0), agrees("killed", 111.0, 100.0)
    (True, False)
    >>> agrees("calm_date", "2022-01-09", "2022-01-10"), agrees("calm_date", None, "2022-01-10")
    (True, False)
    >>> agrees("first_region", ["Zhanaozen", "2022-01-02"], ["Zhanaozen", "2022-01-01"])
    True
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from qantar.analysis.scenario_measures import FLOOR, PEOPLE_FLOOR
from qantar.scenario.schema import DATE_METRICS

#: Numbers agree within this share of the finest run's value.
RELATIVE = 0.10
#: Days agree within this many days.
DAYS = 1


def _days_apart(a: str, b: str) -> int:
    return abs(dt.date.fromisoformat(a[:10]).toordinal() - dt.date.fromisoformat(b[:10]).toordinal())


def agrees(metric: str, value, finest) -> bool:
    """Whether ``value`` (a central value of a target of ``metric``) agrees with the finest
    scale's ``finest`` (the rules of the module's docstring)."""
    if value is None or finest is None:
        return value is None and finest is None
    if metric in DATE_METRICS:
        return _days_apart(value, finest) <= DAYS
    if metric == "first_region":
        if value[0] != finest[0]:
            return False
        return (value[1] is None) == (finest[1] is None) and (value[1] is None or _days_apart(value[1], finest[1])
                                                               <= DAYS)
    if isinstance(finest, str):
        return value == finest
    floor = FLOOR.get(metric, PEOPLE_FLOOR)
    return abs(value - finest) <= RELATIVE * max(abs(finest), floor)


def relative_gap(metric: str, value, finest) -> str:
    """How far ``value`` is from ``finest``, in words for a table: a signed share for
    numbers, days for dates, "same"/"differs" for names."""
    if value is None or finest is None:
        return "same" if value is finest else "differs"
    if metric in DATE_METRICS:
        return f"{_days_apart(value, finest)} d"
    if metric == "first_region":
        return "same" if agrees(metric, value, finest) else "differs"
    if isinstance(finest, str):
        return "same" if value == finest else "differs"
    base = max(abs(finest), FLOOR.get(metric, PEOPLE_FLOOR))
    return f"{(value - finest) / base:+.0%}"


def coarsest_agreeing(scales: list[float], agreement: dict[float, list[bool]]) -> float | None:
    """The coarsest scale (most people per agent) at which every measure agrees with the
    finest, and at every finer scale too (a scale that agrees only by chance, between
    finer ones that do not, is not taken). ``agreement[scale]``: one bool per measure.

    Example:
        >>> coarsest_agreeing([400, 200, 100, 1], {400: [False], 200: [True], 100: [True], 1: [True]})
        200
        >>> coarsest_agreeing([400, 200, 100, 1], {400: [True], 200: [False], 100: [True], 1: [True]})
        100
    """
    best = None
    for scale in sorted(scales):
        if not all(agreement[scale]):
            break
        best = scale
    return best


def gap_interval(metric: str, values: list[float], finest: list[float], seed: int = 0, draws: int = 2000,
                 level: float = 0.90) -> tuple[float, float]:
    """The bootstrap interval (``level``) of the gap between two scales' medians, as a
    share of the finest's (or of the floor below it): the runs of each scale resampled
    with replacement, ``draws`` times, from ``numpy.random.default_rng(seed)``. Why: with 10
    runs a scale, measures of a few dozen people (the dead) spread over a factor of three
    between runs, and their medians move by more than the 10% bar with no effect of the
    scale at all; an interval that holds 0 says the runs cannot tell the gap from noise.

    Example:
        >>> lo, hi = gap_interval("killed", [40.0, 60.0, 80.0] * 4, [45.0, 55.0, 70.0] * 4)
        >>> lo < 0 < hi
        True
    """
    a, b = np.asarray(values, float), np.asarray(finest, float)
    rng = np.random.default_rng(seed)
    ma = np.median(a[rng.integers(0, len(a), (draws, len(a)))], axis=1)
    mb = np.median(b[rng.integers(0, len(b), (draws, len(b)))], axis=1)
    base = max(abs(float(np.median(b))), FLOOR.get(metric, PEOPLE_FLOOR))
    tail = (1 - level) / 2
    lo, hi = np.quantile((ma - mb) / base, [tail, 1 - tail])
    return float(lo), float(hi)
