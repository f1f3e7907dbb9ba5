"""Invariants of Model II as property tests: the living are on the grid and counted once,
nobody outlives their death age, children appear next to a parent, and runs are
reproducible."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qantar import rule_set
from qantar.engine.intergroup_state import BOOK_LIVING, DEAD
from qantar.engine.intergroup_world import InterGroupWorld
from qantar.engine.state import ACTIVE, CITIZEN, JAILED, QUIET
from qantar.rules import InterGroupParams
from tests.engine.strategies import RULES
from tests.engine.test_invariants import check_cells


def check(world: InterGroupWorld, row: np.ndarray) -> None:
    a, p = world.agents, world.params
    living = a.state != DEAD
    check_cells(world, living)
    assert a.book[BOOK_LIVING] == living.sum()
    citizens = living & (a.kind == CITIZEN)
    assert a.counts.tolist() == [int((a.state[citizens] == s).sum()) for s in (QUIET, ACTIVE, JAILED)]
    assert row[:6].sum() == citizens.sum(), "the groups' counts sum to the living citizens"
    assert (a.age[citizens] <= a.death_age[citizens]).all(), "nobody outlives their death age"
    assert (a.death_age[citizens] <= p.max_age).all()


def check_births(world: InterGroupWorld, before_state: np.ndarray, row: np.ndarray) -> None:
    """Every newborn (age 0) stands next to a free citizen of its group with its hardship."""
    a, p = world.agents, world.params
    born = np.flatnonzero((a.state != DEAD) & (a.kind == CITIZEN) & (a.age == 0))
    assert len(born) == row[8]
    for child in born:
        y, x = divmod(int(a.pos[child]), p.width)
        near = {((y + dy) % p.height) * p.width + (x + dx) % p.width
                for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)}
        parents = [j for j in np.flatnonzero(np.isin(a.pos, list(near)))
                   if j != child and a.kind[j] == CITIZEN and a.group[j] == a.group[child]
                   and a.hardship[j] == a.hardship[child] and a.state[j] != JAILED]
        assert parents, f"child {child} has no parent next to it"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.sampled_from(RULES),
    width=st.integers(5, 12),
    height=st.integers(5, 12),
    citizens=st.floats(0.05, 0.95),
    cops=st.floats(0.0, 0.1),
    legitimacy=st.floats(0.3, 1.0),
    jail=st.sampled_from([None, 0, 3, 15]),
    clone=st.floats(0.0, 1.0),
    max_age=st.integers(0, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_every_step(rules, width, height, citizens, cops, legitimacy, jail, clone, max_age, seed):
    params = InterGroupParams(width=width, height=height, citizen_density=citizens,
                              cop_density=min(cops, 1 - citizens), citizen_vision=1.7, cop_vision=1.7,
                              legitimacy=legitimacy, max_jail_term=jail, clone_probability=clone, max_age=max_age)
    world = InterGroupWorld.build(params, rule_set(rules), seed=seed)
    check(world, world.counts())
    for _ in range(10):
        before = world.agents.state.copy()
        row = world.run(1)[0]
        assert row.tolist() == world.counts().tolist()
        check(world, row)
        check_births(world, before, row)


def test_slots_grow_and_ids_are_reused():
    """A long crowded run outgrows its first slots (the world grows them between steps) and
    reuses the slots of the dead: more births than slots."""
    params = InterGroupParams(width=12, height=12, citizen_vision=1.7, cop_vision=1.7, legitimacy=0.9,
                              cop_density=0.0, max_age=40, clone_probability=0.3)
    world = InterGroupWorld.build(params, rule_set("netlogo"), seed=1)
    first = len(world.agents.kind)
    rows = world.run(300)
    assert len(world.agents.kind) > first
    assert rows[:, 8].sum() > len(world.agents.kind)
    check(world, rows[-1])


def test_stop_at_extinction_and_reproducibility():
    """Run 7's setting (no cops, L = 0.8): one group dies out; the run stops at that step.
    The same seed gives the same run, another seed a different one."""
    params = InterGroupParams(citizen_vision=1.7, cop_vision=1.7, legitimacy=0.8, max_jail_term=15, cop_density=0.0)
    runs = [InterGroupWorld.build(params, rule_set("netlogo"), seed=s, stop_at_extinction=True).run(2000)
            for s in (5, 5, 6)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])
    last = runs[0][-1]
    assert len(runs[0]) < 2000 and min(last[0:3].sum(), last[3:6].sum()) == 0
    assert runs[0][-2, 0:3].sum() > 0 and runs[0][-2, 3:6].sum() > 0, "stops at the first extinct step"
