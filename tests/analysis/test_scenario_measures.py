"""Judging an ensemble against date targets: the median day, and runs that never calm."""

import datetime as dt

from qantar.analysis.scenario_measures import judge_target
from qantar.scenario.schema import Target


def calm_target() -> Target:
    return Target(name="calm", metric="calm_date", on=dt.date(2022, 1, 8), by=dt.date(2022, 1, 10), source="s")


def runs(*days) -> list[dict]:
    return [{"target_values": {"calm": None if d is None else f"2022-01-{d:02d}T06:00:00"}} for d in days]


def test_calm_date_median_counts_never_as_latest():
    v = judge_target(calm_target(), runs(7, 8, 9, 9, None))
    assert (v["simulated"], v["met"]) == ("2022-01-09", True) and "never calm in 1" in v["detail"]
    v = judge_target(calm_target(), runs(8, None, None))
    assert (v["simulated"], v["met"]) == ("never", False)
    v = judge_target(calm_target(), runs(5, 6, 12))
    assert (v["simulated"], v["met"]) == ("2022-01-06", False)
    assert judge_target(calm_target(), [])["met"] is False


def test_participants_on_a_day_is_the_days_most():
    import numpy as np

    from qantar.analysis.scenario_measures import daily_peak

    times = [dt.datetime(2022, 1, 1, 12), dt.datetime(2022, 1, 2, 0), dt.datetime(2022, 1, 2, 12),
             dt.datetime(2022, 1, 3, 0)]
    peaks = daily_peak(np.array([5.0, 9.0, 7.0, 1.0]), times)
    assert peaks == {"2022-01-01": 5.0, "2022-01-02": 9.0, "2022-01-03": 1.0}
    t = Target(name="t", metric="participants_on", on=dt.date(2022, 1, 2), low=8, high=10, source="s")
    v = judge_target(t, [{"target_values": {"t": x}} for x in (9.0, 20.0, 9.0)])
    assert (v["simulated"], v["met"], v["share"]) == ("9", True, round(2 / 3, 4))
