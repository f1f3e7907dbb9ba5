"""Rule Daytime in scenarios: a ``daytime`` event's hours give each step ``away`` times the
share it covers, in each region's own time zone; its fields are checked before anything
runs; and in a run those whom rule A would make active stay away in its hours, and come
back after them."""

import pytest

from qantar.errors import QantarInputError
from qantar.experiments.scenario_run import COUNT_COLUMNS, run_scenario
from qantar.scenario.load import load_scenario
from qantar.scenario.timeline import Controls, compile_timeline
from tests.small_scenario import one_region_toml

DAYTIME = """
[[events]]
name = "work"
type = "daytime"
at = 2022-01-01T00:00:00
hours = [{h1}, {h2}]
away = {away}
source = "s"
"""


def small(tmp_path, *, away=0.5, h1=9, h2=18, steps_per_day=4, extra="", population=10000):
    path = tmp_path / "s.toml"
    path.write_text(one_region_toml(steps_per_day=steps_per_day, population=population, scale=20.0,
                                    extra=DAYTIME.format(h1=h1, h2=h2, away=away) + extra))
    return load_scenario(str(path))


def daytime_steps(s, region="A") -> dict[int, float]:
    return {a.step: round(a.value, 4) for a in compile_timeline(s) if a.kind == "daytime" and a.region == region}


def test_each_step_gets_away_times_the_share_its_hours_cover(tmp_path):
    s = small(tmp_path, away=0.8, h1=7, h2=18)  # 6-hour steps: 06-12 has 5 of its 6 hours in 7-18
    got = daytime_steps(s)
    assert got[2] == round(0.8 * 5 / 6, 4) and got[3] == 0.8 and got[4] == 0.0  # day 1: 6-12, 12-18, then off
    assert got[6] == round(0.8 * 5 / 6, 4) and got[7] == 0.8 and got[8] == 0.0  # and again on day 2
    assert 1 not in got and 5 not in got


def test_the_hours_are_each_regions_own():
    s = load_scenario("kazakhstan-2022")
    base = s.model_dump(mode="json")
    base["events"].append({"type": "daytime", "name": "work", "at": "2022-01-01T00:00:00", "hours": [7, 18],
                           "away": 0.5, "source": "rfe-rl"})
    from qantar.scenario.schema import Scenario

    s = Scenario.model_validate(base)
    almaty, aktau = daytime_steps(s, "Almaty"), daytime_steps(s, "Aktau")  # UTC+6 and UTC+5, clock UTC+6
    assert almaty[2] == round(0.5 * 5 / 6, 4) and almaty[4] == 0.0
    assert aktau[2] == round(0.5 * 4 / 6, 4) and aktau[3] == 0.5 and aktau[4] == round(0.5 / 6, 4)


def test_events_in_force_act_independently():
    c = Controls(hardship_offset=0.0, legitimacy=0.8, officers=0.0)
    assert c.away_probability == 0.0
    c.daytimes.update(work=0.5, school=0.4)
    assert c.away_probability == pytest.approx(0.7)


@pytest.mark.parametrize("hours, message", [("[9, 24]", "hours must be 0-23"), ("[9, 9]", "must differ")])
def test_bad_hours_are_refused_before_anything_runs(tmp_path, hours, message):
    path = tmp_path / "s.toml"
    path.write_text(one_region_toml(extra=DAYTIME.format(h1=0, h2=1, away=0.5).replace("[0, 1]", hours)))
    with pytest.raises(QantarInputError, match=message):
        load_scenario(str(path))


def test_away_must_be_a_chance(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(one_region_toml(extra=DAYTIME.format(h1=9, h2=18, away=1.5)))
    with pytest.raises(QantarInputError, match="away"):
        load_scenario(str(path))


def test_in_a_run_the_day_keeps_them_away_and_the_evening_brings_them_back(tmp_path):
    """Hourly steps, a shock at 06:00 that sends many out, away 1 from 9 to 18: nobody is
    out at the rows stamped 10:00-18:00, and they are out again after 18:00; without the
    event the crowd of 10:00-18:00 is there."""
    s = small(tmp_path, away=1.0, h1=9, h2=18, steps_per_day=24, population=20000)
    active = run_scenario(s, seed=3).counts[0, :, COUNT_COLUMNS.index("active")]
    plain = run_scenario(load_scenario(str(tmp_path / "s.toml"), without=["work"]), seed=3).counts[0, :,
                                                                                                 COUNT_COLUMNS.index("active")]
    assert plain[10:19].min() > 0 and active[10:19].max() == 0, (plain[8:22], active[8:22])
    assert active[19:24].min() > 0
