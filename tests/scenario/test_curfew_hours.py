"""Curfews act for the hours declared, in each region's own time zone, and events say when
they act: a curfew's share of each step, the kernel's rule Curfew against its oracle, and
the report listing each event's declared time and the step it acts from."""

import datetime as dt

import numpy as np
import pytest

from qantar import Params, World, rule_set
from qantar.engine.reference import ReferenceWorld
from qantar.scenario.load import load_scenario
from qantar.scenario.timeline import compile_timeline, event_steps
from tests.engine.test_oracle import assert_same
from tests.small_scenario import one_region_toml


def curfew_steps(s, region: str) -> dict[int, float]:
    """The curfew share of each step whose share changes, for ``region``."""
    return {a.step: round(a.value, 4) for a in compile_timeline(s) if a.kind == "curfew" and a.region == region}


def test_a_night_curfew_covers_its_hours_at_six_hour_and_daily_steps():
    s = load_scenario("kazakhstan-2022", ["events.emergency-mangystau-almaty.at=2022-01-05T12:00:00"])
    six = curfew_steps(s, "Almaty")  # 23:00-07:00 from 5 January: steps 20 (18-24h), 21 (0-6h), 22 (6-12h)
    assert six[20] == round(1 / 6, 4) and six[21] == 1.0 and six[22] == round(1 / 6, 4) and six[23] == 0.0
    daily = load_scenario("kazakhstan-2022", ["steps_per_day=1", "events.emergency-mangystau-almaty.at=2022-01-05T12:00:00"])
    shares = curfew_steps(daily, "Almaty")  # 5 January: 23-24h; then 00-07h and 23-24h of each day
    assert shares[5] == round(1 / 24, 4) and shares[6] == round(8 / 24, 4) and max(shares.values()) < 0.5


def test_regions_keep_their_own_time_zone():
    s = load_scenario("kazakhstan-2022", ["events.emergency-mangystau-almaty.at=2022-01-05T12:00:00"])
    assert s.utc_offset == 6 and {r.name: r.utc_offset for r in s.regions}["Aktau"] == 5
    aktau = curfew_steps(s, "Aktau")  # local 23:00-07:00 at UTC+5 is 00:00-08:00 on the UTC+6 clock
    assert 20 not in aktau and aktau[21] == 1.0 and aktau[22] == round(2 / 6, 4)
    same = load_scenario("kazakhstan-2022", ["events.emergency-mangystau-almaty.at=2022-01-05T12:00:00",
                                             "regions.Aktau.utc_offset=6"])
    assert curfew_steps(same, "Aktau") == curfew_steps(same, "Almaty")


@pytest.mark.parametrize("rules", ["paper", "netlogo", "mesa"])
def test_rule_curfew_in_the_kernel_equals_its_oracle(rules):
    params = Params(width=12, height=12, citizen_vision=2, cop_vision=2, legitimacy=0.5, cop_density=0.05)
    world = World.build(params, rule_set(rules), seed=4)
    ref = ReferenceWorld.from_world(world)
    moved = []
    for t in range(1, 9):
        if t in (2, 6):
            for target in (world, ref):
                target.set_knobs(curfew_share=0.5 if t == 2 else 0.0)
        before = world.agents.pos.copy()
        world.run(1)
        ref.step()
        assert_same(world, ref, t)
        moved.append(int(np.count_nonzero(world.agents.pos != before)))
    assert min(moved[1:5]) > 0  # half the citizens still move


def test_a_share_of_zero_draws_nothing_and_a_full_share_keeps_citizens_still():
    params = Params(width=12, height=12, citizen_vision=2, cop_vision=2, cop_density=0.0)
    plain, zero, full = (World.build(params, rule_set("netlogo"), seed=2) for _ in range(3))
    zero.set_knobs(curfew_share=0.0)
    full.set_knobs(curfew_share=1.0)
    start = full.agents.pos.copy()
    plain.run(5), zero.run(5), full.run(5)
    assert np.array_equal(plain.agents.pos, zero.agents.pos)
    assert np.array_equal(full.agents.pos, start)


def test_the_report_lists_when_each_event_acts(tmp_path):
    from qantar.experiments.scenario_run import run_scenario
    from qantar.report.scenario import render_markdown

    path = tmp_path / "s.toml"
    path.write_text(one_region_toml(days=1, steps_per_day=4, scale=50, shock_at="2022-01-01T01:30:00"))
    s = load_scenario(str(path))
    assert event_steps(s) == [("shock", dt.datetime(2022, 1, 1, 1, 30), dt.datetime(2022, 1, 1, 6))]
    text = render_markdown([run_scenario(s, 1)], [], "qantar run", {}, [])
    assert "01 Jan 01:30, acts from 01 Jan 06:00 `shock`" in text


def test_an_event_in_local_time_acts_at_each_regions_hour():
    """06:00 local in Aktau (UTC+5) is 07:00 on the UTC+6 clock: at 6-hour steps it acts from
    12:00, while in Almaty it acts from 06:00; on the scenario's clock both act from 06:00."""
    base = ["events.lpg-price.at=2022-01-02T06:00:00", "events.lpg-price.regions=['Aktau', 'Almaty']",
            "events.lpg-price.ramp_hours=0"]  # at once, not in parts

    def steps(s):
        return {a.region: a.step for a in compile_timeline(s) if a.event == "lpg-price" and a.region in ("Aktau", "Almaty")}

    local = load_scenario("kazakhstan-2022", [*base, "events.lpg-price.local_time=true"])
    assert steps(local) == {"Aktau": 7, "Almaty": 6}  # step 6 starts 2 January 06:00, step 7 at 12:00
    assert steps(load_scenario("kazakhstan-2022", base)) == {"Aktau": 6, "Almaty": 6}
    assert event_steps(local)[0][2] == dt.datetime(2022, 1, 2, 12)
