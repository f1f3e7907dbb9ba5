"""Calibration by refocused Latin hypercubes: the distances to targets, and a small design
that is reproducible and refocuses inside the ranges."""

import datetime as dt
import math

import numpy as np

from qantar.experiments.calibration import NEVER_DAYS, Parameter, point_score, reevaluate, refocus, target_distance
from qantar.experiments.sweep import latin_hypercube
from qantar.scenario.schema import Target
from tests.small_scenario import PEAK_TARGET, one_region_toml

SMALL = one_region_toml(days=2, steps_per_day=12, scale=20, model="legitimacy = 0.8", population=6000,
                        shock_at="2022-01-01T02:00:00", add=0.2, extra=PEAK_TARGET + """
[[targets]]
name = "date"
metric = "peak_date"
on = 2022-01-01
source = "s"
""")


def target(**fields) -> Target:
    return Target(name="t", source="s", **fields)


def test_target_distances():
    counts = target(metric="detained", low=100, high=200)
    assert target_distance(counts, [150.0, 120.0, 900.0]) == 0.0
    assert target_distance(counts, [400.0]) == 1.0 and target_distance(counts, [25.0]) == 2.0
    assert target_distance(counts, [0.0]) == math.log2(100)  # nothing is counted as 1
    dates = target(metric="calm_date", on=dt.date(2022, 1, 8), by=dt.date(2022, 1, 10))
    assert target_distance(dates, ["2022-01-09T03:00:00"]) == 0.0
    assert target_distance(dates, ["2022-01-05T03:00:00", "2022-01-06T00:00:00", None]) == 2.0  # lower median: 6 Jan
    assert target_distance(dates, [None, None, "2022-01-09T00:00:00"]) == NEVER_DAYS
    first = target(metric="first_region", value="A")
    t0 = "2022-01-01T06:00:00"
    assert target_distance(first, [["A", t0], ["B", t0], ["A", t0]]) == 0.0  # A most often first: met
    assert target_distance(first, [["A", t0], ["B", t0], ["B", t0], None]) == 1.5  # 2 x (1 - 1/4)
    assert point_score({"a": 3.0, "b": 4.0}) == math.sqrt(12.5)


def test_parameters_and_hypercube():
    p = Parameter("k", ("model.arrest_constant",), 1.0, 100.0, log=True)
    assert abs(p.value(0.5) - 10.0) < 1e-9 and abs(p.unit(10.0) - 0.5) < 1e-12
    assert p.assignments(2.5) == ["model.arrest_constant=2.5"]
    steps = Parameter("steps", ("steps_per_day",), choices=(2, 4, 6), derived=(("model.threshold", lambda v: v / 100),))
    assert [steps.value(u) for u in (0.0, 0.34, 0.99)] == [2, 4, 6] and steps.unit(4) == 0.5
    assert steps.assignments(4) == ["steps_per_day=4", "model.threshold=0.04"]
    u = latin_hypercube(5, 3, np.random.default_rng(1))
    for axis in u.T:
        assert sorted((axis * 5).astype(int).tolist()) == [0, 1, 2, 3, 4]


def test_refocus_is_reproducible_and_stays_in_range(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    params = [Parameter("L", ("model.legitimacy",), 0.6, 0.9), Parameter("shock", ("events.shock.add",), 0.0, 0.5)]
    a = refocus(str(path), params, [], [6, 4], seeds=2, entropy=3, keep=0.3, workers=1)
    b = refocus(str(path), params, [], [6, 4], seeds=2, entropy=3, keep=0.3, workers=1)
    assert [e.values for e in a] == [e.values for e in b] and [e.score for e in a] == [e.score for e in b]
    assert [e.wave for e in a] == [1] * 6 + [2] * 4
    for e in a:
        assert 0.6 <= e.values["L"] <= 0.9 and 0.0 <= e.values["shock"] <= 0.5
        assert set(e.distances) == {"peak", "date"} and len(e.measures) == 2
    # wave 2 lies in the box of wave 1's best two points, widened by 10% of its width (at least 0.05)
    best = sorted(a[:6], key=lambda e: e.score)[:2]
    for name, p in (("L", params[0]), ("shock", params[1])):
        units = [p.unit(e.values[name]) for e in best]
        pad = 0.1 * max(max(units) - min(units), 0.05)
        assert all(min(units) - pad - 1e-9 <= p.unit(e.values[name]) <= max(units) + pad + 1e-9 for e in a[6:])
    # the best points again, with fresh seeds: sorted by their new scores, waves kept
    again = reevaluate(str(path), params, [], sorted(a, key=lambda e: e.score)[:3], seeds=3, entropy=3, workers=1)
    assert len(again) == 3 and all(len(e.measures) == 3 for e in again)
    assert [e.score for e in again] == sorted(e.score for e in again)
    assert {(e.wave, e.values["L"]) for e in again} == {(e.wave, e.values["L"]) for e in sorted(a, key=lambda e: e.score)[:3]}
