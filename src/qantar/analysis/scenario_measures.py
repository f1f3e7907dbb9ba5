"""What a scenario run shows, in the terms of its targets: participants at the peak and when,
detentions, and which region rose first; and how an ensemble compares with the reports.

Participants are active citizens times the scale (people per agent); detained are arrests
made so far, times the scale. A region "joins" when its participants first reach
``JOIN_SHARE`` of its people.

Example:
    >>> summarize_values([1.0, 2.0, 3.0, 4.0])["median"]
    2.5
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from qantar.scenario.schema import DATE_METRICS, Scenario, Target

#: A region joins the protest when this share of its people is out (0.1%).
JOIN_SHARE = 0.001

#: The country is calm from the first step after the peak from which national participants
#: stay at or below this share of the peak to the end of the run (10%).
CALM_SHARE = 0.1


def calm_step(national: np.ndarray, peak: int) -> int | None:
    """The first step after ``peak`` from which ``national`` stays at or below
    ``CALM_SHARE`` x its value at the peak; None if it never does.

    Example:
        >>> calm_step(np.array([0, 5, 100, 40, 9, 20, 8, 3.0]), 2)
        6
    """
    above = np.flatnonzero(national[peak + 1:] > CALM_SHARE * national[peak])
    step = peak + 1 + (int(above[-1]) + 1 if len(above) else 0)
    return step if step < len(national) else None


def measure_run(run) -> dict:
    """The measures of one ``ScenarioRun`` (plain numbers and ISO dates, for JSON)."""
    s: Scenario = run.scenario
    active = run.people("active")
    national = active.sum(axis=0)
    times = run.times
    k = int(np.argmax(national))
    joins, order = {}, []
    for r, region in enumerate(s.regions):
        hit = np.flatnonzero(active[r] >= JOIN_SHARE * region.population)
        joins[region.name] = times[int(hit[0])].isoformat() if len(hit) else None
        if len(hit):  # earliest first; at the same step, the larger share of its people out
            order.append((int(hit[0]), -active[r, hit[0]] / region.population, region.name))
    joined = [(t, name) for t, _, name in sorted(order)]
    return {
        "run": int(getattr(run, "index", 0)),
        "peak_participants": float(national[k]),
        "peak_time": times[k].isoformat(),
        "calm_time": None if (c := calm_step(national, k)) is None else times[c].isoformat(),
        "detained": float(run.people("detained")[:, -1].sum()),
        "killed": float(run.people("civilians_killed")[:, -1].sum() + run.people("security_killed")[:, -1].sum()),
        "security_killed": float(run.people("security_killed")[:, -1].sum()),
        "defected": float(run.people("defected")[:, -1].sum()),
        "first_region": joined[0][1] if joined else None,
        "join_times": joins,
        "final_participants": float(national[-1]),
        "daily_peak": daily_peak(national, times),
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
    """The measure a target is judged on, one value per run."""
    if target.metric == "participants_on":
        return [m["daily_peak"].get(target.on.isoformat()) for m in measures]
    key = {"peak_date": "peak_time", "calm_date": "calm_time"}.get(target.metric, target.metric)
    return [m[key] for m in measures]


def day_ordinals(values: list) -> np.ndarray:
    """ISO times as day ordinals; a missing one (never) as infinitely late."""
    return np.array([dt.datetime.fromisoformat(v).date().toordinal() if v else np.inf for v in values], float)


def median_day(ordinals: np.ndarray) -> float:
    """The lower median of day ordinals: a day one of the runs had (inf: never)."""
    return float(np.percentile(ordinals, 50, method="lower"))


def summarize_values(values) -> dict:
    """Median and 90% interval (5th-95th percentiles) of numbers, and how many."""
    arr = np.asarray([v for v in values if v is not None], float)
    if arr.size == 0:
        return {"median": None, "p05": None, "p95": None, "n": 0}
    return {"median": float(np.median(arr)), "p05": float(np.percentile(arr, 5)),
            "p95": float(np.percentile(arr, 95)), "n": int(arr.size)}


def judge_target(target: Target, measures: list[dict]) -> dict:
    """One target against an ensemble: the simulated median (and 90% interval, or the share
    of runs, for a region), the reported value or range, and whether the median is inside.
    For dates the median is the lower median, a day one of the runs had, and a run that
    never calms counts as calm infinitely late."""
    if target.metric == "first_region":
        firsts = target_values(target, measures)
        share = firsts.count(target.value) / len(firsts) if firsts else 0.0
        common = max(set(firsts), key=firsts.count) if firsts else None
        return {"target": target.name, "reported": target.value, "simulated": common,
                "detail": f"{target.value} first in {share:.0%} of runs", "met": common == target.value}
    if target.metric in DATE_METRICS:
        ordinals = day_ordinals(target_values(target, measures))
        lo, hi = target.on, target.by or target.on
        if not len(ordinals):
            return {"target": target.name, "reported": f"{lo} to {hi}", "simulated": None, "detail": "no runs",
                    "met": False}

        def day(x: float) -> str:
            return "never" if not np.isfinite(x) else str(dt.date.fromordinal(round(x)))

        median = median_day(ordinals)
        p05, p95 = (float(np.percentile(ordinals, q, method="nearest")) for q in (5, 95))
        never = int(np.isinf(ordinals).sum())
        detail = f"90% of runs {day(p05)} to {day(p95)}" + (f"; never calm in {never}" if never else "")
        return {"target": target.name, "reported": f"{lo} to {hi}", "simulated": day(median), "detail": detail,
                "met": bool(np.isfinite(median) and lo <= dt.date.fromordinal(round(median)) <= hi)}
    s = summarize_values(target_values(target, measures))
    met = s["median"] is not None and (target.low is None or s["median"] >= target.low) and \
        (target.high is None or s["median"] <= target.high)
    return {"target": target.name, "reported": f"{_num(target.low)} to {_num(target.high)}",
            "simulated": _num(s["median"]), "detail": f"90% of runs {_num(s['p05'])} to {_num(s['p95'])}",
            "met": bool(met)}


def _num(x) -> str:
    return "-" if x is None else f"{x:,.0f}"
