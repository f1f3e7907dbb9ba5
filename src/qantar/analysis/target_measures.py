"""One measure function per target metric: what one scenario run shows, in the terms of one
target (``schema.Target``), nationally or in its ``region``, on or by its dates.

Each function takes the target and a run (``ScenarioRun``, or anything with ``scenario``,
``regions``, ``times`` and ``people(column)``) and gives a plain value for JSON: people
(a number), an ISO time, a region's name, a share, or None (the run never got there).
``measure_target`` picks the function by the target's metric. Conventions, stated once:

- A row of the series is stamped at the end of its step (row 0: the start). A day ``on``
  holds the rows stamped from its 00:00 to before the next day's 00:00; ``hours`` = [a, b]
  narrows that to the rows stamped from a:00 to b:00 (both included; 24: the next 00:00).
- A count "by" day D is the cumulative count in the last row stamped at or before D's
  ``hour`` o'clock (default 24: the end of D, the next day's 00:00).
- A region joins when its participants first reach ``JOIN_SHARE`` of its people. The first
  region of a run is the one that joins earliest; at the same step, the one with the larger
  share of its people out, then the name that sorts first.
- The largest crowd on a day is the region whose most participants during that day are
  the most; an exact tie goes to the name that sorts first.

Example:
    >>> import datetime as dt
    >>> rows_of_day([dt.datetime(2022, 1, 1, h) for h in (0, 6, 12, 18)], dt.date(2022, 1, 1), (6, 12))
    [1, 2]
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from qantar.scenario.schema import Target

#: A region joins the protest when this share of its people is out (0.1%).
JOIN_SHARE = 0.001

#: The country is calm from the first step after the peak from which participants stay at or
#: below this share of the peak to the end of the run (10%).
CALM_SHARE = 0.1


def rows_of_day(times: list[dt.datetime], day: dt.date, hours: tuple[int, int] | None = None) -> list[int]:
    """The rows stamped during ``day`` (or within its ``hours``, both ends included)."""
    start = dt.datetime.combine(day, dt.time())
    if hours is None:
        return [i for i, t in enumerate(times) if start <= t < start + dt.timedelta(days=1)]
    lo, hi = (start + dt.timedelta(hours=h) for h in hours)
    return [i for i, t in enumerate(times) if lo <= t <= hi]


def row_by(times: list[dt.datetime], day: dt.date, hour: int | None = None) -> int:
    """The last row stamped at or before ``hour`` o'clock of ``day`` (default: its end);
    row 0 if the day ends before the first step does."""
    limit = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=24 if hour is None else hour)
    before = [i for i, t in enumerate(times) if t <= limit]
    return before[-1] if before else 0


def calm_step(series: np.ndarray, peak: int) -> int | None:
    """The first step after ``peak`` from which ``series`` stays at or below
    ``CALM_SHARE`` x its value at the peak; None if it never does.

    Example:
        >>> calm_step(np.array([0, 5, 100, 40, 9, 20, 8, 3.0]), 2)
        6
    """
    above = np.flatnonzero(series[peak + 1:] > CALM_SHARE * series[peak])
    step = peak + 1 + (int(above[-1]) + 1 if len(above) else 0)
    return step if step < len(series) else None


def series_of(run, column: str, region: str | None) -> np.ndarray:
    """A column in people over the run's rows: the region's, or the national sum (None)."""
    people = run.people(column)
    return people.sum(axis=0) if region is None else people[list(run.regions).index(region)]


def killed_series(run, region: str | None) -> np.ndarray:
    """Everyone killed so far, civilians and security, in people."""
    return series_of(run, "civilians_killed", region) + series_of(run, "security_killed", region)


def join_rows(run) -> dict[str, int | None]:
    """Each region's row of joining (``JOIN_SHARE`` of its people out), None if never."""
    active = run.people("active")
    out = {}
    for k, region in enumerate(run.scenario.regions):
        hit = np.flatnonzero(active[k] >= JOIN_SHARE * region.population)
        out[region.name] = int(hit[0]) if len(hit) else None
    return out


def first_joined(run) -> tuple[str, int] | None:
    """The first region to join and its row (ties: the larger share out, then the name)."""
    active = run.people("active")
    pops = {r.name: r.population for r in run.scenario.regions}
    joined = [(row, -active[list(run.regions).index(name), row] / pops[name], name)
              for name, row in join_rows(run).items() if row is not None]
    if not joined:
        return None
    row, _, name = min(joined)
    return name, row


def measure_peak_participants(target: Target, run) -> float:
    return float(series_of(run, "active", target.region).max())


def measure_participants_on(target: Target, run) -> float | None:
    rows = rows_of_day(run.times, target.on, target.hours)
    return float(series_of(run, "active", target.region)[rows].max()) if rows else None


def measure_peak_date(target: Target, run) -> str:
    return run.times[int(np.argmax(series_of(run, "active", target.region)))].isoformat()


def measure_calm_date(target: Target, run) -> str | None:
    series = series_of(run, "active", target.region)
    step = calm_step(series, int(np.argmax(series)))
    return None if step is None else run.times[step].isoformat()


def _count_by(target: Target, run, series: np.ndarray) -> float:
    return float(series[-1] if target.by is None else series[row_by(run.times, target.by, target.hour)])


def measure_detained(target: Target, run) -> float:
    return _count_by(target, run, series_of(run, "detained", target.region))


def measure_killed(target: Target, run) -> float:
    return _count_by(target, run, killed_series(run, target.region))


def measure_security_killed(target: Target, run) -> float:
    return _count_by(target, run, series_of(run, "security_killed", target.region))


def measure_killed_share(target: Target, run) -> float | None:
    """The region's share of everyone killed (by ``by``); None when nobody was killed."""
    total = _count_by(target, run, killed_series(run, None))
    return _count_by(target, run, killed_series(run, target.region)) / total if total > 0 else None


def measure_first_region(target: Target, run) -> list | None:
    """[the first region, when it joined (ISO)], or None if no region joined."""
    first = first_joined(run)
    return None if first is None else [first[0], run.times[first[1]].isoformat()]


def measure_regions_joined(target: Target, run) -> float:
    """How many regions joined by the end of ``by`` (of the listed ``regions``, if given)."""
    last = row_by(run.times, target.by)
    counted = target.regions if target.regions is not None else list(run.regions)
    return float(sum(row is not None and row <= last for name, row in join_rows(run).items() if name in counted))


def measure_largest_region(target: Target, run) -> str | None:
    """The region with the most participants during ``on`` (ties: the name that sorts first)."""
    rows = rows_of_day(run.times, target.on)
    if not rows:
        return None
    active = run.people("active")
    return min(((-float(active[k, rows].max()), name) for k, name in enumerate(run.regions)))[1]


MEASURES = {
    "peak_participants": measure_peak_participants,
    "participants_on": measure_participants_on,
    "peak_date": measure_peak_date,
    "calm_date": measure_calm_date,
    "detained": measure_detained,
    "killed": measure_killed,
    "security_killed": measure_security_killed,
    "killed_share": measure_killed_share,
    "first_region": measure_first_region,
    "regions_joined": measure_regions_joined,
    "largest_region": measure_largest_region,
}


def measure_target(target: Target, run):
    """The value ``target`` is judged on, in ``run`` (its metric's measure function)."""
    return MEASURES[target.metric](target, run)
