"""Model II's compiled kernel against its plain-Python reference: identical trajectories.

Both start from the same world and a copy of the same generator; after every step every
slot's kind, state, jail term, position, group, age, death age, H and R, and the step's
counts (per group, killed, died, born) must agree. The worlds are small and crowded enough
that killing, arrests, deaths of age and births all happen within the steps checked.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qantar import rule_set
from qantar.engine.intergroup_reference import FIELDS, InterGroupReference
from qantar.engine.intergroup_state import DEAD
from qantar.engine.intergroup_world import InterGroupWorld
from qantar.rules import InterGroupParams
from tests.engine.strategies import RULES


def assert_same(world: InterGroupWorld, ref: InterGroupReference, row, step: int) -> None:
    a = world.agents
    n = len(ref.kind)
    assert len(a.kind) >= n
    for name in FIELDS:
        assert getattr(a, name)[:n].tolist() == getattr(ref, name), f"{name} differs after step {step}"
    assert (a.state[n:] == DEAD).all(), f"the kernel has agents the reference lacks after step {step}"
    assert list(row) == ref.row(), f"counts differ after step {step}"


def run_both(params: InterGroupParams, rules, seed: int, steps: int, controls=None) -> np.ndarray:
    world = InterGroupWorld.build(params, rules, seed=seed)
    ref = InterGroupReference.from_world(world)
    assert_same(world, ref, world.counts(), 0)
    rows = []
    for t in range(1, steps + 1):
        if controls and t in controls:
            for target in (world, ref):
                controls[t](target)
        rows.append(world.run(1)[0])
        ref.step()
        assert_same(world, ref, rows[-1], t)
    return np.array(rows)


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize("legitimacy, cops", [(0.8, 0.0), (0.6, 0.08)])
def test_paper_vision_every_event_happens(rules, legitimacy, cops):
    """Vision 1.7 as in runs 6-8, with and without cops; peacekeepers deployed and some
    withdrawn mid-run. The test also asserts that every kind of event it means to cover
    (kills, deaths of age, births) did happen."""
    params = InterGroupParams(width=10, height=9, citizen_vision=1.7, cop_vision=1.7, legitimacy=legitimacy,
                              cop_density=cops, max_jail_term=4)
    controls = {12: lambda w: w.add_cops(5), 20: lambda w: w.remove_cops(2), 25: lambda w: w.set_legitimacy(0.5)}
    rows = run_both(params, rule_set(rules), seed=7, steps=30, controls=controls)
    assert rows[:, 6].sum() > 0 and rows[:, 7].sum() > 0 and rows[:, 8].sum() > 0


@pytest.mark.parametrize("rules", RULES)
def test_wider_vision_inherited_risk_and_short_lives(rules):
    """Unequal visions, children copying R, actives without a victim staying active, lives of
    at most 6 steps (slots freed and reused every step)."""
    params = InterGroupParams(width=11, height=12, citizen_vision=2.5, cop_vision=2.0, legitimacy=0.7,
                              cop_density=0.05, max_jail_term=3, max_age=6, clone_probability=0.3,
                              inherit_risk_aversion=True, active_without_victim=True)
    rows = run_both(params, rule_set(rules), seed=4, steps=20)
    assert rows[:, 7].sum() > 0 and rows[:, 8].sum() > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.sampled_from(RULES),
    size=st.integers(5, 9),
    citizens=st.floats(0.1, 0.95),
    cops=st.floats(0.0, 0.04),
    legitimacy=st.floats(0.0, 1.0),
    jail=st.sampled_from([None, 0, 2, 10]),
    movement=st.booleans(),
    clone=st.floats(0.0, 1.0),
    max_age=st.integers(0, 20),
    idle_active=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_worlds_agree(rules, size, citizens, cops, legitimacy, jail, movement, clone, max_age, idle_active,
                             seed):
    params = InterGroupParams(width=size, height=size, citizen_density=citizens, cop_density=min(cops, 1 - citizens),
                              citizen_vision=1.7, cop_vision=1.0, legitimacy=legitimacy, max_jail_term=jail,
                              movement=movement, clone_probability=clone, max_age=max_age,
                              active_without_victim=idle_active)
    run_both(params, rule_set(rules), seed=seed, steps=6)
