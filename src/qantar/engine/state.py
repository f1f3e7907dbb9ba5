"""The engine's data: all state in arrays, bundled in named tuples the kernel accepts.

Agents are numbered 0..N-1, citizens first, then cops. Each cell keeps the list of agents on
it (``head[cell]`` then ``nxt[agent]``, ascending agent id) so that rule sets where several
agents may share a cell (NetLogo: jailed agents do not block, released ones reappear where
they were) are exact, and so that "the r-th active in vision" has one meaning.

The kernel maintains per-cell counts so that scans read one array:
``seen[cell] = cops + (actives << 16)`` (what vision sees) and ``block[cell]`` (agents that
make the cell non-empty for movement: cops, free citizens, and jailed ones if the rule set's
``jailed_block``). ``counts`` holds the citizens quiet / active / jailed.

Example:
    >>> STATE_NAMES[ACTIVE], KIND_NAMES[COP]
    ('active', 'cop')
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

CITIZEN, COP = 0, 1
QUIET, ACTIVE, JAILED = 0, 1, 2
KIND_NAMES = ("citizen", "cop")
STATE_NAMES = ("quiet", "active", "jailed")
#: Jail term of a life sentence (J_max = infinity): never counted down.
LIFE = np.iinfo(np.int32).max
#: Bit shift of the active count inside ``seen``.
ACTIVE_SHIFT = 16
COP_MASK = (1 << ACTIVE_SHIFT) - 1


class Agents(NamedTuple):
    """Per-agent arrays (length N) and per-cell arrays (length width x height)."""

    kind: np.ndarray  # int8: CITIZEN or COP
    state: np.ndarray  # int8: QUIET, ACTIVE or JAILED (cops stay QUIET)
    jail: np.ndarray  # int32: remaining term; LIFE for life
    pos: np.ndarray  # int32: cell index y * width + x
    hardship: np.ndarray  # float64: H, citizens only (0 for cops)
    risk_aversion: np.ndarray  # float64: R, citizens only (0 for cops)
    nxt: np.ndarray  # int32: next agent on the same cell, -1 at the end
    head: np.ndarray  # int32 per cell: first (lowest id) agent on it, -1 if none
    seen: np.ndarray  # int32 per cell: cops + (actives << 16)
    block: np.ndarray  # int32 per cell: agents making it non-empty for movement
    counts: np.ndarray  # int64[3]: citizens quiet, active, jailed


class Vision(NamedTuple):
    """One vision (citizens' or cops'): offsets in canonical order and their flat deltas."""

    dy: np.ndarray  # int64
    dx: np.ndarray  # int64
    delta: np.ndarray  # int64: dy * width + dx, valid away from the edges
    reach: int  # max |dy| or |dx|


class Config(NamedTuple):
    """Everything the kernel needs besides state: sizes, rule switches, numbers."""

    width: int
    height: int
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


def make_vision(offsets: np.ndarray, width: int) -> Vision:
    """Bundle offsets (from ``rules.vision_offsets``) for a grid of the given width."""
    dy = np.ascontiguousarray(offsets[:, 0], dtype=np.int64)
    dx = np.ascontiguousarray(offsets[:, 1], dtype=np.int64)
    reach = int(max(np.abs(offsets).max(initial=0), 0))
    return Vision(dy, dx, dy * width + dx, reach)
