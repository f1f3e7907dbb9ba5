"""Invariants of the engine as property tests: whatever the rule set and parameters,
nothing is lost, counts add up, caches equal a recount, occupancy and jail rules hold."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qantar import Params, World, rule_set
from qantar.engine.state import ACTIVE, ACTIVE_SHIFT, BLOCK_SHIFT, COP, FIELD_MASK, JAILED, LIFE, QUIET
from qantar.rules import vision_offsets
from tests.engine.strategies import RULES, small_params


def cells_seen(world: World, cell: int, radius: float) -> list[int]:
    w, h = world.params.width, world.params.height
    y, x = divmod(cell, w)
    offs = vision_offsets(radius, world.rules.vision_shape, world.rules.vision_includes_centre)
    return [((y + dy) % h) * w + (x + dx) % w for dy, dx in offs.tolist()]


def check(world: World, n_agents: int) -> None:
    a = world.agents
    assert len(a.kind) == n_agents, "no agent lost or created"
    citizen = a.kind != COP
    states = a.state[citizen]
    assert world.counts().tolist() == [int((states == s).sum()) for s in (QUIET, ACTIVE, JAILED)]
    assert world.counts().sum() == citizen.sum(), "counts sum to the population"
    check_cells(world, np.ones(n_agents, bool))


def check_cells(world, living: np.ndarray) -> None:
    """Cell lists, cell words, caches, occupancy and jail terms, over the ``living`` agents
    (Model II: the others hold no cell)."""
    a, p, rules = world.agents, world.params, world.rules
    assert ((a.pos[living] >= 0) & (a.pos[living] < p.cells)).all()
    assert (a.pos[~living] == -1).all()
    assert (a.state[living & (a.kind == COP)] == QUIET).all()
    # every living agent in exactly one cell list, the one of its position, in ascending order
    listed = []
    for c in range(p.cells):
        j, ids = a.head[c], []
        while j >= 0:
            assert a.pos[j] == c
            ids.append(j)
            j = a.nxt[j]
        assert ids == sorted(ids)
        listed += ids
    assert sorted(listed) == np.flatnonzero(living).tolist()
    citizen = (a.kind != COP) & living
    # cell words and caches equal a recount
    blocks = ((a.kind == COP) | (a.state != JAILED) | rules.jailed_block) & living
    cops = np.bincount(a.pos[(a.kind == COP) & living], minlength=p.cells)
    actives = np.bincount(a.pos[citizen & (a.state == ACTIVE)], minlength=p.cells)
    blockers = np.bincount(a.pos[blocks], minlength=p.cells)
    assert (a.cell & FIELD_MASK == cops).all()
    assert ((a.cell >> ACTIVE_SHIFT) & FIELD_MASK == actives).all()
    assert (a.cell >> BLOCK_SHIFT == blockers).all()
    free = np.unpackbits(a.free.view(np.uint8), bitorder="little")[: p.cells].astype(bool)
    assert (free == (blockers == 0)).all()
    cit_r = p.cop_vision if rules.citizens_use_cop_vision else p.citizen_vision
    for c in range(p.cells):
        seen = cells_seen(world, c, cit_r)
        assert a.near[c] & 0xFFFF == cops[seen].sum()
        assert a.near[c] >> 16 == actives[seen].sum()
        assert a.near_cop[c] >> 16 == actives[cells_seen(world, c, p.cop_vision)].sum()
    # occupancy: one agent per cell where the rule set says so (jailed agents block, cops
    # stay after an arrest: Mesa's capacity-1 grid). NetLogo's cop steps onto the
    # arrestee's patch and released agents reappear where they were, so cells may share.
    if rules.jailed_block and rules.cop_after_arrest == "stay":
        assert np.bincount(a.pos[living], minlength=p.cells).max() <= 1
    # jail terms within the rule set's range
    jailed = (a.state == JAILED) & living
    if p.max_jail_term is None:
        assert (a.jail[jailed] == LIFE).all()
    else:
        assert (a.jail[jailed] <= p.max_jail_term).all() and (a.jail[jailed] >= 0).all()


def check_jail_countdown(before: tuple, world: World) -> None:
    """A jailed agent's term shrinks by one a step; it leaves when the term is served."""
    state0, jail0 = before
    a = world.agents
    own_turn = world.rules.jail_countdown == "own_turn"
    for i in np.flatnonzero((state0 == JAILED) & (jail0 != LIFE)):
        j = jail0[i]
        if own_turn and j == 0:
            continue  # released at its turn; may be arrested again later in the same step
        if own_turn or j > 1:
            assert a.state[i] == JAILED and a.jail[i] == j - 1, f"agent {i}: term {j} -> {a.jail[i]}"
        else:
            assert a.state[i] == QUIET, f"agent {i} should leave jail"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=small_params(max_size=12), rules=st.sampled_from(RULES), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_step(params, rules, seed):
    world = World.build(params, rule_set(rules), seed=seed)
    n = len(world.agents.kind)
    check(world, n)
    for _ in range(8):
        before = (world.agents.state.copy(), world.agents.jail.copy())
        counts = world.run(1)
        assert counts[-1].tolist() == world.counts().tolist()
        check(world, n)
        check_jail_countdown(before, world)


def test_placement_exact_and_bernoulli():
    p = Params(width=50, height=40, citizen_density=0.7, cop_density=0.04)
    w = World.build(p, rule_set("netlogo"), seed=1)
    assert (w.n_citizens, w.n_cops) == (1400, 80)  # round(0.7 * 2000), round(0.04 * 2000)
    sizes = [World.build(p, rule_set("mesa"), seed=s).n_citizens for s in range(20)]
    assert len(set(sizes)) > 1  # Bernoulli per cell: counts vary by seed
    # mean 1400, s.d. sqrt(2000 * 0.7 * 0.3) ~ 20.5: 20 seeds average within 4 s.e.
    assert abs(np.mean(sizes) - 1400) < 4 * 20.5 / np.sqrt(20)
