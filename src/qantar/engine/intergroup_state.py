"""Model II's data: Model I's arrays, plus each citizen's group, age and death age, and slots
for agents who die and are born.

Model II's population changes: citizens are killed, die of old age and clone. Agents live
in slots of a fixed capacity; a dead agent's slot has state ``DEAD`` and ``pos`` -1 (it is
on no cell and in no count), and a newcomer (a child, or a cop deployed mid-run) takes the
lowest free slot. The reference implementation numbers agents the same way, so the two can
be compared id by id. The Model I kernel's helpers (``set_state``, ``relocate``, the rules
M, A and C) work unchanged on ``GroupAgents``: it has every field of ``Agents``.

Counts after each step are the columns of ``COLUMNS``: per group quiet, active and jailed,
then the step's deaths by killing and by old age, and its births.

Example:
    >>> COLUMNS[:3], GROUP_NAMES
    (('blue_quiet', 'blue_active', 'blue_jailed'), ('blue', 'green'))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from qantar.engine.state import AGENT_DTYPE, DEAD, KNOB_NAMES, PER_AGENT, Vision, empty_cells, zeros_aligned

# A free slot has state DEAD (Model I's: an agent no longer in the world), or room for one
# not yet born.
BLUE, GREEN = 0, 1
GROUP_NAMES = ("blue", "green")
COLUMNS = (
    "blue_quiet", "blue_active", "blue_jailed",
    "green_quiet", "green_active", "green_jailed",
    "killed", "died", "born",
)
KILLED, DIED, BORN = 6, 7, 8
#: Entries of ``GroupAgents.book``: this step's killed, died of age, born; living agents.
BOOK_KILLED, BOOK_DIED, BOOK_BORN, BOOK_LIVING = 0, 1, 2, 3

#: One 44-byte record per slot: Model I's 32 bytes, then age, death age and group (aligned).
GROUP_AGENT_DTYPE = np.dtype(
    [(name, AGENT_DTYPE[name]) for name in AGENT_DTYPE.names]
    + [("age", np.int32), ("death_age", np.int32), ("group", np.int8), ("_pad", "V3")]
)
GROUP_PER_AGENT = PER_AGENT + ("group", "age", "death_age")


class GroupAgents(NamedTuple):
    """Per-slot arrays (views into one record array), per-cell arrays, counts and the book."""

    kind: np.ndarray
    state: np.ndarray  # QUIET, ACTIVE, JAILED, or DEAD for a free slot
    jail: np.ndarray
    pos: np.ndarray  # -1 for a free slot
    hardship: np.ndarray
    risk_aversion: np.ndarray
    nxt: np.ndarray
    flags: np.ndarray
    group: np.ndarray  # int8: BLUE or GREEN (citizens)
    age: np.ndarray  # int32: steps lived
    death_age: np.ndarray  # int32: dies at the end of the step its age passes this
    head: np.ndarray
    cell: np.ndarray
    near: np.ndarray
    near_cop: np.ndarray
    free: np.ndarray
    counts: np.ndarray  # int64[3]: living citizens quiet, active, jailed
    arrests: np.ndarray  # int64[1]: arrests made so far
    losses: np.ndarray  # int64[3]: as Model I's (scenarios' lethal force and defection)
    knobs: np.ndarray  # float64[len(KNOB_NAMES)]: as Model I's (all off in Model II)
    book: np.ndarray  # int64[4]: see BOOK_*


class LifeCycle(NamedTuple):
    """Model II's numbers for the kernel besides Model I's ``Config``."""

    clone_probability: float
    max_age: int
    inherit_risk_aversion: bool
    active_without_victim: bool
    nbhd: Vision  # where a child may be placed: the 8 Moore neighbours
    stop_at_extinction: bool  # end the run once a group has no living member


def empty_group_agents(capacity: int, cells: int, shared_near: bool, near: np.dtype = np.int64) -> GroupAgents:
    """``capacity`` free slots on ``cells`` cells, to be filled."""
    records = zeros_aligned(capacity, GROUP_AGENT_DTYPE)
    records["nxt"] = -1
    records["pos"] = -1
    records["state"] = DEAD
    return GroupAgents(**{name: records[name] for name in GROUP_PER_AGENT}, **empty_cells(cells, shared_near, near),
                       counts=np.zeros(3, np.int64), arrests=np.zeros(1, np.int64),
                       losses=np.zeros(3, np.int64), knobs=np.zeros(len(KNOB_NAMES)), book=np.zeros(4, np.int64))


def grow(agents: GroupAgents, capacity: int) -> GroupAgents:
    """The same agents with room for ``capacity`` (new slots free, at the end)."""
    bigger = empty_group_agents(capacity, len(agents.head), agents.near_cop is agents.near, agents.near.dtype)
    n = len(agents.kind)
    for name in GROUP_PER_AGENT:
        getattr(bigger, name)[:n] = getattr(agents, name)
    per_slot = {name: getattr(bigger, name) for name in GROUP_PER_AGENT}
    shared = {name: getattr(agents, name) for name in GroupAgents._fields if name not in per_slot}
    return GroupAgents(**per_slot, **shared)
