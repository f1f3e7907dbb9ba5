"""A scenario run: reproducible, and each event acts on the controls it should, when it should."""

import datetime as dt
import math

import numpy as np

from qantar.experiments.scenario_run import COUNT_COLUMNS, run_ensemble, run_scenario
from qantar.scenario.schema import Scenario
from qantar.scenario.timeline import step_at


def tiny(**changes) -> Scenario:
    """Two small regions over two days, hourly steps; events as given."""
    data = {
        "name": "tiny", "start": "2022-01-01T00:00:00", "days": 2, "steps_per_day": 24, "scale": 10,
        "model": {"legitimacy": 0.85, "hardship": {"low": 0.0, "high": 0.6}},
        "regions": [{"name": "A", "population": 8000, "police_per_100k": 500},
                    {"name": "B", "population": 6000, "police_per_100k": 500}],
        "links": [{"between": ["A", "B"]}],
        "events": [], "sources": {"s": {"title": "test"}},
    } | changes
    return Scenario.model_validate(data)


def event(**fields) -> dict:
    return {"source": "s", **fields}


def test_same_seed_same_run_and_seeds_differ():
    s = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4)])
    a, b, c = run_scenario(s, 5), run_scenario(s, 5), run_scenario(s, 6)
    assert np.array_equal(a.counts, b.counts) and not np.array_equal(a.counts, c.counts)
    assert a.counts.shape == (2, 49, len(COUNT_COLUMNS))


def test_hardship_shock_raises_protest_from_its_step_and_only_where_it_falls():
    quiet = run_scenario(tiny(), 1)
    s = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", regions=["A"], add=0.4)])
    shocked = run_scenario(s, 1)
    t = step_at(s, dt.datetime(2022, 1, 1, 3))
    assert quiet.counts[:, :, 1].max() == 0  # G <= 0.6 x 0.15 < T: nobody can act
    assert shocked.counts[0, :t, 1].max() == 0 and shocked.counts[0, t:, 1].max() > 0
    assert shocked.counts[1, :, 1].max() == 0  # B: no shock, no news


def test_news_carries_protest_along_links():
    events = [event(name="shock", type="hardship", at="2022-01-01T03:00:00", regions=["A"], add=0.4)]
    silent = run_scenario(tiny(events=events), 2)
    heard = run_scenario(tiny(events=events, news={"gain": 0.3, "linked": 1.0}), 2)
    assert silent.counts[1, :, 1].max() == 0 and heard.counts[1, :, 1].max() > 0
    cut = run_scenario(tiny(events=events + [event(name="cut", type="shutdown", at="2022-01-01T00:00:00",
                                                   regions=["B"])], news={"gain": 0.3, "linked": 1.0}), 2)
    assert cut.counts[1, :, 1].max() == 0  # the shutdown cuts B off from A's news


def test_police_emergency_and_curfew_act_in_their_hours():
    s = tiny(events=[
        event(name="more-police", type="police", at="2022-01-01T06:00:00", regions=["A"], officers=100),
        event(name="soe", type="emergency", at="2022-01-01T12:00:00", until="2022-01-02T12:00:00", regions=["B"],
              arrest_factor=2.0, curfew=[22, 6]),
    ])
    run = run_scenario(s, 3)
    t6, t12 = step_at(s, dt.datetime(2022, 1, 1, 6)), step_at(s, dt.datetime(2022, 1, 1, 12))
    assert run.cops[0, t6 - 1] == 4 and run.cops[0, t6] == 14  # 40 officers / 10, then 140 / 10
    k = run.arrest_constant[1]
    assert k[t12 - 1] == 2.3 and k[t12] == 4.6 and k[-1] == 2.3
    hours = [t.hour for t, on in zip(run.times[:-1], run.curfew[1, 1:]) if on]  # row t+1: step t+1 ran
    assert sorted(set(hours)) == [0, 1, 2, 3, 4, 5, 22, 23]  # the steps starting 22:00-05:00


def test_restraint_holds_arrests_back_until_an_emergency_sets_its_own_rate():
    """Rule Restraint: with [restraint] arrest_rate 0.05, cops arrest far fewer than at the
    default 1 while protest is the same; an emergency with arrest_rate 1 ends the restraint
    in its region from its step, and only there."""
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.5)
    soe = event(name="soe", type="emergency", at="2022-01-02T00:00:00", regions=["A"], arrest_rate=1.0)
    detained = 3  # column "detained" (cumulative)
    free = run_scenario(tiny(events=[shock]), 4)
    held = run_scenario(tiny(events=[shock], restraint={"arrest_rate": 0.05}), 4)
    ended = run_scenario(tiny(events=[shock, soe], restraint={"arrest_rate": 0.05}), 4)
    day = step_at(tiny(), dt.datetime(2022, 1, 2))  # the first step of 2 January (hourly steps)
    for r in (0, 1):
        assert held.counts[r, day, detained] * 5 < free.counts[r, day, detained], (r, held.counts[r, day])
    assert np.array_equal(ended.counts[:, :day], held.counts[:, :day])  # the same run until the emergency
    gain = lambda run, r: run.counts[r, -1, detained] - run.counts[r, day, detained]  # noqa: E731
    assert gain(ended, 0) > 3 * gain(held, 0)  # A: no restraint under the emergency
    assert gain(ended, 1) < gain(free, 1) / 3  # B: still held back


def test_participation_scales_a_regions_grievance_and_only_its_own():
    """Rule Participation: region B at participation 0.5 has half the mean grievance it has
    at 1, news included, and protests less; A's run is the same up to B's news."""
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.3)  # G up to 0.135 > T
    regions = [{"name": "A", "population": 8000, "police_per_100k": 500},
               {"name": "B", "population": 6000, "police_per_100k": 500, "participation": 0.5}]
    full = run_scenario(tiny(events=[shock], news={"gain": 0.02}), 2)
    half = run_scenario(tiny(events=[shock], news={"gain": 0.02}, regions=regions), 2)
    assert np.allclose(half.grievance[1, :2], full.grievance[1, :2] / 2)  # before any news differs
    assert np.array_equal(half.grievance[0, :2], full.grievance[0, :2])
    assert half.counts[1, :, 1].max() < full.counts[1, :, 1].max() / 2


def test_ensemble_seeds_are_spawned():
    s = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4)])
    runs = run_ensemble(s, 3, entropy=9, workers=1)
    again = run_scenario(s, np.random.SeedSequence(9).spawn(3)[2])
    assert len(runs) == 3 and np.array_equal(runs[2].counts, again.counts)
    assert [r.index for r in runs] == [0, 1, 2]


def test_ensemble_on_a_process_pool_equals_the_serial_one():
    """Two worker processes give the same runs, seed for seed, in run order."""
    s = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4)])
    done = []
    pooled = run_ensemble(s, 4, entropy=5, workers=2, on_run_done=done.append)
    serial = run_ensemble(s, 4, entropy=5, workers=1)
    assert [r.index for r in pooled] == [0, 1, 2, 3] and sorted(done) == [1, 2, 3, 4]
    for a, b in zip(pooled, serial):
        assert np.array_equal(a.counts, b.counts) and np.array_equal(a.cops, b.cops)


def test_lethal_force_clashes_defection_and_backlash():
    """An order to fire kills from its hour on; clashes kill police where they are
    outnumbered; overwhelmed police defect; backlash turns killings into grievance."""
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    fire = event(name="fire", type="lethal-force", at="2022-01-01T12:00:00", probability=0.5)
    calm = run_scenario(tiny(events=[shock]), 4)
    regions = [{"name": "A", "population": 8000, "police_per_100k": 2000},
               {"name": "B", "population": 6000, "police_per_100k": 2000}]
    s = tiny(events=[shock, fire], regions=regions, clashes={"ratio": 2.0, "probability": 0.02},
             defection={"probability": 0.05, "ratio": 2.0, "join": True, "regions": ["A"]},
             backlash={"per_share": 5.0})
    run = run_scenario(s, 4)
    t = step_at(s, dt.datetime(2022, 1, 1, 12))
    killed = run.counts[:, :, 4].sum(axis=0)
    assert calm.counts[:, -1, 4].sum() == 0 and killed[t - 1] == 0 and killed[-1] > 0
    assert run.counts[:, -1, 5].sum() > 0  # security killed in clashes
    assert run.counts[0, -1, 6] > 0 and run.counts[1, -1, 6] == 0  # defection only in A
    # cops on the streets fall as police are killed or defect
    assert run.cops[0, -1] == run.cops[0, 0] - run.counts[0, -1, 5] - run.counts[0, -1, 6]
    assert run.regions == ["A", "B"]


def killing_scenario(**changes) -> Scenario:
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    fire = event(name="fire", type="lethal-force", at="2022-01-01T12:00:00", probability=0.5)
    regions = [{"name": "A", "population": 8000, "police_per_100k": 2000},
               {"name": "B", "population": 6000, "police_per_100k": 2000}]
    return tiny(events=[shock, fire], regions=regions, clashes={"ratio": 2.0, "probability": 0.02}, **changes)


def test_casualties_count_the_killed_in_people_without_changing_the_run():
    """Rule Casualties: the same run (the world's stream untouched), with each killed agent's
    people dying one by one, in the measures and in the stored series (whole numbers)."""
    from qantar.analysis.scenario_measures import measure_run
    from qantar.storage.scenario import run_table

    literal = run_scenario(killing_scenario(), 4)
    counted = run_scenario(killing_scenario(casualties={"civilian_death_probability": 0.3, "security_death_probability": 0.2}), 4)
    assert np.array_equal(literal.counts, counted.counts)
    civ, sec = counted.counts[:, -1, 4].sum(), counted.counts[:, -1, 5].sum()
    assert civ > 0 and sec > 0
    # unset: every person at risk dies if the kernel's draw would kill them; in expectation the
    # people of the agents killed (scale 10), drawn person by person
    fired, outnumbered = (counted.counts[:, -1, COUNT_COLUMNS.index(c)].sum() for c in ("fired_on", "outnumbered"))
    expected = 10 * (0.5 * fired + 0.02 * outnumbered)
    assert abs(measure_run(literal)["killed"] - expected) < 4 * math.sqrt(expected)
    assert abs(expected - 10 * (civ + sec)) < 4 * math.sqrt(expected)
    m = measure_run(counted)
    assert 0 <= m["security_killed"] <= 10 * outnumbered and 0 < m["civilians_killed"] <= 10 * fired
    assert m["detained"] == measure_run(literal)["detained"]  # only the killed change
    assert run_scenario(killing_scenario(casualties={"civilian_death_probability": 0.3}), 4).people("civilians_killed") \
        .tolist() == counted.people("civilians_killed").tolist()  # same seed, same dead
    rows = run_table(0, counted)
    last = [r for r in rows.to_pylist() if r["region"] == "national"][-1]
    assert (last["civilians_killed"], last["security_killed"]) == (m["civilians_killed"], m["security_killed"])
    assert all(rows.schema.field(c).type == "int64" for c in ("active", "detained", "civilians_killed", "cops"))


def test_the_dead_are_counted_person_by_person():
    """The toll over runs is not on the lattice of a toll per agent killed (the old rule's 3
    of an agent's 10 people), and its mean is the probability's 3 a killing."""
    s = killing_scenario(casualties={"civilian_death_probability": 0.3, "security_death_probability": 0.2})
    runs = [run_scenario(s, seed) for seed in range(12)]
    tolls = np.array([r.people("civilians_killed")[:, -1].sum() for r in runs])
    agents = np.array([r.counts[:, -1, 4].sum() for r in runs])
    assert np.any(tolls % 3 != 0)  # the old rule: 3 x agents killed, always a multiple of 3
    assert abs(tolls.sum() / agents.sum() - 3) < 0.25  # binomial(10, 0.3) a killing: mean 3


def test_the_dead_before_a_step_do_not_depend_on_what_comes_after_or_elsewhere():
    """Each region's column draws its dead from its own stream, in step order: two runs whose
    risks agree up to a step have the same dead up to it, a region's dead do not move
    with another region's risks, nor the civilians' with the security's; the security dead
    are the outnumbered's plus those who took on armed provocateurs (rule Resistance), each
    column drawn from its own stream, so a column of no risks leaves the others' draws as
    they were."""
    from qantar.experiments.scenario_run import RISK_COLUMNS, count_the_dead

    s = killing_scenario(casualties={"civilian_death_probability": 0.3, "security_death_probability": 0.2})
    fired_on, outnumbered = COUNT_COLUMNS.index("fired_on"), COUNT_COLUMNS.index("outnumbered")
    resisted = COUNT_COLUMNS.index("resisted")
    counts = np.zeros((2, 40, len(COUNT_COLUMNS)), np.int64)
    kill = np.full((2, 40, len(RISK_COLUMNS)), 0.5)
    steps = np.arange(40)
    counts[:, :, fired_on] = steps // 3  # actives fired on, cumulative agents
    counts[:, :, outnumbered] = steps // 5  # cop turns outnumbered
    later = counts.copy()
    later[:, 25:, fired_on] += 7  # more fired on from step 25 on (a later event)
    later[:, 30:, outnumbered] += 4
    elsewhere = counts.copy()
    elsewhere[1, 10:, [fired_on, outnumbered]] += 3  # region B alone, from step 10
    other_column = counts.copy()
    other_column[:, 5:, outnumbered] += 2  # more security at risk only
    harsher = kill.copy()
    harsher[:, 20:, 0] = 0.9  # a harsher order to fire from step 20

    def dead(c, k=kill, seed=9):
        return count_the_dead(s, c, k, seed)

    base = dead(counts)
    assert base[:, -1].sum() > 0
    assert np.array_equal(dead(later)[:, :25, 0], base[:, :25, 0])
    assert np.array_equal(dead(later)[:, :30, 1], base[:, :30, 1])
    assert not np.array_equal(dead(later)[:, 25:, 0], base[:, 25:, 0])
    assert np.array_equal(dead(elsewhere)[0], base[0])
    assert np.array_equal(dead(elsewhere)[1, :10], base[1, :10])
    assert np.array_equal(dead(other_column)[:, :, 0], base[:, :, 0])
    assert np.array_equal(dead(counts, harsher)[:, :20], base[:, :20])
    assert dead(counts, harsher)[:, -1, 0].sum() > base[:, -1, 0].sum()
    assert not np.array_equal(dead(counts, seed=10), base)  # another seed, other dead
    assert not dead(counts, np.zeros_like(kill)).any()  # no chance of killing, no dead
    armed = counts.copy()
    armed[:, :, resisted] = steps // 4  # cops who took on an armed provocateur
    both = dead(armed)
    assert np.array_equal(both[:, :, 0], base[:, :, 0])  # the civilians' dead as they were
    assert (both[:, :, 1] >= base[:, :, 1]).all() and both[:, -1, 1].sum() > base[:, -1, 1].sum()
    alone = armed.copy()
    alone[:, :, outnumbered] = 0
    assert np.array_equal(both[:, :, 1] - base[:, :, 1], dead(alone)[:, :, 1])  # its own stream, added


def test_people_killed_is_binomial_per_person_at_risk():
    from qantar.rules.mechanisms import people_killed

    rng = np.random.default_rng(1)
    draws = people_killed(np.full(4000, 1), 200, 0.5, 0.406, rng)  # 200 people at risk, 0.203 each
    assert abs(draws.mean() - 40.6) < 0.5 and 0 < draws.min() and draws.max() < 200
    assert len(np.unique(draws)) > 20  # not steps of 40.6
    # the toll in people does not depend on the people per agent: twice the agents of half
    # the people give the same dead, on average
    halves = people_killed(np.full(8000, 1), 100, 0.5, 0.406, rng)
    assert abs(halves.sum() / draws.sum() - 1) < 0.02
    assert people_killed(np.array([3]), 2.5, 1.0, None, rng).tolist() == [8]  # 7.5 people, rounded
    assert people_killed(np.array([[0, 3]]), 200, 1.0, None, rng).tolist() == [[0, 600]]
    per_step = people_killed(np.array([1000, 1000]), 10, np.array([0.0, 0.1]), 0.5, rng)
    assert per_step[0] == 0 and abs(per_step[1] - 500) < 100  # each step's own chance


def test_the_dead_come_from_the_people_at_risk_in_a_run():
    """In a run, the dead are drawn from those put at risk with the kernel's chance then in
    force: an order to fire with probability 1 and every person dying kills exactly the
    people of the actives fired on."""
    fire = event(name="fire", type="lethal-force", at="2022-01-01T06:00:00", probability=1.0)
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    run = run_scenario(tiny(events=[shock, fire], casualties={"civilian_death_probability": 1.0}), 8)
    fired = run.counts[:, :, COUNT_COLUMNS.index("fired_on")]
    assert fired[:, -1].sum() > 0
    assert np.array_equal(fired, run.counts[:, :, COUNT_COLUMNS.index("civilians_killed")])
    assert np.array_equal(run.people("civilians_killed"), fired * run.scenario.scale)
    assert (run.kill_probability[:, :, 0] == 1.0).any() and (run.kill_probability[:, 0, 0] == 0).all()


def test_armed_provocateurs_kill_the_cops_who_take_them_on():
    """Rule Resistance in a run: provocateurs whose resistance is 1 kill every cop whose
    enforcement picks one of them, and with every officer dying the security dead are the
    people of exactly those cops; without resistance nobody is put at risk so."""
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    armed = event(name="armed", type="provocateurs", at="2022-01-01T02:00:00", people=400, resistance=1.0)
    unarmed = event(name="armed", type="provocateurs", at="2022-01-01T02:00:00", people=400)
    run = run_scenario(tiny(events=[shock, armed], casualties={"security_death_probability": 1.0}), 8)
    resisted = run.counts[:, :, COUNT_COLUMNS.index("resisted")]
    assert resisted[:, -1].sum() > 0
    assert np.array_equal(resisted, run.counts[:, :, COUNT_COLUMNS.index("security_killed")])
    assert np.array_equal(run.people("security_killed"), resisted * run.scenario.scale)
    assert (run.kill_probability[:, 3:, 2] == 1.0).all() and (run.kill_probability[:, 0, 2] == 0).all()
    calm = run_scenario(tiny(events=[shock, unarmed]), 8)
    assert not calm.counts[:, :, COUNT_COLUMNS.index("resisted")].any()


def test_backlash_changes_the_run_only_after_a_killing():
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    fire = event(name="fire", type="lethal-force", at="2022-01-01T12:00:00", probability=0.5)
    runs = [run_scenario(tiny(events=[shock, fire], backlash={"per_share": b}), 8) for b in (0.0, 20.0)]
    killed = runs[0].counts[:, :, 4].sum(axis=0)
    first = int(np.flatnonzero(killed > 0)[0])  # the first row with a killing
    assert np.array_equal(runs[0].counts[:, : first + 1], runs[1].counts[:, : first + 1])
    assert runs[1].counts[:, :, 1].sum() > runs[0].counts[:, :, 1].sum()  # anger brings more out


def test_fear_keeps_crowds_home_while_the_order_is_in_force():
    """Rule Fear: an order to fire with fear f adds f to the P of rule N for every citizen
    (net risk R (P + f)), in crowds too, where NetLogo's floor(C/A) gives P = 0; the run is
    the same until the order, fewer are out under it, and the knob is off again after."""
    shock = event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4)
    s = {f: tiny(events=[shock, event(name="fire", type="lethal-force", at="2022-01-01T12:00:00",
                                      until="2022-01-02T00:00:00", probability=0.01, fear=f)]) for f in (0.0, 0.3)}
    runs = {f: run_scenario(sc, 8) for f, sc in s.items()}
    t, end = step_at(s[0.0], dt.datetime(2022, 1, 1, 12)), step_at(s[0.0], dt.datetime(2022, 1, 2))
    assert np.array_equal(runs[0.0].counts[:, :t], runs[0.3].counts[:, :t])  # the same until the order
    out = {f: r.counts[:, t + 1:end, 1].sum() for f, r in runs.items()}
    assert out[0.3] < out[0.0] / 2, out  # measured: 284 against 7,040 agent-steps
    after = {f: r.counts[:, end + 2:, 1].sum() for f, r in runs.items()}  # the order's until ends the fear
    assert after[0.3] > after[0.0] / 2, after  # measured: 11,737 against 11,231

    from qantar.experiments.scenario_run import build_regions
    from qantar.engine.state import K_FEAR
    region = build_regions(s[0.3], 1)[0]
    region.controls.fears.update({"fire": 0.3, "other": 0.1})  # the largest in force counts
    region.sync()
    assert region.world.agents.knobs[K_FEAR] == 0.3
    region.controls.fears.clear()
    region.sync()
    assert region.world.agents.knobs[K_FEAR] == 0.0


def test_sweeps_detain_those_who_protested_after_the_crowd_went_home():
    """Rule Sweeps: a shock brings people out, a concession sends them home; sweeps from
    then on detain those of them at home at rate_per_day, so that detentions go on rising
    after the streets are empty, in the regions named only; the run is the same until the
    sweep, and the knob is each step's chance from the rate (1 - exp(-rate x 1 h / 24 h))."""
    events = [event(name="shock", type="hardship", at="2022-01-01T01:00:00", add=0.4),
              event(name="concession", type="hardship", at="2022-01-01T08:00:00", add=-0.4)]
    sweep = event(name="sweep", type="sweeps", at="2022-01-01T12:00:00", until="2022-01-02T12:00:00",
                  regions=["A"], rate_per_day=2.0)
    plain, swept = (run_scenario(tiny(events=e), 4) for e in (events, events + [sweep]))
    t, end = step_at(swept.scenario, dt.datetime(2022, 1, 1, 12)), step_at(swept.scenario, dt.datetime(2022, 1, 2, 12))
    assert np.array_equal(plain.counts[:, :t], swept.counts[:, :t])
    assert swept.counts[0, t:, 1].max() == 0  # nobody out once the sweep starts
    jailed = {name: r.counts[0, :, 2] for name, r in (("plain", plain), ("swept", swept))}
    assert jailed["swept"][end] > jailed["swept"][t] and jailed["plain"][end] == jailed["plain"][t], jailed
    assert np.array_equal(swept.counts[1], plain.counts[1])  # B: no sweep there
    assert swept.counts[0, end:, 2].max() == swept.counts[0, end, 2]  # none detained after until

    from qantar.engine.state import K_SWEEP
    from qantar.experiments.scenario_run import build_regions
    from qantar.scenario.timeline import compile_timeline

    on = [a for a in compile_timeline(swept.scenario) if a.kind == "sweeps_on"]
    assert [(a.region, round(a.value, 12)) for a in on] == [("A", round(1 - np.exp(-2.0 / 24), 12))]
    region = build_regions(swept.scenario, 1)[0]
    region.controls.sweeps.update({"sweep": 0.5, "other": 0.5})  # independent sweeps: 1 - 0.5 x 0.5
    region.sync()
    assert region.world.agents.knobs[K_SWEEP] == 0.75


def test_lost_police_are_not_replaced_by_rounding():
    """500 officers at 200 people an agent are 3 cops (2.5, rounded half up). A cop killed
    leaves 2, and a later sync (any event in the region) must not bring it back, as Python's
    half-to-even rounding of the officers left (300 / 200 = 1.5 -> 2) once did."""
    from qantar.experiments.scenario_run import build_regions

    s = tiny(scale=200, regions=[{"name": "A", "population": 100000, "police_per_100k": 500}], links=[])
    region = build_regions(s, 1)[0]
    assert region.world.n_cops == 3
    region.world.remove_cops(1)  # as a clash would: off the streets, and counted as lost
    region.world.agents.losses[1] += 1
    region.sync()
    assert region.world.n_cops == 2


def test_provocateurs_act_and_bring_harsher_policing():
    """Provocateurs are active whatever their grievance (here nobody else can be), and the
    arrest constant rises while they operate; they stand down at until."""
    s = tiny(events=[event(name="agents", type="provocateurs", at="2022-01-01T06:00:00",
                           until="2022-01-01T18:00:00", regions=["A"], people=30, arrest_factor=1.5)])
    run = run_scenario(s, 2)
    t6, t18 = step_at(s, dt.datetime(2022, 1, 1, 6)), step_at(s, dt.datetime(2022, 1, 1, 18))
    active, jailed = run.counts[0, :, 1], run.counts[0, :, 2]
    assert active[: t6].max() == 0 and (active[t6:t18] + jailed[t6:t18]).min() > 0
    assert run.counts[1, :, 1].max() == 0  # B has none
    assert run.arrest_constant[0, t6] == 2.3 * 1.5 and run.arrest_constant[0, t18] == 2.3
    assert active[t18 + 1:].max() == 0  # stood down: quiet again once out of jail


def test_legitimacy_feedback_troops_and_mean_grievance_are_recorded():
    shock = event(name="shock", type="hardship", at="2022-01-01T03:00:00", regions=["A"], add=0.4)
    troops = event(name="allies", type="foreign-troops", at="2022-01-01T06:00:00", until="2022-01-01T12:00:00",
                   troops={"B": 50}, frees_police_per_troop=1.0)
    plain = run_scenario(tiny(events=[shock, troops]), 3)
    fed = run_scenario(tiny(events=[shock, troops], legitimacy_feedback={"jailed": 2.0}), 3)
    t3, t6, t12 = (step_at(plain.scenario, dt.datetime(2022, 1, 1, h)) for h in (3, 6, 12))
    assert (plain.legitimacy == 0.85).all()
    jailed = fed.counts[0, :, 2] > 0
    assert jailed.any() and (fed.legitimacy[0, 1:][jailed[:-1]] < 0.85).all()  # L falls once people are jailed
    assert plain.troops[1, t6 - 1] == 0 and plain.troops[1, t6] == 50 and plain.troops[1, t12] == 0
    assert plain.cops[1, t6] == plain.cops[1, t6 - 1] + 5  # 50 freed officers at 10 people an agent
    g = plain.grievance[0]
    assert g[t3] > g[t3 - 1] and np.isclose(g[0], 0.15 * plain.scenario.model.hardship.high / 2, atol=0.01)


def test_a_shock_of_a_share_reaches_that_share_and_its_concession_the_same_people():
    """Rule Exposure: a shock of share 0.25 raises the hardship of a quarter of the citizens;
    a concession of the same share undoes it for the same people, one of 0.1 reaches some of
    them; events of share 1 (the default) reach everyone, and without a share below 1 the
    run draws nothing more (the same run as before the rule)."""
    from qantar.experiments.scenario_run import build_regions

    shock = event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4, share=0.25)
    cap = event(name="cap", type="hardship", at="2022-01-01T12:00:00", add=-0.4, share=0.25)
    narrow = event(name="narrow", type="hardship", at="2022-01-01T12:00:00", add=0.2, share=0.1)
    s = tiny(events=[shock, cap, narrow])
    for r in build_regions(s, 1):
        n = len(r.citizens)
        reached = {share: math.ceil(share * n - 0.5) for share in (0.25, 0.1)}  # share x n, halves down
        r.controls.partial_offsets = {0.25: 0.4}
        r.sync()
        raised = r.world.agents.hardship[r.citizens] > r.base_hardship
        assert raised.sum() == reached[0.25]
        r.controls.partial_offsets = {0.25: 0.0, 0.1: 0.2}
        r.sync()
        narrow_raised = r.world.agents.hardship[r.citizens] > r.base_hardship
        assert narrow_raised.sum() == reached[0.1] and not (narrow_raised & ~raised).any()
    everyone = [event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4)]
    assert np.array_equal(run_scenario(tiny(events=everyone), 3).counts,
                          run_scenario(tiny(events=[dict(everyone[0], share=1.0)]), 3).counts)
    few = run_scenario(tiny(events=[shock]), 3)
    assert 0 < few.counts[:, :, 1].max() < run_scenario(tiny(events=everyone), 3).counts[:, :, 1].max()


def test_a_ramped_shock_comes_in_equal_parts_at_each_step_of_its_hours():
    from qantar.scenario.timeline import compile_timeline

    ramped = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4, ramp_hours=4,
                                regions=["A"])])
    parts = [(a.step, a.value) for a in compile_timeline(ramped)]
    assert [t for t, _ in parts] == [4, 5, 6, 7] and np.allclose([v for _, v in parts], 0.1)
    at_once = tiny(events=[event(name="shock", type="hardship", at="2022-01-01T03:00:00", add=0.4, regions=["A"])])
    assert [(a.step, a.value) for a in compile_timeline(at_once)] == [(4, 0.4)]
    run = run_scenario(ramped, 2)
    assert run.counts[0, :4, 1].max() == 0  # nothing before the ramp starts
