"""The compiled kernel against the plain-Python reference: identical trajectories.

Both start from the same initial world and a copy of the same generator; after every step
every agent's kind, state, jail term and position must agree. Worlds are small (the
reference is slow on purpose) but cover every rule set, both jail-term extremes (0, finite,
life), movement on and off, crowded and sparse grids, unequal visions, and the mid-run
controls (legitimacy, k, cops added and removed, hardship edited).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qantar import Params, World, rule_set
from qantar.engine.reference import ReferenceWorld
from qantar.engine.state import COP, DEAD, PROVOCATEUR
from tests.engine.strategies import RULES, small_params


def assert_same(world: World, ref: ReferenceWorld, step: int) -> None:
    a = world.agents
    for name in ("kind", "state", "jail", "pos", "hardship", "risk_aversion", "flags"):
        got, want = getattr(a, name).tolist(), getattr(ref, name)
        assert got == want, f"{name} differs after step {step}"
    assert world.counts().tolist() == ref.counts()
    assert world.arrests == ref.arrests, f"arrests differ after step {step}"
    assert world.agents.losses.tolist() == ref.losses, f"losses differ after step {step}"
    # the counts World keeps between steps instead of scanning, against the reference's lists
    assert world.n_cops == sum(k == COP and s != DEAD for k, s in zip(ref.kind, ref.state)), f"n_cops after step {step}"
    assert world.n_provocateurs == sum(bool(f & PROVOCATEUR) for f in ref.flags), f"n_provocateurs after step {step}"


def run_both(params: Params, rules, seed: int, steps: int, controls=None) -> tuple[World, ReferenceWorld]:
    """Both engines from one world, ``controls[t]`` applied to both before step t; checked
    after every step. Returns them, for checks of what happened."""
    world = World.build(params, rules, seed=seed)
    ref = ReferenceWorld.from_world(world)
    assert_same(world, ref, 0)
    for t in range(1, steps + 1):
        if controls and t in controls:
            for target in (world, ref):
                controls[t](target)
        world.run(1)
        ref.step()
        assert_same(world, ref, t)
    return world, ref


@pytest.mark.parametrize("rules", RULES)
def test_default_vision_on_a_small_torus(rules):
    """Vision 7 (149 or 112 cells) on the smallest grid it fits, L low enough to burst."""
    params = Params(width=15, height=15, legitimacy=0.6, max_jail_term=5)
    run_both(params, rule_set(rules), seed=11, steps=12)


@pytest.mark.parametrize("rules", RULES)
def test_interior_and_edge_paths(rules):
    """A non-square world much wider than the vision: the kernel's wrap-free paths (rule M's
    tries and cache updates away from the edges) and its wrapping ones both run."""
    params = Params(width=26, height=19, citizen_vision=3, cop_vision=2, legitimacy=0.55, max_jail_term=6)
    run_both(params, rule_set(rules), seed=5, steps=10)


@pytest.mark.parametrize("rules", RULES)
def test_mid_run_controls(rules):
    """Legitimacy, k and cop numbers changed between steps; hardship edited in place."""
    params = Params(width=9, height=9, citizen_vision=2, cop_vision=3, legitimacy=0.9, max_jail_term=4)

    def edit_hardship(w):
        h = w.hardship if isinstance(w, ReferenceWorld) else w.agents.hardship
        for i in range(0, len(h), 3):
            h[i] = 1.0

    controls = {
        3: lambda w: w.set_legitimacy(0.3),
        5: lambda w: w.add_cops(4),
        7: lambda w: w.set_arrest_constant(0.5),
        9: lambda w: w.remove_cops(5),
        11: edit_hardship,
        12: lambda w: w.set_grievance_shift(0.15),
        4: lambda w: w.make_provocateurs(4),
        13: lambda w: w.clear_provocateurs(),
    }
    run_both(params, rule_set(rules), seed=3, steps=14, controls=controls)


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize("join", [False, True])
def test_scenario_knobs_lethal_force_clashes_defection(rules, join):
    """The scenarios' kernel mechanisms: lethal force with its fear (rule Fear), clashes that
    kill cops, armed provocateurs who kill the cops enforcing against them (rule Resistance),
    and cops defecting (going home or joining), switched on mid-run; the test also checks
    that each happened (every entry of ``losses``), so that it compares something."""
    params = Params(width=12, height=12, citizen_vision=2, cop_vision=2, legitimacy=0.3, cop_density=0.06,
                    citizen_density=0.6, max_jail_term=6)
    knobs = {"lethal_probability": 0.3, "clash_ratio": 0.5, "clash_probability": 0.05,
             "defection_probability": 0.05, "defection_ratio": 1.0, "defect_to_join": join, "fear": 0.2,
             "resistance_probability": 0.4}

    def armed(w):
        w.set_knobs(**knobs)
        w.make_provocateurs(12)

    controls = {2: armed, 9: lambda w: w.set_knobs(lethal_probability=0.0, fear=0.0),
                11: lambda w: w.add_cops(3), 12: lambda w: w.remove_cops(1)}
    world = World.build(params, rule_set(rules), seed=21)
    ref = ReferenceWorld.from_world(world)
    for t in range(1, 16):
        if t in controls:
            for target in (world, ref):
                controls[t](target)
        world.run(1)
        ref.step()
        assert_same(world, ref, t)
    assert min(ref.losses) > 0, ref.losses


@pytest.mark.parametrize("rules", RULES)
def test_restraint_agrees_and_holds_arrests_back(rules):
    """Rule Restraint: a cop with actives in sight holds back with hold_back_probability
    (one draw after the clash's, before the arrestee's index). The kernel and the reference
    agree with it on, mixed with clashes and lethal force; and it does hold back: fewer
    arrests than the same world without it, and none at probability 1."""
    params = Params(width=14, height=14, citizen_vision=2, cop_vision=2, legitimacy=0.3, cop_density=0.06,
                    citizen_density=0.6, max_jail_term=6)
    knobs = {"hold_back_probability": 0.8, "clash_ratio": 0.5, "clash_probability": 0.05,
             "lethal_probability": 0.2}
    world = World.build(params, rule_set(rules), seed=5)
    ref = ReferenceWorld.from_world(world)
    for t in range(1, 13):
        if t == 2:
            for target in (world, ref):
                target.set_knobs(**knobs)
        world.run(1)
        ref.step()
        assert_same(world, ref, t)
    arrests = {}
    for hold_back in (0.0, 0.8, 1.0):
        w = World.build(params, rule_set(rules), seed=5)
        w.set_knobs(hold_back_probability=hold_back)
        w.run(12)
        arrests[hold_back] = int(w.agents.arrests[0])
    assert arrests[0.0] > arrests[0.8] > arrests[1.0] == 0, arrests


@pytest.mark.parametrize("rules", RULES)
def test_sweeps_agree_and_detain_those_who_protested(rules):
    """Rule Sweeps: a free citizen at home who has protested (flag PROTESTED, set by rule A)
    is detained at the start of its turn with sweep_probability. The kernel and the
    reference agree with it on mid-run (after a burst, with legitimacy raised so that the
    crowd goes home), and off again; it detains: more arrests than without it, each of a
    citizen who had protested, and none of one who never had."""
    from qantar.engine.state import JAILED, PROTESTED

    params = Params(width=12, height=12, citizen_vision=2, cop_vision=2, legitimacy=0.3, citizen_density=0.6,
                    max_jail_term=None if rules == "paper" else 40)
    controls = {4: lambda w: w.set_legitimacy(0.95), 5: lambda w: w.set_knobs(sweep_probability=0.3),
                11: lambda w: w.set_knobs(sweep_probability=0.0)}
    world, _ = run_both(params, rule_set(rules), 8, 13, controls)
    plain = World.build(params, rule_set(rules), seed=8)
    plain.run(4)
    plain.set_legitimacy(0.95)
    plain.run(9)
    assert world.arrests > plain.arrests, (world.arrests, plain.arrests)
    a = world.agents
    jailed = a.state == JAILED
    assert jailed.any() and np.all(a.flags[jailed] & PROTESTED), "the detained had all protested"
    assert np.any((a.kind == 0) & ((a.flags & PROTESTED) == 0)), "some never protested"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=small_params(),
    rules=st.sampled_from(RULES),
    ratio=st.sampled_from(["continuous", "floor", "round_half_even"]),
    centre=st.booleans(),
    shape=st.sampled_from(["disk", "von_neumann", "moore"]),
    mesa_bug=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_worlds_agree(params, rules, ratio, centre, shape, mesa_bug, seed):
    rs = rule_set(rules, arrest_ratio=ratio, vision_includes_centre=centre, vision_shape=shape,
                  citizens_use_cop_vision=mesa_bug)
    run_both(params, rs, seed=seed, steps=6)


def test_same_seed_same_run_and_different_seeds_differ():
    params = Params(width=30, height=30, legitimacy=0.7)
    runs = [World.build(params, rule_set("netlogo"), seed=s).run(60) for s in (1, 1, 2)]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize("rules", RULES)
def test_daytime_agrees_and_keeps_people_away(rules):
    """Rule Daytime: one whom rule A makes active is kept away (quiet) with away_probability,
    drawn only for them. The kernel and the reference agree with it switched on mid-run at a
    share, with provocateurs (never kept away) and lethal force drawing too, then wholly on
    and off; and it keeps people away: fewer actives than the same world without it, and
    only the provocateurs out at probability 1."""
    from qantar.engine.state import ACTIVE

    params = Params(width=12, height=12, citizen_vision=2, cop_vision=2, legitimacy=0.3, citizen_density=0.6,
                    max_jail_term=6)

    def share(w):
        w.set_knobs(away_probability=0.6, lethal_probability=0.2)
        w.make_provocateurs(3)

    controls = {3: share, 7: lambda w: w.set_knobs(away_probability=1.0),
                9: lambda w: w.set_knobs(away_probability=0.0)}
    run_both(params, rule_set(rules), 4, 11, controls)
    actives = {}
    for away in (0.0, 0.6, 1.0):
        w = World.build(params, rule_set(rules), seed=4)
        w.run(3)
        w.set_knobs(away_probability=away)
        w.run(1)
        actives[away] = int(np.count_nonzero((w.agents.kind == 0) & (w.agents.state == ACTIVE)))
    assert actives[0.0] > actives[0.6] > actives[1.0] == 0, actives
