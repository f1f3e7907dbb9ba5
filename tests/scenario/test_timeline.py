"""The calendar turned into steps: rounding to step boundaries, curfew spans, and the
actions the built-in scenario's events make."""

import datetime as dt
import math

from qantar.scenario.build import officers
from qantar.scenario.load import load_scenario
from qantar.scenario.timeline import Controls, compile_timeline, curfew_spans, step_at, time_of


def test_an_event_takes_effect_at_the_first_step_starting_at_or_after_it():
    s = load_scenario("kazakhstan-2022", ["steps_per_day=24"])  # hourly steps from 1 Jan 00:00
    assert step_at(s, dt.datetime(2022, 1, 1)) == 1
    assert step_at(s, dt.datetime(2022, 1, 1, 0, 1)) == 2
    assert step_at(s, dt.datetime(2022, 1, 5, 1, 30)) == 4 * 24 + 3  # starts at 02:00 on 5 Jan
    assert time_of(s, 4 * 24 + 3) == dt.datetime(2022, 1, 5, 2)
    assert step_at(s, dt.datetime(2022, 1, 19, 23, 30)) is None  # after the last step's start


def test_curfew_spans_cover_the_night_hours_only():
    spans = curfew_spans(dt.datetime(2022, 1, 5, 12), dt.datetime(2022, 1, 7, 12), (23, 7))
    assert spans == [(dt.datetime(2022, 1, 5, 23), dt.datetime(2022, 1, 6, 7)),
                     (dt.datetime(2022, 1, 6, 23), dt.datetime(2022, 1, 7, 7))]
    day = curfew_spans(dt.datetime(2022, 1, 5), dt.datetime(2022, 1, 6), (8, 20))
    assert day == [(dt.datetime(2022, 1, 5, 8), dt.datetime(2022, 1, 5, 20))]


def test_kazakhstan_actions():
    s = load_scenario("kazakhstan-2022", ["steps_per_day=24"])
    actions = compile_timeline(s)
    assert [a.step for a in actions] == sorted(a.step for a in actions)
    csto = [a for a in actions if a.event == "csto"]
    event = next(e for e in s.events if e.name == "csto")
    troops = event.troops["Almaty"]
    freed = troops * event.frees_police_per_troop
    assert (troops, round(freed)) == (2030, 1604)  # the fact sheet: 2,030 troops freeing about 1,600
    assert [(a.region, a.kind, a.value) for a in csto if a.kind != "legitimacy_add"] == [
        ("Almaty", "officers", freed), ("Almaty", "troops", troops), ("Almaty", "officers", -freed),
        ("Almaty", "troops", -troops)]
    # the troops' legitimacy cost is part of their event, everywhere, on arrival
    assert sorted(a.region for a in csto if a.kind == "legitimacy_add") == sorted(s.region_names)
    assert {(a.step, a.value) for a in csto if a.kind == "legitimacy_add"} == {(csto[0].step, event.legitimacy)}
    police = officers(next(r for r in s.regions if r.name == "Almaty"))
    almaty = Controls(hardship_offset=0.0, legitimacy=0.85, officers=police)
    when = dt.datetime(2022, 1, 7, 2)
    for a in actions:
        if a.region == "Almaty" and a.step <= step_at(s, when):
            a.apply(almaty)
    assert almaty.arrest_factor > 1 and almaty.curfew  # 02:00 on 7 Jan: emergency, curfew on
    assert abs(almaty.officers - (police + freed)) < 1e-9
    shocks: dict[float, float] = {}  # by the share of the citizens reached (rule Exposure)
    for e in s.events:
        if e.type == "hardship" and e.at <= when and "Almaty" in e.region_names(s.region_names):
            shocks[e.share] = shocks.get(e.share, 0.0) + e.by_region.get("Almaty", e.add)
    moves = sum(e.add for e in s.events if e.type == "legitimacy" and e.at <= when) + event.legitimacy
    assert abs(almaty.hardship_offset - shocks.pop(1.0, 0.0)) < 1e-12
    assert almaty.partial_offsets.keys() == shocks.keys()
    assert all(abs(almaty.partial_offsets[k] - v) < 1e-12 for k, v in shocks.items())
    assert abs(almaty.legitimacy - (0.85 + moves)) < 1e-12


def test_a_shutdowns_anger_fades_by_its_half_life_whatever_the_step_length():
    """Rule Shutdown, fading anger: the anger a day holds halves every half-life, on 6-hour
    and on hourly steps alike; without a half-life the anger is set once and holds."""
    from qantar.rules.mechanisms import faded_anger

    def daily_anger(steps_per_day: int, half_life) -> list[float]:
        s = load_scenario("kazakhstan-2022", [f"steps_per_day={steps_per_day}", "events.shutdown.anger=0.02"]
                          + ([f"events.shutdown.anger_half_life_hours={half_life}"] if half_life else []))
        if half_life is None:  # the built-in's anger fades (calibrated): take the half-life away
            s = s.model_copy(update={"events": [e.model_copy(update={"anger_half_life_hours": None})
                                                if e.name == "shutdown" else e for e in s.events]})
        controls = Controls(0.0, 0.5, 0.0)
        by_step = {}
        for a in compile_timeline(s):
            if a.event == "shutdown" and a.region == "Almaty":
                a.apply(controls)
                by_step[a.step] = controls.anger
        angers, held = [], 0.0
        for t in range(1, s.steps + 1):  # the anger in force at each step, carried between actions
            held = by_step.get(t, held)
            angers.append(held)
        day = step_at(s, dt.datetime(2022, 1, 6)) - 1  # 6, 7 and 8 January: whole days of the shutdown
        return [sum(angers[day + d * steps_per_day:day + (d + 1) * steps_per_day]) / steps_per_day
                for d in range(3)]

    coarse, fine = daily_anger(4, 24), daily_anger(24, 24)
    for c, f in zip(coarse, fine):
        assert abs(c - f) < 1e-12  # the same day's anger on either step
    assert abs(coarse[1] / coarse[0] - 0.5) < 0.02 and abs(coarse[2] / coarse[1] - 0.5) < 0.02
    assert daily_anger(4, None) == [0.02, 0.02, 0.02]
    assert faded_anger(0.02, 0.0, 6.0, None) == 0.02
    # the mean over a step is the integral of the fading anger: 24 h from the start hold 3/4 of a constant's
    assert abs(faded_anger(0.02, 0.0, 48.0, 24.0) * 48.0 - 0.02 * 24.0 / math.log(2.0) * 0.75) < 1e-12
