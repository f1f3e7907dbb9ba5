"""The compiled step: random sequential activation of Model I, one agent at a time.

Each step draws a fresh random order of all agents (Fisher-Yates); each agent's turn
sees everything earlier agents did in the same step. Formulas come from
``qantar.rules.formulas``; this module only finds neighbours, keeps state and counts, and
draws random numbers. Its plain-Python twin is ``qantar.engine.reference``: both make the
same draws from the same ``numpy.random.Generator`` in the same order, so their
trajectories agree exactly (tests/engine/test_oracle.py).

Every draw is ``draw_index(rng, n)``, a uniform integer in 0..n-1 from the generator's next
64-bit word; ``rng`` is the generator's PCG64 state (``engine.pcg.take_state``), stepped
inline. Per step: the turn order (Fisher-Yates, n-1 draws). Per turn, in order:
rule M draws a cell of the vision until it hits an empty one, at most MOVE_TRIES times,
then (all missed) one among the empty cells if any; rule C, for a cop with actives in
sight, draws one of them, then rule J draws the term (no draw for a life term). The
scenarios' mechanisms, when on, add: defection's u at the start of a cop's turn, a clash's
u then restraint's u before the arrestee's index, lethal force's u after it (docs/model.md).

Speed (see docs/performance.md): on big worlds agents are visited in random order, so
memory latency sets the pace; on small ones, rule M's tries and the cache updates do. The
turn order is shuffled by ``shuffle_order`` rather than ``rng.permutation``, whose Numba
version swaps through 0-d array views and cost two thirds of a step on small worlds. Hence one record per agent, the ``near`` caches (rule A reads
one word instead of scanning ~100 cells), the ``free`` bitmap for rule M's tries, and cache
hints for the next agents' records and cells.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from qantar.engine.intrinsics import pcg64_next, prefetch, scaled_index
from qantar.engine.state import (
    ACTIVE,
    CIVILIANS_KILLED,
    DEAD,
    DEFECTED,
    FIRED_ON,
    K_CLASH_P,
    K_CLASH_RATIO,
    K_CURFEW,
    K_DEFECT_JOIN,
    K_DEFECT_P,
    K_DEFECT_RATIO,
    K_FEAR,
    K_HOLD_BACK,
    K_LETHAL,
    K_RESIST,
    K_AWAY,
    K_SWEEP,
    OUTNUMBERED,
    RESISTED,
    SECURITY_KILLED,
    ACTIVE_SHIFT,
    ACTIVE_UNIT,
    BLOCK_SHIFT,
    BLOCK_UNIT,
    CITIZEN,
    COP,
    COP_UNIT,
    FIELD_MASK,
    JAILED,
    LIFE,
    NEAR_ACTIVE_SHIFT,
    NEAR_ACTIVE_UNIT,
    NEAR_COP_MASK,
    PROTESTED,
    PROVOCATEUR,
    QUIET,
)
from qantar.rules.formulas import (
    arrest_probability,
    can_be_active,
    feared_probability,
    grievance,
    is_active,
    jail_term_bound,
    net_risk,
)



def kernel(**options):
    """Compile a kernel function: cached, releasing the GIL (so that worlds step on threads
    at once, ``engine.threads``), and without Numba's reference counting.

    No kernel function allocates (``run_steps`` makes the one buffer), so none needs the
    runtime's counts; with them, every call and every field read of the state tuples did
    an atomic increment and decrement, two thirds of a step's time.
    """
    return njit(cache=True, nogil=True, _nrt=False, **options)


#: Rejection draws of rule M before it falls back to counting the empty cells.
MOVE_TRIES = 16
#: How many turns ahead the step hints the cache about an agent's record, and its cell.
PREFETCH_RECORD, PREFETCH_CELL = 8, 4
#: Agents above which the step also hints ``near`` over the visions of cops' moves: where
#: the caches no longer fit in L2 (at 100x100 the hints only cost time).
HINT_VISIONS = 1 << 17


@kernel(inline="always")
def draw_index(rng, n):
    """A uniform integer in 0..n-1 from the generator's next 64-bit word: floor(u n).

    u = m / 2^53 with m the word's top 53 bits, exactly the u of ``rng.random()``; the
    product m n is taken in 128-bit integers, so floor(u n) is exact and no float
    conversion sits on the critical path of rule M's tries. (Numba's
    ``Generator.integers`` would allocate an array per call.) Each value's probability is
    1/n to within n 2^-53. The reference implementation draws with the same formula.
    """
    return scaled_index(pcg64_next(rng) >> np.uint64(11), n)


@kernel(inline="always")
def draw_uniform(rng):
    """A uniform float in [0, 1): m / 2^53 for m the top 53 bits of the next 64-bit word,
    exactly ``rng.random()``'s value (Model II's cloning draws)."""
    return float(pcg64_next(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


# --- walking a vision ----------------------------------------------------------------------
@kernel(inline="always")
def _row_col(pos, width, inv_width):
    """(row, column) of a cell: pos // width without a hardware division.

    A 64-bit division costs ~40 cycles and a turn needs one or two; a multiply by the
    precomputed 1/width, then one exact correction, gives the same quotient.
    """
    y = int(pos * inv_width)
    if y * width > pos:
        y -= 1
    elif (y + 1) * width <= pos:
        y += 1
    return y, pos - y * width


@kernel(inline="always")
def _segments(y, x, dy, lo, hi, width, height):
    """Span (dy, lo..hi) of a vision around cell (y, x) as flat ranges [a1, b1) then [a2, b2).

    A span that crosses the torus edge splits in two; taking the pieces in this order keeps
    dx ascending, i.e. the canonical order. Wrapping is by comparison, not division (visions
    never exceed the grid, see ``Params``).
    """
    row = y + dy
    if row < 0:
        row += height
    elif row >= height:
        row -= height
    base = row * width
    c0 = x + lo
    c1 = x + hi + 1
    if c0 < 0:
        return base + c0 + width, base + width, base, base + c1
    if c1 > width:
        return base + c0, base + width, base, base + c1 - width
    return base + c0, base + c1, base, base


@kernel(inline="always")
def _offset_cell(y, x, dy, dx, width, height):
    """Cell at offset (dy, dx) from (y, x) on the torus (|dy| < height, |dx| < width)."""
    row = y + dy
    if row < 0:
        row += height
    elif row >= height:
        row -= height
    col = x + dx
    if col < 0:
        col += width
    elif col >= width:
        col -= width
    return row * width + col


@kernel()
def _nth(cell, pos, dy, lo, hi, width, height, r, shift, want_zero):
    """Cell holding the r-th (from 0) item in canonical order, and r's rank inside it.

    Items are empty cells (``want_zero``: the field at ``shift`` is 0, one per cell) or the
    units of the field at ``shift`` (actives: several per cell possible).
    """
    y, x = _row_col(pos, width, 1.0 / width)
    for s in range(dy.shape[0]):
        a1, b1, a2, b2 = _segments(y, x, dy[s], lo[s], hi[s], width, height)
        for seg in range(2):
            first = a1 if seg == 0 else a2
            last = b1 if seg == 0 else b2
            for c in range(first, last):
                f = (cell[np.uint64(c)] >> shift) & FIELD_MASK
                here = (f == 0) if want_zero else f
                if r < here:
                    return c, r
                r -= here
    return -1, -1


@kernel()
def _count_empty(cell, pos, dy, lo, hi, width, height):
    """Number of cells without a blocker in the vision (dy, lo, hi spans) of ``pos``."""
    y, x = _row_col(pos, width, 1.0 / width)
    empty = 0
    for s in range(dy.shape[0]):
        a1, b1, a2, b2 = _segments(y, x, dy[s], lo[s], hi[s], width, height)
        for c in range(a1, b1):
            empty += (cell[np.uint64(c)] >> BLOCK_SHIFT) == 0
        for c in range(a2, b2):
            empty += (cell[np.uint64(c)] >> BLOCK_SHIFT) == 0
    return empty


@kernel()
def _spread(near, c, dy, lo, hi, flat, reach_y, reach_x, width, height, delta):
    """Add ``delta`` to ``near`` over the vision of cell c; visions are symmetric, so these
    are exactly the cells that see c. Away from the torus edges the vision is c plus the
    fixed offsets ``flat``; near them, the (dy, lo, hi) spans, wrapped. Scalars, not the
    Config tuple: a call passes its arguments on the stack, and this one is made often."""
    y, x = _row_col(c, width, 1.0 / width)
    if reach_y <= y < height - reach_y and reach_x <= x < width - reach_x:
        for k in range(flat.shape[0]):  # away from the edges: fixed offsets
            near[np.uint64(c + flat[k])] += delta  # unsigned: no negative-index check
        return
    for s in range(dy.shape[0]):
        a1, b1, a2, b2 = _segments(y, x, dy[s], lo[s], hi[s], width, height)
        for q in range(a1, b1):
            near[np.uint64(q)] += delta
        for q in range(a2, b2):
            near[np.uint64(q)] += delta


@kernel(inline="always")
def _prefetch_vision(near, c, vis, width):
    """Hint the cache about ``near`` over the vision of cell c (every 8th cell of each row
    span and its last: the span's cache lines; wrapped rows hint other lines, harmlessly),
    ahead of a ``_spread`` there on a big world."""
    for s in range(vis.dy.shape[0]):
        row = c + vis.dy[s] * width
        for q in range(row + vis.lo[s], row + vis.hi[s], 8):
            prefetch(near, q)
        prefetch(near, row + vis.hi[s])


# --- keeping cells, caches and counts right -----------------------------------------------
@kernel(inline="always")
def _is_free(a, c):
    """Whether cell c has no blocker (bit c of the ``free`` bitmap)."""
    u = np.uint64(c)  # unsigned: no negative-index check
    return (a.free[u >> np.uint64(6)] >> (u & np.uint64(63))) & np.uint64(1) != 0


@kernel(inline="always")
def _put(a, i, c, cfg):
    """Count agent i into cell c: its word (each 8-bit field refuses to overflow), the
    ``near`` caches, and the ``free`` bitmap (typed: uint64 mixed with int64 is float).

    Written out rather than through small inlined helpers: Numba copies and types an
    inlined function again at each call site, and ``_put`` and ``_take`` are themselves
    inlined some twenty times, so their helpers were most of a fresh clone's compile
    (docs/performance.md, "Compilation")."""
    cop = a.kind[i] == COP
    if cop or a.state[i] == ACTIVE:
        shift = 0 if cop else ACTIVE_SHIFT
        if (a.cell[c] >> shift) & FIELD_MASK == FIELD_MASK:
            raise OverflowError("more than 255 agents of one kind share a cell")
        a.cell[c] += COP_UNIT if cop else ACTIVE_UNIT
        v, w = cfg.cit_vis, cfg.cop_vis  # the cell and delta as int64: one compiled _spread
        _spread(a.near, np.int64(c), v.dy, v.lo, v.hi, v.cell_flat, v.reach_y, v.reach_x, cfg.width, cfg.height,
                np.int64(1 if cop else NEAR_ACTIVE_UNIT))
        if not cop and not cfg.shared_near:
            _spread(a.near_cop, np.int64(c), w.dy, w.lo, w.hi, w.cell_flat, w.reach_y, w.reach_x, cfg.width,
                    cfg.height, np.int64(NEAR_ACTIVE_UNIT))
    if cop or a.state[i] != JAILED or cfg.jailed_block:  # a blocker: the cell is not empty
        if a.cell[c] >> BLOCK_SHIFT == 0:
            a.free[c >> 6] &= ~(np.uint64(1) << np.uint64(c & 63))
        if (a.cell[c] >> BLOCK_SHIFT) & FIELD_MASK == FIELD_MASK:
            raise OverflowError("more than 255 agents of one kind share a cell")
        a.cell[c] += BLOCK_UNIT


@kernel(inline="always")
def _take(a, i, c, cfg):
    """Count agent i out of cell c (the inverse of ``_put``, written out as it is)."""
    cop = a.kind[i] == COP
    if cop or a.state[i] == ACTIVE:
        a.cell[c] -= COP_UNIT if cop else ACTIVE_UNIT
        v, w = cfg.cit_vis, cfg.cop_vis
        _spread(a.near, np.int64(c), v.dy, v.lo, v.hi, v.cell_flat, v.reach_y, v.reach_x, cfg.width, cfg.height,
                np.int64(-1 if cop else -NEAR_ACTIVE_UNIT))
        if not cop and not cfg.shared_near:
            _spread(a.near_cop, np.int64(c), w.dy, w.lo, w.hi, w.cell_flat, w.reach_y, w.reach_x, cfg.width,
                    cfg.height, np.int64(-NEAR_ACTIVE_UNIT))
    if cop or a.state[i] != JAILED or cfg.jailed_block:
        a.cell[c] -= BLOCK_UNIT
        if a.cell[c] >> BLOCK_SHIFT == 0:
            a.free[c >> 6] |= np.uint64(1) << np.uint64(c & 63)


@kernel(inline="always")
def _unlink(a, i, c):
    """Remove agent i from cell c's list."""
    prev = -1
    cur = a.head[c]
    while cur != i:
        prev = cur
        cur = a.nxt[cur]
    if prev < 0:
        a.head[c] = a.nxt[i]
    else:
        a.nxt[prev] = a.nxt[i]
    a.nxt[i] = -1


@kernel(inline="always")
def _link(a, i, c):
    """Insert agent i into cell c's list, keeping ascending ids."""
    prev = -1
    cur = a.head[c]
    while cur >= 0 and cur < i:
        prev = cur
        cur = a.nxt[cur]
    a.nxt[i] = cur
    if prev < 0:
        a.head[c] = i
    else:
        a.nxt[prev] = i


@kernel(inline="always")
def relocate(a, i, dest, cfg):
    """Move agent i to cell ``dest``."""
    src = a.pos[i]
    _take(a, i, src, cfg)
    _unlink(a, i, src)
    _link(a, i, dest)
    _put(a, i, dest, cfg)
    a.pos[i] = dest


@kernel(inline="always")
def relocate_to_empty(a, i, dest, cfg):
    """Move agent i to cell ``dest``, which has no blocker (rule M's pick).

    Where jailed agents block (Mesa), a cell without a blocker holds no agent at all: its
    list is empty and its word 0, so both are written, not read. On big worlds the two
    reads were cache misses the step waited for (docs/performance.md); elsewhere the cell
    may hold jailed agents, and ``relocate`` reads them."""
    if not cfg.jailed_block:
        relocate(a, i, dest, cfg)
        return
    src = a.pos[i]
    if a.kind.shape[0] > HINT_VISIONS and (a.kind[i] == COP or a.state[i] == ACTIVE):  # dest's come after src's
        _prefetch_vision(a.near, dest, cfg.cit_vis, cfg.width)
    _take(a, i, src, cfg)
    _unlink(a, i, src)
    a.head[dest] = i
    a.nxt[i] = -1
    cop = a.kind[i] == COP
    active = not cop and a.state[i] == ACTIVE
    a.cell[dest] = np.uint32(BLOCK_UNIT + (COP_UNIT if cop else 0) + (ACTIVE_UNIT if active else 0))
    a.free[dest >> 6] &= ~(np.uint64(1) << np.uint64(dest & 63))
    if cop or active:
        v, w = cfg.cit_vis, cfg.cop_vis
        _spread(a.near, np.int64(dest), v.dy, v.lo, v.hi, v.cell_flat, v.reach_y, v.reach_x, cfg.width, cfg.height,
                np.int64(1 if cop else NEAR_ACTIVE_UNIT))
        if not cop and not cfg.shared_near:
            _spread(a.near_cop, np.int64(dest), w.dy, w.lo, w.hi, w.cell_flat, w.reach_y, w.reach_x, cfg.width,
                    cfg.height, np.int64(NEAR_ACTIVE_UNIT))
    a.pos[i] = dest


@kernel(inline="always")
def set_state(a, i, new, cfg):
    """Change citizen i's state (quiet, active, jailed), keeping everything that counts it."""
    old = a.state[i]
    if old == new:
        return
    c = a.pos[i]
    _take(a, i, c, cfg)
    a.state[i] = new
    _put(a, i, c, cfg)
    a.counts[old] -= 1
    a.counts[new] += 1


@kernel(inline="always")
def leave_grid(a, i, cfg):
    """Agent i leaves the world (killed, gone home, or dead of age in Model II): off its
    cell, its list and the counts; state DEAD, position -1."""
    c = a.pos[i]
    _take(a, i, c, cfg)
    _unlink(a, i, c)
    if a.kind[i] == CITIZEN:
        a.counts[a.state[i]] -= 1
    a.state[i] = DEAD
    a.pos[i] = -1


@kernel()
def cops_around(a, pos, cfg):
    """The cops in the cops' vision of cell ``pos``, counting the one standing there once
    even where the vision leaves its own cell out (a scan of the cell words)."""
    v = cfg.cop_vis
    y, x = _row_col(pos, cfg.width, cfg.inv_width)
    n = 1
    for k in range(v.size):  # a vision with the own cell counts the cop there itself
        if v.cell_dy[k] == 0 and v.cell_dx[k] == 0:
            n = 0
    for s in range(v.dy.shape[0]):
        a1, b1, a2, b2 = _segments(y, x, v.dy[s], v.lo[s], v.hi[s], cfg.width, cfg.height)
        for c in range(a1, b1):
            n += a.cell[c] & FIELD_MASK
        for c in range(a2, b2):
            n += a.cell[c] & FIELD_MASK
    return n


# --- the rules -------------------------------------------------------------------------------
@kernel(inline="always")
def move_rule(a, i, vis, cfg, rng):
    """Rule M: move to a uniformly random empty cell in vision, if there is one.

    Sampled by rejection: up to MOVE_TRIES draws of a random cell in vision, the first
    empty one taken; after that many misses, one draw among the empty cells counted by a
    scan (none: stay). Either way every empty cell is equally likely, as the rule says.
    """
    pos = a.pos[i]
    y, x = _row_col(pos, cfg.width, cfg.inv_width)
    # away from the edges a cell of the vision is pos + a fixed offset: no wrapping
    inner = vis.reach_y <= y < cfg.height - vis.reach_y and vis.reach_x <= x < cfg.width - vis.reach_x
    dest = -1
    for _ in range(MOVE_TRIES):
        k = np.uint64(draw_index(rng, vis.size))  # unsigned: no negative-index check
        if inner:
            c = pos + vis.cell_flat[k]
        else:
            c = _offset_cell(y, x, vis.cell_dy[k], vis.cell_dx[k], cfg.width, cfg.height)
        if _is_free(a, c):
            dest = c
            break
    if dest < 0:
        empty = _count_empty(a.cell, np.int64(pos), vis.dy, vis.lo, vis.hi, cfg.width, cfg.height)
        if empty > 0:
            r = draw_index(rng, empty)
            dest = _nth(a.cell, np.int64(pos), vis.dy, vis.lo, vis.hi, cfg.width, cfg.height, r, BLOCK_SHIFT, True)[0]
    if dest >= 0:
        relocate_to_empty(a, i, dest, cfg)


@kernel(inline="always")
def knob_chance(a, k, rng):
    """True with the chance held in knob k: no draw at 0 (off) nor at 1 (always), so that a
    mechanism switched off leaves the world's stream as it was."""
    p = a.knobs[k]
    if p <= 0.0:
        return False
    return p >= 1.0 or draw_uniform(rng) < p


@kernel(inline="always")
def daytime_rule(a, rng):
    """Rule Daytime (scenarios) for a citizen whom rule A makes active, in a step that the
    day's hours of a ``daytime`` event cover: it is kept away (work, school, home), and so
    quiet this turn, with probability ``away_probability`` (the event's ``away`` times the
    share of the step's hours it covers; 0: no draw). Drawn only for those rule A would
    make active, which gives each of them the same chance as a draw for every citizen.
    True: kept away."""
    return knob_chance(a, K_AWAY, rng)


@kernel(inline="always")
def activation_rule(a, i, cfg, rng):
    """Rule A for citizen i: active if G - R P > T, with C and A counted in its vision. A
    provocateur (scenarios) is active whatever it sees; under an order to fire, P is
    ``feared_probability(P, fear)`` (rule Fear; fear 0 outside scenarios); in the day's
    hours one who would be active may be kept away instead (rule Daytime, ``daytime_rule``)."""
    g = grievance(a.hardship[i], cfg.legitimacy, cfg.grievance_shift)
    new = QUIET
    if a.flags[i] & PROVOCATEUR:
        new = ACTIVE
    elif can_be_active(g, cfg.threshold):
        seen = a.near[a.pos[i]]
        cops = seen & NEAR_COP_MASK
        actives = seen >> NEAR_ACTIVE_SHIFT
        p = feared_probability(arrest_probability(cops, 1 + actives, cfg.arrest_constant, cfg.ratio_mode),
                               a.knobs[K_FEAR])
        if is_active(g, net_risk(a.risk_aversion[i], p), cfg.threshold) and not daytime_rule(a, rng):
            new = ACTIVE
    if new == ACTIVE:
        a.flags[i] |= PROTESTED
    set_state(a, i, new, cfg)


@kernel(inline="always")
def draw_jail_term(cfg, rng):
    """Rule J: the term of a new arrest (no draw for a life sentence)."""
    if cfg.max_jail_term < 0:
        return LIFE
    return draw_index(rng, jail_term_bound(cfg.max_jail_term, cfg.jail_inclusive))


@kernel(inline="always")
def detain(a, i, cfg, rng):
    """Citizen i is detained (rule C's arrest, or rule Sweeps): its term drawn (rule J),
    jailed, and counted among the arrests."""
    term = draw_jail_term(cfg, rng)
    a.jail[i] = term
    # a zero term is served at once where jail counts down at the end of the step (NetLogo)
    served = term == 0 and not cfg.countdown_own_turn
    set_state(a, i, QUIET if served else JAILED, cfg)
    a.arrests[0] += 1


@kernel()
def sweep_rule(a, i, cfg, rng):
    """Rule Sweeps for citizen i, free at home (quiet) and known to have protested, at the
    start of its turn: detained with ``sweep_probability`` (a knob; 0, the default, draws
    nothing). Returns whether it was. A call rather than inlined: it runs only while a
    sweep is in force, and for the citizens who protested."""
    if draw_uniform(rng) >= a.knobs[K_SWEEP]:
        return False
    detain(a, i, cfg, rng)
    return True


@kernel()
def arrest_rule(a, i, cfg, rng):
    """Rule C for cop i: arrest one random active in vision (the r-th in canonical order).

    Scenarios add four things (``a.knobs``; all off in Epstein's model, and then no extra
    draw is made): a clash (``clash_probability`` > 0): where the actives in sight exceed ``clash_ratio``
    times the cops around, the cop is killed with that probability, before it acts;
    restraint (``hold_back_probability`` > 0, rule Restraint): a cop that survives holds
    back, arresting nobody this turn, with that probability; resistance
    (``resistance_probability`` > 0, rule Resistance): an enforcement whose active is a
    provocateur (armed) kills the cop instead with that probability; and lethal force
    (``lethal_probability`` > 0): the enforcement kills the active instead of arresting it
    with that probability.
    """
    pos = a.pos[i]
    actives = a.near_cop[pos] >> NEAR_ACTIVE_SHIFT
    if actives == 0:
        return
    if a.knobs[K_CLASH_P] > 0.0 and actives > a.knobs[K_CLASH_RATIO] * cops_around(a, pos, cfg):
        a.losses[OUTNUMBERED] += 1  # at risk (rule Casualties counts the dead from these)
        if draw_uniform(rng) < a.knobs[K_CLASH_P]:
            leave_grid(a, i, cfg)
            a.losses[SECURITY_KILLED] += 1
            return
    if a.knobs[K_HOLD_BACK] > 0.0 and draw_uniform(rng) < a.knobs[K_HOLD_BACK]:
        return
    v = cfg.cop_vis
    r = draw_index(rng, actives)
    c, r = _nth(a.cell, np.int64(pos), v.dy, v.lo, v.hi, cfg.width, cfg.height, r, ACTIVE_SHIFT, False)
    target = a.head[c]
    while True:  # the r-th active on cell c, by ascending id
        if a.kind[target] == CITIZEN and a.state[target] == ACTIVE:
            if r == 0:
                break
            r -= 1
        target = a.nxt[target]
    if a.knobs[K_RESIST] > 0.0 and a.flags[target] & PROVOCATEUR:
        a.losses[RESISTED] += 1  # at risk (rule Casualties counts the dead from these)
        if draw_uniform(rng) < a.knobs[K_RESIST]:
            leave_grid(a, i, cfg)
            a.losses[SECURITY_KILLED] += 1
            return
    if a.knobs[K_LETHAL] > 0.0:
        a.losses[FIRED_ON] += 1  # at risk (rule Casualties counts the dead from these)
        if draw_uniform(rng) < a.knobs[K_LETHAL]:
            dest = a.pos[target]
            leave_grid(a, target, cfg)
            a.losses[CIVILIANS_KILLED] += 1
            if cfg.cop_to_arrestee:
                relocate(a, i, dest, cfg)
            return
    detain(a, target, cfg, rng)
    if cfg.cop_to_arrestee:
        relocate(a, i, a.pos[target], cfg)


# --- turns and steps -------------------------------------------------------------------------
@kernel(inline="always")
def serve_jail(a, i, cfg):
    """The jail part of citizen i's turn; returns whether it goes on to move and act.

    A free citizen acts; a dead one (scenarios' lethal force) does not. A jailed one does not, except under own-turn countdown (Mesa) when
    its term has run out: it is released at its own turn and then acts; otherwise that
    rule set spends the turn counting the term down.
    """
    s = a.state[i]
    if s <= ACTIVE:  # quiet or active: free (one compare, as the common case should be)
        return True
    if s == DEAD:  # killed earlier in the step (scenarios), or gone: no turn
        return False
    if not cfg.countdown_own_turn:
        return False
    if a.jail[i] > 0:
        if a.jail[i] != LIFE:
            a.jail[i] -= 1
        return False
    set_state(a, i, QUIET, cfg)
    return True


@kernel(inline="always")
def curfew_rule(a, rng):
    """Rule Curfew (scenarios) for a citizen about to move in a step that curfew hours
    cover in part: it stays with probability ``curfew_share``, the share of the step's hours
    under curfew (0: no draw, it moves; a whole step under curfew switches movement off
    instead). True: it stays."""
    return knob_chance(a, K_CURFEW, rng)


@kernel(inline="always")
def citizen_turn(a, i, cfg, rng):
    """One citizen's turn: jail countdown (own-turn rule sets), a sweep (scenarios), then
    move and act."""
    if not serve_jail(a, i, cfg):
        return
    if a.knobs[K_SWEEP] > 0.0 and a.state[i] == QUIET and a.flags[i] & PROTESTED and sweep_rule(a, i, cfg, rng):
        return
    for phase in range(2):  # act then move, or move then act
        if (phase == 0) == cfg.act_first:
            activation_rule(a, i, cfg, rng)
        elif cfg.citizens_move and not curfew_rule(a, rng):
            move_rule(a, i, cfg.cit_vis, cfg, rng)


@kernel(inline="always")
def defection_rule(a, i, cfg, rng):
    """Rule D for cop i (scenarios; off when ``defection_probability`` is 0, with no draw):
    a cop with actives in sight that is ordered to fire (lethal force on) or overwhelmed
    (actives in sight above ``defection_ratio`` times the cops around) defects with that
    probability. It joins the protest, as an active citizen with H = 1 and R = 0, or goes
    home, leaving the world. Returns whether it defected."""
    if a.knobs[K_DEFECT_P] <= 0.0:
        return False
    pos = a.pos[i]
    actives = a.near_cop[pos] >> NEAR_ACTIVE_SHIFT
    if actives == 0:
        return False
    ordered = a.knobs[K_LETHAL] > 0.0
    ratio = a.knobs[K_DEFECT_RATIO]
    overwhelmed = ratio > 0.0 and actives > ratio * cops_around(a, pos, cfg)
    if not (ordered or overwhelmed) or draw_uniform(rng) >= a.knobs[K_DEFECT_P]:
        return False
    a.losses[DEFECTED] += 1
    if a.knobs[K_DEFECT_JOIN] == 0.0:
        leave_grid(a, i, cfg)
        return True
    _take(a, i, pos, cfg)
    a.kind[i] = CITIZEN
    a.state[i] = ACTIVE
    a.flags[i] |= PROTESTED
    a.hardship[i] = 1.0
    a.risk_aversion[i] = 0.0
    _put(a, i, pos, cfg)
    a.counts[ACTIVE] += 1
    return True


@kernel()
def cop_turn(a, i, cfg, rng):
    """One cop's turn: defect (scenarios), or move and enforce in the rule set's order. A
    cop killed earlier in the step (scenarios' clashes) has no turn."""
    if a.state[i] == DEAD or defection_rule(a, i, cfg, rng):
        return
    for phase in range(2):  # enforce then move, or move then enforce
        if (phase == 0) == cfg.act_first:
            arrest_rule(a, i, cfg, rng)
            if a.state[i] == DEAD:  # killed in a clash
                return
        elif cfg.cops_move:
            move_rule(a, i, cfg.cop_vis, cfg, rng)


@kernel()
def end_of_step_countdown(a, cfg):
    """Jail countdown for ``end_of_step`` rule sets: every jailed term shrinks by one."""
    for i in range(a.kind.shape[0]):
        if a.state[i] == JAILED and a.jail[i] != LIFE:
            a.jail[i] -= 1
            if a.jail[i] == 0:
                set_state(a, i, QUIET, cfg)


@kernel()
def shuffle_order(order, rng):
    """The turn order of a step: ``order`` (0..n-1) shuffled in place by Fisher-Yates,
    drawing ``draw_index(rng, i + 1)`` for i = n-1 down to 1 (every order equally likely)."""
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    shuffle_prefix(order, n, rng)


@kernel(inline="always")
def shuffle_prefix(order, n, rng):
    """Shuffle ``order[:n]`` in place by Fisher-Yates, drawing ``draw_index(rng, i + 1)``
    for i = n-1 down to 1."""
    for i in range(n - 1, 0, -1):
        j = draw_index(rng, i + 1)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@kernel()
def step(a, cfg, rng, order):
    """One step: every agent once, in a fresh random order (``order``: a buffer of n)."""
    n = a.kind.shape[0]
    hint_visions = n > HINT_VISIONS
    shuffle_order(order, rng)
    for j in range(n):
        if j + PREFETCH_RECORD < n:
            prefetch(a.kind, order[j + PREFETCH_RECORD])
        if j + PREFETCH_CELL < n:
            ahead = a.pos[order[j + PREFETCH_CELL]]
            prefetch(a.near, ahead)
            prefetch(a.cell, ahead)
            prefetch(a.head, ahead)  # read by a move's unlink: a third of a step at 1000x1000 unhinted
            if hint_visions and a.kind[order[j + PREFETCH_CELL]] == COP:  # its move updates `near` over its vision
                _prefetch_vision(a.near, ahead, cfg.cit_vis, cfg.width)
        i = order[j]
        if a.kind[i] == COP:
            cop_turn(a, i, cfg, rng)
        else:
            citizen_turn(a, i, cfg, rng)
    if not cfg.countdown_own_turn:
        end_of_step_countdown(a, cfg)


@njit(cache=True, nogil=True)
def run_steps(a, cfg, rng, n_steps, out):
    """Run ``n_steps`` steps, writing citizens (quiet, active, jailed) after each into ``out``;
    if ``out`` has more columns, then also the arrests and ``a.losses`` so far (killed,
    defected, put at risk: ``DETAIL_COLUMNS``)."""
    order = np.empty(a.kind.shape[0], np.int32)
    for t in range(n_steps):
        step(a, cfg, rng, order)
        out[t, 0] = a.counts[0]
        out[t, 1] = a.counts[1]
        out[t, 2] = a.counts[2]
        if out.shape[1] > 3:
            out[t, 3] = a.arrests[0]
            for k in range(out.shape[1] - 4):
                out[t, 4 + k] = a.losses[k]


@kernel()
def rebuild_cells(a, cfg):
    """Recompute cell lists, cell words, caches and counts from ``pos``/``kind``/``state``
    (agents with ``pos`` -1 hold no cell and are not counted)."""
    a.head[:] = -1
    a.cell[:] = 0
    a.near[:] = 0
    a.near_cop[:] = 0
    a.free[:] = np.uint64(0xFFFFFFFFFFFFFFFF)
    a.counts[:] = 0
    for i in range(a.kind.shape[0] - 1, -1, -1):  # descending, so lists come out ascending
        c = a.pos[i]
        if c < 0:  # a free slot (Model II: dead, or not yet born)
            continue
        a.nxt[i] = a.head[c]
        a.head[c] = i
        _put(a, i, c, cfg)
        if a.kind[i] == CITIZEN:
            a.counts[a.state[i]] += 1
