"""The compiled step of Model II (inter-group violence), built on Model I's kernel.

A step: every agent alive at its start, once, in a fresh random order (Fisher-Yates over
the living slots, ascending). Cops take Model I's turn (rule C arrests actives of either
group). A citizen takes Model I's turn, and when rule A makes it active it kills (rule K).
An agent killed before its turn skips it. Then, at the end of the step: the jail countdown
(``end_of_step`` rule sets), ageing and death (rule D), and cloning (rule R). Children act
from the next step.

Draws, in addition to Model I's: rule K draws the victim among the candidates in vision
(none: no draw); rule R draws the cloning order (Fisher-Yates over the free citizens), then
per parent a uniform u (clones if u < p), and if it clones and has an empty neighbour: the
neighbour, the child's R (unless inherited), the child's death age. Its plain-Python twin is
``qantar.engine.intergroup_reference``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from qantar.engine.intergroup_state import BOOK_BORN, BOOK_DIED, BOOK_KILLED, BOOK_LIVING, DEAD
from qantar.engine.kernels import (
    _count_empty,
    _link,
    _nth,
    _put,
    _row_col,
    _segments,
    activation_rule,
    cop_turn,
    draw_index,
    draw_uniform,
    end_of_step_countdown,
    kernel,
    leave_grid,
    move_rule,
    serve_jail,
    set_state,
    shuffle_prefix,
)
from qantar.engine.state import ACTIVE, BLOCK_SHIFT, CITIZEN, COP, JAILED, QUIET


@kernel(inline="always")
def remove_agent(a, i, cfg):
    """Agent i leaves the world (killed, dead of age, or withdrawn): its slot becomes free."""
    leave_grid(a, i, cfg)
    a.book[BOOK_LIVING] -= 1


@kernel()
def _victims(a, pos, vis, cfg, group, r):
    """Free citizens (quiet or active) not of ``group`` in vision ``vis`` of cell ``pos``:
    their number if r < 0, else the r-th of them (cells in canonical order, ids ascending)."""
    y, x = _row_col(pos, cfg.width, cfg.inv_width)
    n = 0
    for s in range(vis.dy.shape[0]):
        a1, b1, a2, b2 = _segments(y, x, vis.dy[s], vis.lo[s], vis.hi[s], cfg.width, cfg.height)
        for seg in range(2):
            first = a1 if seg == 0 else a2
            last = b1 if seg == 0 else b2
            for c in range(first, last):
                j = a.head[c]
                while j >= 0:
                    if a.kind[j] == CITIZEN and a.state[j] != JAILED and a.group[j] != group:
                        if n == r:
                            return j
                        n += 1
                    j = a.nxt[j]
    return n


@kernel()
def kill_rule(a, i, cfg, life, rng):
    """Rule K: active citizen i kills one uniformly random free citizen of the other group in
    its vision, who dies at once. With none in sight it kills nobody and turns quiet (going
    active means killing), or stays active if ``life.active_without_victim``."""
    vis = cfg.cit_vis
    n = _victims(a, a.pos[i], vis, cfg, a.group[i], -1)
    if n == 0:
        if not life.active_without_victim:
            set_state(a, i, QUIET, cfg)
        return
    victim = _victims(a, a.pos[i], vis, cfg, a.group[i], draw_index(rng, n))
    remove_agent(a, victim, cfg)
    a.book[BOOK_KILLED] += 1


@kernel()
def intergroup_citizen_turn(a, i, cfg, life, rng):
    """Model I's citizen turn (jail, then move and act in the rule set's order), where
    acting ends in rule K when rule A makes the citizen active."""
    if not serve_jail(a, i, cfg):
        return
    for phase in range(2):
        if (phase == 0) == cfg.act_first:
            activation_rule(a, i, cfg, rng)
            if a.state[i] == ACTIVE:
                kill_rule(a, i, cfg, life, rng)
        elif cfg.citizens_move:
            move_rule(a, i, cfg.cit_vis, cfg, rng)


@kernel()
def age_and_die(a, cfg):
    """Rule D: every living citizen, free or jailed, ages by one; one whose age passes its
    death age dies (slots in ascending order; no draw)."""
    for i in range(a.kind.shape[0]):
        if a.kind[i] == CITIZEN and a.state[i] != DEAD:
            a.age[i] += 1
            if a.age[i] > a.death_age[i]:
                remove_agent(a, i, cfg)
                a.book[BOOK_DIED] += 1


@kernel()
def clone_rule(a, cfg, life, rng, order):
    """Rule R: each free citizen, in a fresh random order, clones with probability p onto a
    uniformly random empty cell among its Moore neighbours (none empty: no child). The child
    takes the lowest free slot, the parent's group and hardship, R drawn anew (or the
    parent's), age 0, a death age drawn from 0..max_age, and starts quiet."""
    n = 0
    for i in range(a.kind.shape[0]):
        if a.kind[i] == CITIZEN and (a.state[i] == QUIET or a.state[i] == ACTIVE):
            order[n] = i
            n += 1
    shuffle_prefix(order, n, rng)
    nb = life.nbhd
    slot = 0
    for j in range(n):
        parent = order[j]
        if draw_uniform(rng) >= life.clone_probability:
            continue
        pos = a.pos[parent]
        empty = _count_empty(a.cell, np.int64(pos), nb.dy, nb.lo, nb.hi, cfg.width, cfg.height)
        if empty == 0:
            continue
        c = _nth(a.cell, np.int64(pos), nb.dy, nb.lo, nb.hi, cfg.width, cfg.height, draw_index(rng, empty), BLOCK_SHIFT, True)[0]
        while a.state[slot] != DEAD:  # the run loop keeps enough free slots for every parent
            slot += 1
        a.kind[slot] = CITIZEN
        a.state[slot] = QUIET
        a.flags[slot] = 0
        a.group[slot] = a.group[parent]
        a.hardship[slot] = a.hardship[parent]
        if life.inherit_risk_aversion:
            a.risk_aversion[slot] = a.risk_aversion[parent]
        else:
            a.risk_aversion[slot] = draw_uniform(rng)
        a.age[slot] = 0
        a.death_age[slot] = draw_index(rng, life.max_age + 1)
        a.jail[slot] = 0
        a.pos[slot] = c
        _link(a, slot, c)
        _put(a, slot, c, cfg)
        a.counts[QUIET] += 1
        a.book[BOOK_LIVING] += 1
        a.book[BOOK_BORN] += 1


@kernel()
def intergroup_step(a, cfg, life, rng, order):
    """One step of Model II (``order``: a buffer as long as the slots)."""
    a.book[BOOK_KILLED] = 0
    a.book[BOOK_DIED] = 0
    a.book[BOOK_BORN] = 0
    n = 0
    for i in range(a.kind.shape[0]):
        if a.state[i] != DEAD:
            order[n] = i
            n += 1
    shuffle_prefix(order, n, rng)
    for j in range(n):
        i = order[j]  # one killed earlier in this step skips its turn (serve_jail, cop_turn)
        if a.kind[i] == COP:
            cop_turn(a, i, cfg, rng)
        else:
            intergroup_citizen_turn(a, i, cfg, life, rng)
    if not cfg.countdown_own_turn:
        end_of_step_countdown(a, cfg)
    age_and_die(a, cfg)
    clone_rule(a, cfg, life, rng, order)


@kernel()
def record(a, out, t):
    """Row t of the output: per group quiet, active, jailed; then killed, died, born."""
    for k in range(out.shape[1]):
        out[t, k] = 0
    for i in range(a.kind.shape[0]):
        if a.kind[i] == CITIZEN and a.state[i] != DEAD:
            out[t, 3 * a.group[i] + a.state[i]] += 1
    out[t, 6] = a.book[BOOK_KILLED]
    out[t, 7] = a.book[BOOK_DIED]
    out[t, 8] = a.book[BOOK_BORN]


@njit(cache=True, nogil=True)
def run_intergroup_steps(a, cfg, life, rng, n_steps, out):
    """Run up to ``n_steps`` steps, writing ``record`` rows into ``out``; returns the steps done.

    Stops early (1) before a step for which fewer free slots remain than there are cells (a
    step has at most one birth per cell; the caller grows the slots and goes on), and (2)
    after a step that leaves a group extinct, if ``life.stop_at_extinction``.
    """
    order = np.empty(a.kind.shape[0], np.int32)
    cells = a.head.shape[0]
    for t in range(n_steps):
        if a.kind.shape[0] - a.book[BOOK_LIVING] < cells:
            return t
        intergroup_step(a, cfg, life, rng, order)
        record(a, out, t)
        if life.stop_at_extinction and (out[t, 0] + out[t, 1] + out[t, 2] == 0 or out[t, 3] + out[t, 4] + out[t, 5] == 0):
            return t + 1
    return n_steps
