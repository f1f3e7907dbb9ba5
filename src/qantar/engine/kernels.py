"""The compiled step: random sequential activation of Model I, one agent at a time.

Each step draws a fresh random order of all agents (``rng.permutation``); each agent's turn
sees everything earlier agents did in the same step. Formulas come from
``qantar.rules.formulas``; this module only finds neighbours, keeps state and counts, and
draws random numbers. Its plain-Python twin is ``qantar.engine.reference``: both make the
same draws from the same ``numpy.random.Generator`` in the same order, so their
trajectories agree exactly (tests/engine/test_oracle.py).

Draws per turn, in order: movement picks ``integers(0, n_empty)`` (only if a cell is free);
a cop with actives in sight picks ``integers(0, n_actives)`` then the term
``integers(0, bound)`` (no draw for a life term).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from qantar.engine.state import ACTIVE, ACTIVE_SHIFT, CITIZEN, COP, COP_MASK, JAILED, LIFE, QUIET
from qantar.rules.formulas import arrest_probability, can_be_active, grievance, is_active, net_risk
from qantar.rules.formulas import jail_term_bound


@njit(cache=True)
def vision_cells(pos, vis, width, height, out):
    """Write the cells in vision of ``pos`` into ``out`` in canonical order; return how many."""
    y = pos // width
    x = pos - y * width
    n = vis.dy.shape[0]
    r = vis.reach
    if r <= y < height - r and r <= x < width - r:
        for j in range(n):
            out[j] = pos + vis.delta[j]
    else:
        for j in range(n):
            yy = (y + vis.dy[j]) % height
            xx = (x + vis.dx[j]) % width
            out[j] = yy * width + xx
    return n


@njit(cache=True)
def _unlink(a, i, cell):
    """Remove agent i from cell's list."""
    prev = -1
    cur = a.head[cell]
    while cur != i:
        prev = cur
        cur = a.nxt[cur]
    if prev < 0:
        a.head[cell] = a.nxt[i]
    else:
        a.nxt[prev] = a.nxt[i]
    a.nxt[i] = -1


@njit(cache=True)
def _link(a, i, cell):
    """Insert agent i into cell's list, keeping ascending ids."""
    prev = -1
    cur = a.head[cell]
    while cur >= 0 and cur < i:
        prev = cur
        cur = a.nxt[cur]
    a.nxt[i] = cur
    if prev < 0:
        a.head[cell] = i
    else:
        a.nxt[prev] = i


@njit(cache=True)
def _seen_weight(a, i):
    """What agent i adds to ``seen`` on its cell: a cop, an active, or nothing."""
    if a.kind[i] == COP:
        return 1
    if a.state[i] == ACTIVE:
        return 1 << ACTIVE_SHIFT
    return 0


@njit(cache=True)
def _blocks(a, i, cfg):
    """Whether agent i makes its cell non-empty for movers."""
    return a.kind[i] == COP or a.state[i] != JAILED or cfg.jailed_block


@njit(cache=True)
def relocate(a, i, dest):
    """Move agent i to cell ``dest``, keeping lists and per-cell counts right."""
    src = a.pos[i]
    w = _seen_weight(a, i)
    _unlink(a, i, src)
    _link(a, i, dest)
    a.seen[src] -= w
    a.seen[dest] += w
    a.block[src] -= 1  # only free agents move, and they always block
    a.block[dest] += 1
    a.pos[i] = dest


@njit(cache=True)
def set_state(a, i, new):
    """Change citizen i's state, keeping counts and per-cell counts right."""
    old = a.state[i]
    if old == new:
        return
    cell = a.pos[i]
    if old == ACTIVE:
        a.seen[cell] -= 1 << ACTIVE_SHIFT
    if new == ACTIVE:
        a.seen[cell] += 1 << ACTIVE_SHIFT
    a.counts[old] -= 1
    a.counts[new] += 1
    a.state[i] = new


@njit(cache=True)
def set_jailed(a, i, jailed, cfg):
    """Jail or release citizen i (rule J); a non-blocking jailed agent frees its cell."""
    was_blocking = _blocks(a, i, cfg)
    set_state(a, i, JAILED if jailed else QUIET)
    if was_blocking and not _blocks(a, i, cfg):
        a.block[a.pos[i]] -= 1
    elif not was_blocking and _blocks(a, i, cfg):
        a.block[a.pos[i]] += 1


@njit(cache=True)
def move_rule(a, i, vis, cfg, rng, buf):
    """Rule M: move to a random empty cell in vision, if there is one."""
    n = vision_cells(a.pos[i], vis, cfg.width, cfg.height, buf)
    k = 0
    for j in range(n):
        c = buf[j]
        if a.block[c] == 0:
            buf[k] = c
            k += 1
    if k > 0:
        relocate(a, i, buf[rng.integers(0, k)])


@njit(cache=True)
def count_in_vision(a, pos, vis, cfg, buf):
    """(cops, actives) on the cells in vision of ``pos``."""
    n = vision_cells(pos, vis, cfg.width, cfg.height, buf)
    total = 0
    for j in range(n):
        total += a.seen[buf[j]]
    return total & COP_MASK, total >> ACTIVE_SHIFT


@njit(cache=True)
def activation_rule(a, i, vis, cfg, buf):
    """Rule A for citizen i: active if G - R P > T, with C and A counted in its vision."""
    g = grievance(a.hardship[i], cfg.legitimacy)
    new = QUIET
    if can_be_active(g, cfg.threshold):
        cops, actives = count_in_vision(a, a.pos[i], vis, cfg, buf)
        p = arrest_probability(cops, 1 + actives, cfg.arrest_constant, cfg.ratio_mode)
        if is_active(g, net_risk(a.risk_aversion[i], p), cfg.threshold):
            new = ACTIVE
    set_state(a, i, new)


@njit(cache=True)
def draw_jail_term(cfg, rng):
    """Rule J: the term of a new arrest (no draw for a life sentence)."""
    if cfg.max_jail_term < 0:
        return LIFE
    return rng.integers(0, jail_term_bound(cfg.max_jail_term, cfg.jail_inclusive))


@njit(cache=True)
def arrest_rule(a, i, vis, cfg, rng, buf):
    """Rule C for cop i: arrest one random active in vision (the r-th in canonical order)."""
    cops, actives = count_in_vision(a, a.pos[i], vis, cfg, buf)
    if actives == 0:
        return
    r = rng.integers(0, actives)
    target = -1
    for j in range(vis.dy.shape[0]):
        here = a.seen[buf[j]] >> ACTIVE_SHIFT
        if r < here:
            cur = a.head[buf[j]]
            while True:
                if a.kind[cur] == CITIZEN and a.state[cur] == ACTIVE:
                    if r == 0:
                        target = cur
                        break
                    r -= 1
                cur = a.nxt[cur]
            break
        r -= here
    term = draw_jail_term(cfg, rng)
    if term == 0 and not cfg.countdown_own_turn:
        set_state(a, target, QUIET)  # a zero term served at once (NetLogo: jail-term 0)
    else:
        a.jail[target] = term
        set_jailed(a, target, True, cfg)
    if cfg.cop_to_arrestee:
        relocate(a, i, a.pos[target])


@njit(cache=True)
def citizen_turn(a, i, vis, cfg, rng, buf):
    """One citizen's turn: jail countdown (own-turn rule sets), then move and act."""
    if a.state[i] == JAILED:
        if not cfg.countdown_own_turn:
            return
        if a.jail[i] > 0:
            if a.jail[i] != LIFE:
                a.jail[i] -= 1
            return
        set_jailed(a, i, False, cfg)
    if cfg.act_first:
        activation_rule(a, i, vis, cfg, buf)
        if cfg.citizens_move:
            move_rule(a, i, vis, cfg, rng, buf)
    else:
        if cfg.citizens_move:
            move_rule(a, i, vis, cfg, rng, buf)
        activation_rule(a, i, vis, cfg, buf)


@njit(cache=True)
def cop_turn(a, i, vis, cfg, rng, buf):
    """One cop's turn: move and enforce, in the rule set's order."""
    if cfg.act_first:
        arrest_rule(a, i, vis, cfg, rng, buf)
        if cfg.cops_move:
            move_rule(a, i, vis, cfg, rng, buf)
    else:
        if cfg.cops_move:
            move_rule(a, i, vis, cfg, rng, buf)
        arrest_rule(a, i, vis, cfg, rng, buf)


@njit(cache=True)
def end_of_step_countdown(a, cfg):
    """Jail countdown for ``end_of_step`` rule sets: every jailed term shrinks by one."""
    for i in range(a.kind.shape[0]):
        if a.state[i] == JAILED and a.jail[i] != LIFE:
            a.jail[i] -= 1
            if a.jail[i] == 0:
                set_jailed(a, i, False, cfg)


@njit(cache=True)
def step(a, citizen_vis, cop_vis, cfg, rng, buf):
    """One step: every agent once, in a fresh random order."""
    order = rng.permutation(a.kind.shape[0])
    for i in order:
        if a.kind[i] == COP:
            cop_turn(a, i, cop_vis, cfg, rng, buf)
        else:
            citizen_turn(a, i, citizen_vis, cfg, rng, buf)
    if not cfg.countdown_own_turn:
        end_of_step_countdown(a, cfg)


@njit(cache=True)
def run_steps(a, citizen_vis, cop_vis, cfg, rng, n_steps, out):
    """Run ``n_steps`` steps, writing citizens (quiet, active, jailed) after each into ``out``."""
    buf = np.empty(max(citizen_vis.dy.shape[0], cop_vis.dy.shape[0]), dtype=np.int64)
    for t in range(n_steps):
        step(a, citizen_vis, cop_vis, cfg, rng, buf)
        out[t, 0] = a.counts[0]
        out[t, 1] = a.counts[1]
        out[t, 2] = a.counts[2]


@njit(cache=True)
def rebuild_cells(a, cfg):
    """Recompute cell lists and per-cell counts from ``pos``/``kind``/``state`` (after edits)."""
    a.head[:] = -1
    a.seen[:] = 0
    a.block[:] = 0
    a.counts[:] = 0
    for i in range(a.kind.shape[0] - 1, -1, -1):  # descending, so lists come out ascending
        cell = a.pos[i]
        a.nxt[i] = a.head[cell]
        a.head[cell] = i
        a.seen[cell] += _seen_weight(a, i)
        if _blocks(a, i, cfg):
            a.block[cell] += 1
        if a.kind[i] == CITIZEN:
            a.counts[a.state[i]] += 1
