"""The engine's data: all state in arrays, bundled in named tuples the kernel accepts.

Agents are numbered 0..N-1, citizens first, then cops. Each cell keeps the list of agents on
it (``head[cell]`` then ``nxt[agent]``, ascending agent id) so that rule sets where several
agents may share a cell (NetLogo: jailed agents do not block, released ones reappear where
they were) are exact, and so that "the r-th active in vision" has one meaning.

The kernel keeps one packed word per cell so that a scan of vision reads one array once:
``cell[c] = cops | actives << 8 | blockers << 16``, where blockers are the agents that make
the cell non-empty for movement (cops, free citizens, and jailed ones if the rule set's
``jailed_block``). Each field holds up to 255 (the kernel raises rather than overflow).
``counts`` holds the citizens quiet / active / jailed.

Two caches spare the kernel from rescanning a vision on every turn (each is exactly what a
scan would find; tests/engine/test_invariants.py recounts them):
``near[c]`` = cops + (actives << 16) within the citizens' vision of cell c, and
``near_cop[c]`` = actives << 16 within the cops' vision (the same array when both visions
are equal); updated when a cop moves or a citizen turns active or quiet. They are uint32
where no count can pass 16 bits (visions of up to 257 cells, ``near_dtype``), else int64,
so that the actives' field cannot overflow (a vision of 45,000 cells may see more than 2^15
actives); the cops' 16 bits are checked when a world is built or given cops
(``world.check_vision_counts``). ``free`` is a
bitmap of the cells with no blocker, one bit a cell, small enough to stay in cache for
rule M's random tries.

Example:
    >>> STATE_NAMES[ACTIVE], KIND_NAMES[COP]
    ('active', 'cop')
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

CITIZEN, COP = 0, 1
QUIET, ACTIVE, JAILED = 0, 1, 2
#: An agent no longer in the world: killed, gone home, or (Model II) dead; on no cell.
DEAD = 3
KIND_NAMES = ("citizen", "cop")
STATE_NAMES = ("quiet", "active", "jailed", "dead")
#: Entries of ``Agents.losses``: civilians killed, security killed, cops defected; then the
#: agents put at risk of death, for rule Casualties to count the dead person by person:
#: actives taken by an enforcement under lethal force (FIRED_ON, before its draw), cop
#: turns outnumbered under clashes (OUTNUMBERED, before theirs) and enforcements against an
#: armed provocateur under rule Resistance (RESISTED, before theirs). All cumulative.
CIVILIANS_KILLED, SECURITY_KILLED, DEFECTED, FIRED_ON, OUTNUMBERED, RESISTED = 0, 1, 2, 3, 4, 5
N_LOSSES = 6
#: The scenario mechanisms' settings in ``Agents.knobs`` (all 0: off), by index. They live
#: in an array rather than in ``Config``: seven more Config fields cost a quarter of the
#: step's speed (docs/performance.md), an array read only where a mechanism acts costs nothing.
KNOB_NAMES = ("lethal_probability", "clash_ratio", "clash_probability", "defection_probability",
              "defection_ratio", "defect_to_join", "curfew_share", "hold_back_probability", "fear",
              "sweep_probability", "resistance_probability", "away_probability")
(K_LETHAL, K_CLASH_RATIO, K_CLASH_P, K_DEFECT_P, K_DEFECT_RATIO, K_DEFECT_JOIN, K_CURFEW, K_HOLD_BACK, K_FEAR,
 K_SWEEP, K_RESIST, K_AWAY) = range(12)
#: Jail term of a life sentence (J_max = infinity): never counted down.
LIFE = np.iinfo(np.int32).max
#: Fields of the ``near`` caches (int64): cops in the low 16 bits, actives above them.
NEAR_COP_MASK, NEAR_ACTIVE_SHIFT = 0xFFFF, 16
NEAR_ACTIVE_UNIT = 1 << NEAR_ACTIVE_SHIFT
#: Fields of the packed per-cell word.
FIELD_MASK = 0xFF
COP_UNIT, ACTIVE_UNIT, BLOCK_UNIT = 1, 1 << 8, 1 << 16
ACTIVE_SHIFT, BLOCK_SHIFT = 8, 16


#: One 32-byte record per agent: the kernel visits agents in random order, so keeping an
#: agent's fields on one cache line costs one memory access per turn instead of seven.
AGENT_DTYPE = np.dtype(
    [
        ("hardship", np.float64),
        ("risk_aversion", np.float64),
        ("jail", np.int32),
        ("pos", np.int32),
        ("nxt", np.int32),
        ("kind", np.int8),
        ("state", np.int8),
        ("flags", np.int16),
    ]
)
PER_AGENT = ("kind", "state", "jail", "pos", "hardship", "risk_aversion", "nxt", "flags")
#: Bits of ``Agents.flags``: a provocateur is always active (rule A; scenarios); a citizen
#: who has protested has been active at some time in the run (set by rule A and by a
#: defector joining; read by rule Sweeps, which detains those of them at home).
PROVOCATEUR, PROTESTED = 1, 2


class Agents(NamedTuple):
    """Per-agent arrays (length N; views into one record array) and per-cell arrays."""

    kind: np.ndarray  # int8: CITIZEN or COP
    state: np.ndarray  # int8: QUIET, ACTIVE or JAILED (cops stay QUIET)
    jail: np.ndarray  # int32: remaining term; LIFE for life
    pos: np.ndarray  # int32: cell index y * width + x
    hardship: np.ndarray  # float64: H, citizens only (0 for cops)
    risk_aversion: np.ndarray  # float64: R, citizens only (0 for cops)
    nxt: np.ndarray  # int32: next agent on the same cell, -1 at the end
    flags: np.ndarray  # int16: bits PROVOCATEUR (scenarios) and PROTESTED (has been active)
    head: np.ndarray  # int32 per cell: first (lowest id) agent on it, -1 if none
    cell: np.ndarray  # uint32 per cell: cops | actives << 8 | blockers << 16
    near: np.ndarray  # uint32 or int64 (near_dtype) per cell: cops + actives << 16 in the citizens' vision
    near_cop: np.ndarray  # the same type, per cell: actives << 16 in the cops' vision (may be `near`)
    free: np.ndarray  # uint64 bitmap: bit c set iff cell c has no blocker
    counts: np.ndarray  # int64[3]: citizens quiet, active, jailed
    arrests: np.ndarray  # int64[1]: arrests made so far (detentions, cumulative)
    losses: np.ndarray  # int64[N_LOSSES]: killed, defected, put at risk (cumulative; the names above)
    knobs: np.ndarray  # float64: the scenario mechanisms' settings (KNOB_NAMES)


class Vision(NamedTuple):
    """One vision (citizens' or cops'), as row spans that list its cells in canonical order.

    Span s covers offsets (dy[s], lo[s]..hi[s]); spans follow the canonical order of
    ``rules.vision.vision_offsets`` (rows north to south, columns west to east), so walking
    them visits the same cells in the same order as that list.
    """

    dy: np.ndarray  # int64
    lo: np.ndarray  # int64, first dx of the span
    hi: np.ndarray  # int64, last dx of the span (inclusive)
    size: int  # number of cells in vision
    cell_dy: np.ndarray  # int64, per cell in canonical order (for random picks)
    cell_dx: np.ndarray  # int64
    cell_flat: np.ndarray  # int64, dy * width + dx: the offset of a cell away from the edges
    reach_y: int  # max |dy|: rows reach_y..height-reach_y-1 see no wrapped cell
    reach_x: int  # max |dx|


class Config(NamedTuple):
    """Everything the kernel needs besides state: sizes, visions, rule switches, numbers."""

    width: int
    height: int
    inv_width: float  # 1 / width, for division-free row/column
    cit_vis: "Vision"
    cop_vis: "Vision"
    shared_near: bool  # both visions equal: one `near` cache serves both
    ratio_mode: int  # formulas.RATIO_*
    act_first: bool  # turn order act_then_move
    jail_inclusive: bool
    jailed_block: bool
    cop_to_arrestee: bool
    countdown_own_turn: bool
    citizens_move: bool  # Params.movement
    cops_move: bool  # movement or cops_move_when_movement_off
    legitimacy: float
    arrest_constant: float
    threshold: float
    max_jail_term: int  # -1 for life
    grievance_shift: float = 0.0  # added to every citizen's G (news, blackouts; 0 in Epstein's model)


def empty_agents(n: int, cells: int, shared_near: bool, near: np.dtype = np.int64) -> Agents:
    """Agents for ``n`` agents on ``cells`` cells, all fields zero (``nxt`` -1), to be filled.

    The per-agent fields are views into one record array (see AGENT_DTYPE); filling them in
    place, rather than from whole temporary arrays, keeps a big world's peak memory close to
    its state (docs/performance.md).
    """
    records = zeros_aligned(n, AGENT_DTYPE)
    records["nxt"] = -1
    return Agents(**{name: records[name] for name in PER_AGENT}, **empty_cells(cells, shared_near, near),
                  counts=np.zeros(3, np.int64), arrests=np.zeros(1, np.int64), losses=np.zeros(N_LOSSES, np.int64),
                  knobs=np.zeros(len(KNOB_NAMES)))


#: Bytes of a cache line: record arrays start on one, so that no 32-byte record spans two.
CACHE_LINE = 64


def zeros_aligned(n: int, dtype: np.dtype, align: int = CACHE_LINE) -> np.ndarray:
    """``np.zeros(n, dtype)`` starting at an address divisible by ``align``.

    A large allocation starts 16 bytes past a page boundary, so half of the 32-byte agent
    records spanned two cache lines, and a turn on a big world waited for the second line
    (docs/performance.md).

    Example:
        >>> r = zeros_aligned(5, AGENT_DTYPE)
        >>> r.ctypes.data % CACHE_LINE, r.shape, int(r["pos"].sum())
        (0, (5,), 0)
    """
    dtype = np.dtype(dtype)
    raw = np.zeros(n * dtype.itemsize + align, np.uint8)
    start = -raw.ctypes.data % align
    return raw[start:start + n * dtype.itemsize].view(dtype)


def near_dtype(cit_vision_size: int, cop_vision_size: int) -> np.dtype:
    """The ``near`` caches' type: uint32 where no count can pass its 16-bit field (at most
    255 agents of a kind a cell, so visions of at most 257 cells), else int64.

    Half the bytes a cell where it fits: the caches are read every turn and updated over a
    vision at every cop move (docs/performance.md); wide visions keep the int64 fields.

    Example:
        >>> near_dtype(112, 112), near_dtype(149, 300)
        (dtype('uint32'), dtype('int64'))
    """
    fits = FIELD_MASK * max(cit_vision_size, cop_vision_size) <= NEAR_COP_MASK
    return np.dtype(np.uint32) if fits else np.dtype(np.int64)


def empty_cells(cells: int, shared_near: bool, near: np.dtype = np.int64) -> dict[str, np.ndarray]:
    """The per-cell arrays (``head``, ``cell``, ``near``, ``near_cop``, ``free``), empty;
    ``near`` is the caches' type (``near_dtype``)."""
    near_ = np.zeros(cells, near)
    return {
        "head": np.full(cells, -1, np.int32),
        "cell": np.zeros(cells, np.uint32),
        "near": near_,
        "near_cop": near_ if shared_near else np.zeros(cells, near),
        "free": np.zeros((cells + 63) // 64, np.uint64),
    }


def make_agents(per_agent: dict[str, np.ndarray], cells: int, shared_near: bool, near: np.dtype = np.int64) -> Agents:
    """Agents with the given per-agent fields (the others zero, ``nxt`` -1).

    Example:
        >>> a = make_agents({"kind": np.array([0, 1]), "pos": np.array([3, 5])}, cells=9, shared_near=True)
        >>> a.pos.tolist(), a.nxt.tolist(), a.head.shape
        ([3, 5], [-1, -1], (9,))
    """
    agents = empty_agents(len(per_agent["kind"]), cells, shared_near, near)
    for name, values in per_agent.items():
        getattr(agents, name)[:] = values
    return agents


def make_vision(offsets: np.ndarray, width: int) -> Vision:
    """Group canonical offsets (from ``rules.vision_offsets``) into row spans.

    Example:
        >>> v = make_vision(np.array([[-1, 0], [0, -1], [0, 1], [1, 0]]), width=5)  # von Neumann 1
        >>> v.dy.tolist(), v.lo.tolist(), v.hi.tolist(), v.size
        ([-1, 0, 0, 1], [0, -1, 1, 0], [0, -1, 1, 0], 4)
    """
    spans: list[list[int]] = []
    for dy, dx in offsets.tolist():
        if spans and spans[-1][0] == dy and spans[-1][2] == dx - 1:
            spans[-1][2] = dx
        else:
            spans.append([dy, dx, dx])
    cols = np.array(spans, dtype=np.int64).reshape(-1, 3)
    dy = np.ascontiguousarray(offsets[:, 0], dtype=np.int64)
    dx = np.ascontiguousarray(offsets[:, 1], dtype=np.int64)
    reach_y = int(np.abs(dy).max(initial=0))
    reach_x = int(np.abs(dx).max(initial=0))
    return Vision(cols[:, 0].copy(), cols[:, 1].copy(), cols[:, 2].copy(), len(offsets), dy, dx, dy * width + dx, reach_y, reach_x)
