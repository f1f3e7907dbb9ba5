"""What a scenario run shows, and how an ensemble compares with the reports: one judge of
targets, used by the report, the CLI and both calibrations.

Participants are active citizens in people; detained are arrests made so far; killed are
civilians and security killed so far (rule Casualties). Each target's value in a run comes
from its metric's one measure function (``analysis.target_measures``); ``measure_run``
keeps them by target name. An ensemble is judged on its central value (``central``): the
median of numbers, the lower median of days (a day one of the runs had; a run that never
gets there counts as infinitely late), or the region most often named. A tie between
regions is no majority: the central value is then none and the target is not met, whatever
the order of the runs or the hash seed. ``target_distance`` is 0 exactly when that central
value is inside the target, so a calibration's distance and the report's verdict agree.

Example:
    >>> summarize_values([1.0, 2.0, 3.0, 4.0])["median"]
    2.5
    >>> most_named(["A", "B", "B", "A"]), most_named(["A", "B", "B"])
    (None, 'B')
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import numpy as np

from qantar.analysis.target_measures import (
    CALM_SHARE,
    JOIN_SHARE,
    calm_step,
    first_joined,
    join_rows,
    measure_target,
    series_of,
)
from qantar.scenario.schema import DATE_METRICS, REGION_METRICS, Target

__all__ = ["CALM_SHARE", "JOIN_SHARE", "NEVER_DAYS", "calm_step", "central", "daily_peak", "inside",
           "judge_target", "measure_run", "summarize_values", "target_distance", "target_values"]

#: Distance given to a date target when the ensemble never gets there (days).
NEVER_DAYS = 10.0

#: Below these, numbers are taken as these in a distance (log2 of a factor): one person, 1%.
FLOOR = {"killed_share": 0.01}
PEOPLE_FLOOR = 1.0
#: The least distance of a missed target (a miss inside the floor above still counts).
MIN_MISS = 0.01


def measure_run(run) -> dict:
    """The measures of one ``ScenarioRun`` (plain numbers and ISO dates, for JSON): a summary,
    and in ``target_values`` each of its scenario's targets' value, by target name."""
    active = run.people("active")
    national = active.sum(axis=0)
    times = run.times
    k = int(np.argmax(national))
    first = first_joined(run)
    killed = series_of(run, "civilians_killed", None) + series_of(run, "security_killed", None)
    return {
        "run": int(getattr(run, "index", 0)),
        "peak_participants": float(national[k]),
        "peak_time": times[k].isoformat(),
        "calm_time": None if (c := calm_step(national, k)) is None else times[c].isoformat(),
        "detained": float(series_of(run, "detained", None)[-1]),
        "killed": float(killed[-1]),
        "civilians_killed": float(series_of(run, "civilians_killed", None)[-1]),
        "security_killed": float(series_of(run, "security_killed", None)[-1]),
        "defected": float(series_of(run, "defected", None)[-1]),
        "first_region": first[0] if first else None,
        "join_times": {name: None if row is None else times[row].isoformat() for name, row in join_rows(run).items()},
        "final_participants": float(national[-1]),
        "daily_peak": daily_peak(national, times),
        "target_values": {t.name: measure_target(t, run) for t in run.scenario.targets},
    }


def daily_peak(national: np.ndarray, times: list[dt.datetime]) -> dict[str, float]:
    """The most participants recorded during each day (rows stamped at a step's end count for
    the day they end in), by ISO date."""
    out: dict[str, float] = {}
    for value, when in zip(national, times):
        day = when.date().isoformat()
        out[day] = max(out.get(day, 0.0), float(value))
    return out


def target_values(target: Target, measures: list[dict]) -> list:
    """The value a target is judged on, one per run (``measure_run``'s ``target_values``)."""
    return [m["target_values"].get(target.name) for m in measures]


def bounds(target: Target) -> tuple[float, float]:
    """A numeric target's range; a list of regions that must have joined: all of them."""
    if target.metric == "regions_joined" and target.regions is not None:
        return float(len(target.regions)), float(len(target.regions))
    return (0.0 if target.low is None else target.low), (math.inf if target.high is None else target.high)


def _day(value) -> dt.date | None:
    return None if value is None else dt.datetime.fromisoformat(value).date()


def inside(target: Target, value) -> bool:
    """Whether one value (a run's, or the ensemble's central one) is inside the target."""
    if value is None:
        return False
    if target.metric in DATE_METRICS:
        return target.on <= _day(value) <= (target.by or target.on)
    if target.metric == "first_region":
        name, when = value
        return name == target.value and (target.on is None or target.on <= _day(when) <= (target.by or target.on))
    if target.metric == "largest_region":
        return value == target.value
    low, high = bounds(target)
    return low <= value <= high


def most_named(names: list) -> str | None:
    """The name given most often (None for none given, or a tie for the most)."""
    counts = Counter(n for n in names if n is not None).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def lower_median_day(values: list) -> str | None:
    """The lower median of ISO times as a day (ISO), a day one of the runs had; a None
    (never) counts as infinitely late, and a median that is never is None."""
    ordinals = sorted(_day(v).toordinal() if v else math.inf for v in values)
    if not ordinals or not math.isfinite(mid := ordinals[(len(ordinals) - 1) // 2]):
        return None
    return dt.date.fromordinal(int(mid)).isoformat()


def central(target: Target, values: list):
    """The ensemble's value of a target: median, lower median day, or the region most often
    named (for the first region, with the lower median of its days among the runs it came
    first in). None when there is none (no value, never, a tie)."""
    if target.metric in DATE_METRICS:
        return lower_median_day(values)
    if target.metric == "first_region":
        name = most_named([v[0] if v else None for v in values])
        return None if name is None else [name, lower_median_day([v[1] for v in values if v and v[0] == name])]
    if target.metric == "largest_region":
        return most_named(values)
    numbers = [v for v in values if v is not None]
    return float(np.median(numbers)) if numbers else None


def share_inside(target: Target, values: list) -> float:
    """The share of runs whose own value is inside the target (0 for no runs)."""
    return sum(inside(target, v) for v in values) / len(values) if values else 0.0


def target_distance(target: Target, values: list) -> float:
    """How far the ensemble's central value (``central``) of one target over a point's runs is
    from it: 0 exactly when it is inside. Counts: log2 of the factor outside the range
    (below one person, or 1% for a share, counts as that; a miss is at least ``MIN_MISS``); dates: days outside (never:
    ``NEVER_DAYS``); regions: 2 x (1 - the share of runs inside)."""
    mid = central(target, values)
    if inside(target, mid):
        return 0.0
    if target.metric in REGION_METRICS:
        return 2.0 * (1.0 - share_inside(target, values))
    if target.metric in DATE_METRICS:
        if mid is None:
            return NEVER_DAYS
        day = dt.date.fromisoformat(mid).toordinal()
        return float(max(target.on.toordinal() - day, day - (target.by or target.on).toordinal()))
    floor = FLOOR.get(target.metric, PEOPLE_FLOOR)
    x, (low, high) = max(floor, mid or 0.0), bounds(target)
    factor = max(low, floor) / x if mid is None or mid < low else x / max(high, floor)
    return max(MIN_MISS, float(math.log2(factor)))


def summarize_values(values) -> dict:
    """Median and 90% interval (5th-95th percentiles) of numbers, and how many."""
    arr = np.asarray([v for v in values if v is not None], float)
    if arr.size == 0:
        return {"median": None, "p05": None, "p95": None, "n": 0}
    return {"median": float(np.median(arr)), "p05": float(np.percentile(arr, 5)),
            "p95": float(np.percentile(arr, 95)), "n": int(arr.size)}


def judge_target(target: Target, measures: list[dict]) -> dict:
    """One target against an ensemble: ``reported`` (the target, in words), ``simulated``
    (the central value), ``detail`` (the runs' spread), ``met`` (the central value is
    inside), ``share`` (of runs whose own value is inside), and the target's ``metric`` and
    ``region`` (for ``report.scenario.fit_caveat``)."""
    values = target_values(target, measures)
    mid = central(target, values)
    return {"target": target.name, "reported": reported(target), "simulated": shown(target, mid),
            "detail": spread(target, values), "met": bool(values) and inside(target, mid),
            "share": round(share_inside(target, values), 4), "metric": target.metric, "region": target.region}


def spread(target: Target, values: list) -> str:
    """The runs' spread in words: 90% of runs' range, or how often each region was named."""
    if not values:
        return "no runs"
    if target.metric in REGION_METRICS:
        names = Counter((v[0] if target.metric == "first_region" else v) if v else "none" for v in values)
        return ", ".join(f"{n} {c / len(values):.0%}" for n, c in sorted(names.items(), key=lambda x: (-x[1], x[0])))
    if target.metric in DATE_METRICS:
        days = sorted(str(_day(v)) if v else "never" for v in values)  # ISO days sort as days; never last
        lo, hi = (days[int(round(q * (len(days) - 1)))] for q in (0.05, 0.95))
        never = sum(v is None for v in values)
        what = "never calm" if target.metric == "calm_date" else "never"
        return f"90% of runs {lo} to {hi}" + (f"; {what} in {never}" if never else "")
    s = summarize_values(values)
    return f"90% of runs {_num(target, s['p05'])} to {_num(target, s['p95'])}"


def shown(target: Target, value) -> str:
    """A central value in words."""
    if target.metric in DATE_METRICS:
        return "never" if value is None else value
    if target.metric in REGION_METRICS:
        if value is None:
            return "none (a tie, or no runs)"
        return value if target.metric == "largest_region" else f"{value[0]} ({value[1] or 'never'})"
    return _num(target, value)


def reported(target: Target) -> str:
    """The target in words: where, what range or dates, on or by when."""
    if target.metric in REGION_METRICS or target.metric in DATE_METRICS:
        what = target.value or ""
        dates = target.on and (f"{target.on}" if not target.by or target.by == target.on else
                               f"{target.on} to {target.by}")
        text = " ".join(x for x in (what, (f"on {dates}" if what else dates) if dates else "") if x)
    else:
        if target.metric == "regions_joined" and target.regions is not None:
            text = "all of " + ", ".join(target.regions)
        else:
            lo, hi = target.low, target.high
            text = (f"{_num(target, lo)} to {_num(target, hi)}" if lo is not None and hi is not None else
                    f"at least {_num(target, lo)}" if lo is not None else f"at most {_num(target, hi)}")
        if target.on is not None:
            text += f" on {target.on}" + (f" {target.hours[0]}-{target.hours[1]}h" if target.hours else "")
        if target.by is not None:
            text += f" by {target.by}" + (f" {target.hour}:00" if target.hour else "")
    return f"{target.region}: {text}" if target.region else text


def _num(target: Target, x) -> str:
    """People as whole numbers, a share as a percentage; none as a dash."""
    if x is None or (isinstance(x, float) and math.isinf(x)):
        return "-"
    return f"{x:.0%}" if target.metric == "killed_share" else f"{round(x):,}"
