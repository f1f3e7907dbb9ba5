"""Regional and dated targets: the schema takes each kind and refuses each wrong one in one
line; each metric's measure on a hand-made run; the judge (report) and the distance
(calibration) agree, and ties between regions do not depend on the order of the runs."""

import datetime as dt
import random

import numpy as np
import pytest
from pydantic import ValidationError

from qantar.analysis.scenario_measures import central, inside, judge_target, measure_run, target_distance
from qantar.analysis.target_measures import measure_target
from qantar.experiments.scenario_run import COUNT_COLUMNS
from qantar.scenario.schema import Scenario, Target

REGIONS = [{"name": n, "population": p, "police_per_100k": 400} for n, p in (("A", 10000), ("B", 100000), ("C", 1000))]


def scenario(*targets: dict) -> Scenario:
    return Scenario.model_validate({
        "name": "hand", "start": "2022-01-01T00:00:00", "days": 3, "steps_per_day": 4, "scale": 10, "regions": REGIONS,
        "targets": [{"source": "s", **t} for t in targets], "sources": {"s": {"title": "s"}}})


class HandRun:
    """Three regions, 3 days of 6-hour steps (13 rows, row i at 6 i hours), in people."""

    def __init__(self, s: Scenario, **columns):
        self.scenario, self.regions = s, s.region_names
        self.times = [s.start + dt.timedelta(hours=6 * i) for i in range(13)]
        self.columns = {c: np.zeros((3, 13)) for c in COUNT_COLUMNS} | {c: np.asarray(v, float) for c, v in columns.items()}

    def people(self, column):
        return self.columns[column]


def rows(*pairs, base=0.0):
    """A row of 13 values: base, with (index, value) pairs set from that index on."""
    out = np.full(13, base)
    for i, v in pairs:
        out[i:] = v
    return out


ACTIVE = [  # A joins at row 4 (1 Jan 24:00 = 2 Jan 00:00) with 10 people (0.1%); B at row 5; C never
    [0, 0, 0, 0, 10, 50, 20, 5, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 100, 900, 300, 80, 10, 0, 0, 0],
    [0] * 13,
]
RUN = dict(active=ACTIVE,
           detained=[rows((5, 3), (8, 20)), rows((6, 40), (9, 400)), rows()],
           civilians_killed=[rows((6, 2)), rows((7, 6)), rows()],
           security_killed=[rows(), rows((6, 1), (10, 3)), rows()])


def value(**target):
    s = scenario({"name": "t", **target})
    return measure_target(s.targets[0], HandRun(s, **RUN))


def test_each_metric_measured_on_a_hand_made_run():
    assert value(metric="peak_participants", low=1) == 920  # row 6: 20 + 900 + 0
    assert value(metric="peak_participants", low=1, region="A") == 50
    assert value(metric="participants_on", on="2022-01-02", low=1) == 920  # rows 4-7
    assert value(metric="participants_on", on="2022-01-02", hours=[0, 6], low=1, region="B") == 100
    assert value(metric="participants_on", on="2022-01-02", hours=[12, 24], low=1, region="B") == 900
    assert value(metric="peak_date", on="2022-01-02", region="A") == "2022-01-02T06:00:00"
    assert value(metric="calm_date", on="2022-01-02") == "2022-01-03T00:00:00"  # row 8: 80 <= 95
    assert value(metric="calm_date", on="2022-01-02", region="A") == "2022-01-02T18:00:00"
    assert value(metric="detained", low=1) == 420
    assert value(metric="detained", low=1, by="2022-01-02", hour=9) == 3  # row 5, 06:00
    assert value(metric="detained", low=1, by="2022-01-02", region="B") == 40  # row 8 = 3 Jan 00:00
    assert value(metric="killed", low=1, by="2022-01-02") == 9
    assert value(metric="security_killed", low=1) == 3
    assert value(metric="security_killed", low=1, by="2022-01-01") == 0
    assert value(metric="killed_share", region="B", low=0.5) == 9 / 11
    assert value(metric="killed_share", region="A", by="2022-01-02", hour=6, low=0.5) is None  # nobody yet
    assert value(metric="first_region", value="A") == ["A", "2022-01-02T00:00:00"]
    assert value(metric="regions_joined", by="2022-01-01", low=1) == 1  # row 4 is 2 Jan 00:00, the end of 1 Jan
    assert value(metric="regions_joined", by="2022-01-03", low=1) == 2
    assert value(metric="regions_joined", by="2022-01-03", regions=["B", "C"]) == 1
    assert value(metric="largest_region", value="B", on="2022-01-02") == "B"
    assert value(metric="largest_region", value="B", on="2022-01-01") == "A"  # a tie at 0 goes to the first name


def test_measure_run_keeps_every_targets_value():
    s = scenario({"name": "first", "metric": "first_region", "value": "A", "on": "2022-01-02"},
                 {"name": "det", "metric": "detained", "low": 100, "region": "B"})
    m = measure_run(HandRun(s, **RUN))
    assert m["target_values"] == {"first": ["A", "2022-01-02T00:00:00"], "det": 400.0}
    assert (m["killed"], m["civilians_killed"], m["security_killed"]) == (11.0, 8.0, 3.0)
    assert judge_target(s.targets[0], [m])["met"] and judge_target(s.targets[1], [m])["reported"] == "B: at least 100"


@pytest.mark.parametrize("fields", [
    {"metric": "participants_on", "on": "2022-01-02", "hours": [18, 24], "low": 5000, "region": "A"},
    {"metric": "detained", "by": "2022-01-03", "hour": 9, "low": 200},
    {"metric": "detained", "by": "2022-01-03", "region": "B", "high": 10},
    {"metric": "killed", "by": "2022-01-02", "low": 1, "high": 5},
    {"metric": "security_killed", "by": "2022-01-02", "low": 8},
    {"metric": "killed_share", "region": "A", "low": 0.5},
    {"metric": "first_region", "value": "A", "on": "2022-01-02"},
    {"metric": "first_region", "value": "A", "on": "2022-01-02", "by": "2022-01-03"},
    {"metric": "regions_joined", "by": "2022-01-03", "regions": ["A", "B"]},
    {"metric": "regions_joined", "by": "2022-01-03", "low": 2},
    {"metric": "largest_region", "value": "B", "on": "2022-01-02"},
    {"metric": "calm_date", "on": "2022-01-02", "by": "2022-01-03", "region": "B"},
])
def test_schema_takes_each_kind(fields):
    assert scenario({"name": "t", **fields}).targets[0].metric == fields["metric"]


@pytest.mark.parametrize("fields, message", [
    ({"metric": "participants_on", "low": 1}, "on: a participants_on target needs on (the day)"),
    ({"metric": "participants_on", "on": "2022-01-02", "hours": [20, 6], "low": 1}, "hours: [from, to] with 0 <="),
    ({"metric": "detained", "low": 1, "hour": 9}, "hour: the hour of which day? give by too"),
    ({"metric": "detained", "low": 1, "by": "2022-01-02", "hour": 25}, "hour\n  Input should be less than"),
    ({"metric": "detained", "low": 1, "value": "A"}, "value: a detained target does not take value; it takes"),
    ({"metric": "killed_share", "low": 0.5}, "region: a killed_share target needs region (where)"),
    ({"metric": "killed_share", "region": "A", "low": 50}, "a killed_share target is a share of the killed"),
    ({"metric": "first_region", "value": "A", "by": "2022-01-02"}, "on: a first_region target with by needs on"),
    ({"metric": "first_region", "value": "A", "region": "B"}, "region: a first_region target does not take region"),
    ({"metric": "regions_joined", "regions": ["A"]}, "by: a regions_joined target needs by (the day)"),
    ({"metric": "regions_joined", "by": "2022-01-02"}, "gives either the regions (a list) or how many"),
    ({"metric": "regions_joined", "by": "2022-01-02", "regions": ["A"], "low": 1}, "gives either the regions"),
    ({"metric": "regions_joined", "by": "2022-01-02", "regions": ["A", "A"]}, "a region is listed twice"),
    ({"metric": "largest_region", "value": "A"}, "on: a largest_region target needs on (the day)"),
    ({"metric": "regions_joined", "by": "2022-01-02", "regions": ["A", "Q"]}, "regions: unknown region 'Q'"),
    ({"metric": "detained", "low": 1, "region": "Q"}, "region: unknown region 'Q'"),
    ({"metric": "largest_region", "value": "Q", "on": "2022-01-02"}, "value: unknown region 'Q'"),
])
def test_schema_refuses_each_wrong_kind_in_one_line(fields, message):
    with pytest.raises(ValidationError) as err:
        scenario({"name": "t", **fields})
    assert message in str(err.value), str(err.value)


def test_a_tie_between_regions_is_no_majority_whatever_the_order():
    t = Target(name="t", metric="first_region", value="A", source="s")
    when = "2022-01-02T00:00:00"
    values = [["A", when], ["B", when], ["A", when], ["B", when]]
    for _ in range(5):
        random.shuffle(values)
        assert central(t, values) is None and target_distance(t, values) == 1.0
        v = judge_target(t, [{"target_values": {"t": x}} for x in values])
        assert (v["met"], v["share"]) == (False, 0.5) and v["detail"] == "A 50%, B 50%"


def test_first_region_on_its_dates():
    t = Target(name="t", metric="first_region", value="A", on=dt.date(2022, 1, 2), source="s")
    assert inside(t, ["A", "2022-01-02T06:00:00"]) and not inside(t, ["A", "2022-01-03T00:00:00"])
    values = [["A", "2022-01-02T06:00:00"], ["A", "2022-01-03T06:00:00"], ["A", "2022-01-04T06:00:00"]]
    assert central(t, values) == ["A", "2022-01-03"] and target_distance(t, values) > 0


def random_values(t: Target, rng: random.Random, n: int) -> list:
    day = lambda: f"2022-01-0{rng.randint(1, 3)}T{rng.choice(['00', '06', '18'])}:00:00"  # noqa: E731
    if t.metric in ("calm_date", "peak_date"):
        return [None if rng.random() < 0.2 else day() for _ in range(n)]
    if t.metric == "first_region":
        return [None if rng.random() < 0.1 else [rng.choice("ABC"), day()] for _ in range(n)]
    if t.metric == "largest_region":
        return [rng.choice("ABC") for _ in range(n)]
    if t.metric == "killed_share":
        return [None if rng.random() < 0.1 else rng.random() for _ in range(n)]
    return [float(rng.choice([0, 1, 2, 3, 5, 50, 200, 400, 3000])) for _ in range(n)]


@pytest.mark.parametrize("fields", [
    {"metric": "detained", "low": 100, "high": 500, "by": "2022-01-02"},
    {"metric": "killed", "low": 2},
    {"metric": "security_killed", "high": 3},
    {"metric": "participants_on", "on": "2022-01-02", "low": 40, "high": 300, "region": "B"},
    {"metric": "killed_share", "region": "A", "low": 0.5},
    {"metric": "regions_joined", "by": "2022-01-03", "regions": ["A", "B"]},
    {"metric": "regions_joined", "by": "2022-01-03", "low": 2, "high": 3},
    {"metric": "calm_date", "on": "2022-01-02", "by": "2022-01-03"},
    {"metric": "peak_date", "on": "2022-01-02"},
    {"metric": "first_region", "value": "A"},
    {"metric": "first_region", "value": "A", "on": "2022-01-01", "by": "2022-01-02"},
    {"metric": "largest_region", "value": "B", "on": "2022-01-02"},
])
def test_the_judge_and_the_distance_agree(fields):
    """Calibration's distance is 0 exactly when the report says the target is met."""
    t = scenario({"name": "t", **fields}).targets[0]
    rng = random.Random(3)
    seen = set()
    for k in range(300):
        values = random_values(t, rng, rng.randint(1, 6))
        met = judge_target(t, [{"target_values": {"t": x}} for x in values])["met"]
        assert met == (target_distance(t, values) == 0.0), values
        seen.add(met)
    assert seen == {True, False}
