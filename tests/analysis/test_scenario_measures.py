"""Judging an ensemble against date targets: the median day, and runs that never calm."""

import datetime as dt

from qantar.analysis.scenario_measures import judge_target
from qantar.scenario.schema import Target


def calm_target() -> Target:
    return Target(name="calm", metric="calm_date", on=dt.date(2022, 1, 8), by=dt.date(2022, 1, 10), source="s")


def runs(*days) -> list[dict]:
    return [{"calm_time": None if d is None else f"2022-01-{d:02d}T06:00:00"} for d in days]


def test_calm_date_median_counts_never_as_latest():
    v = judge_target(calm_target(), runs(7, 8, 9, 9, None))
    assert (v["simulated"], v["met"]) == ("2022-01-09", True) and "never calm in 1" in v["detail"]
    v = judge_target(calm_target(), runs(8, None, None))
    assert (v["simulated"], v["met"]) == ("never", False)
    v = judge_target(calm_target(), runs(5, 6, 12))
    assert (v["simulated"], v["met"]) == ("2022-01-06", False)
    assert judge_target(calm_target(), [])["met"] is False
