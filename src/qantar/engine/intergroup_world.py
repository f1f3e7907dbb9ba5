"""A world of Model II (inter-group violence): build it, step it, deploy or withdraw cops.

Two groups, blue and green, share the grid. Citizens decide by Model I's rule A; going
active means killing one random member of the other group in vision (rule K). Citizens age
and die at a death age drawn at birth (rule D), and clone onto empty neighbouring cells
(rule R). Cops arrest actives of both groups alike. The rules are in docs/model.md,
section "Model II".

Example:
    >>> from qantar import rule_set
    >>> from qantar.rules import InterGroupParams
    >>> w = InterGroupWorld.build(InterGroupParams(citizen_vision=1.7, cop_vision=1.7, legitimacy=0.8,
    ...                           max_jail_term=15, cop_density=0.0), rule_set("netlogo"), seed=1)
    >>> rows = w.run(5)               # per group quiet/active/jailed, then killed, died, born
    >>> rows.shape, int(rows[:, 6].sum()) > 0
    ((5, 9), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qantar.engine.pcg import put_state, take_state
from qantar.engine.intergroup_kernels import run_intergroup_steps
from qantar.engine.intergroup_state import (
    BOOK_LIVING,
    COLUMNS,
    DEAD,
    GREEN,
    GroupAgents,
    LifeCycle,
    empty_group_agents,
    grow,
)
from qantar.engine.state import BLOCK_SHIFT, CITIZEN, COP, QUIET, Config, make_vision, near_dtype
from qantar.engine.world import SteeredNumbers, fill_uniform, make_config, place_agents, rebuild
from qantar.errors import QantarInputError
from qantar.rules import InterGroupParams, RuleSet, vision_offsets


def make_life(params: InterGroupParams, stop_at_extinction: bool) -> LifeCycle:
    """The kernel's view of Model II's life-cycle numbers."""
    return LifeCycle(
        clone_probability=float(params.clone_probability),
        max_age=int(params.max_age),
        inherit_risk_aversion=bool(params.inherit_risk_aversion),
        active_without_victim=bool(params.active_without_victim),
        nbhd=make_vision(vision_offsets(1, "moore", include_centre=False), params.width),
        stop_at_extinction=stop_at_extinction,
    )


@dataclass
class InterGroupWorld(SteeredNumbers):
    """State of one Model II run (arrays in slots), its parameters, rule set and generator.

    ``stop_at_extinction``: ``run`` ends early once a group has no living member (the
    time-to-extinction sweep); a run's rows then stop at the step it happened.
    """

    params: InterGroupParams
    rules: RuleSet
    rng: np.random.Generator
    agents: GroupAgents
    config: Config
    life: LifeCycle
    seed: object = None
    steps_done: int = 0

    @classmethod
    def build(cls, params: InterGroupParams, rules: RuleSet, seed=0, stop_at_extinction: bool = False) -> "InterGroupWorld":
        """Place agents (the rule set's placement), then draw for every citizen, in this
        order: H, R ~ U(0, 1); its group (blue or green, 1/2 each); its death age from
        0..max_age; its age from 0..death age (the first generation is of all ages)."""
        if not isinstance(params, InterGroupParams):
            raise QantarInputError("params: Model II needs InterGroupParams (clone_probability, max_age)")
        rng = np.random.default_rng(seed)
        config = make_config(params, rules)
        cit_cells, cop_cells = place_agents(params, rules, rng)
        n_cit, n_cop = len(cit_cells), len(cop_cells)
        n = n_cit + n_cop
        a = empty_group_agents(n + params.cells, params.cells, config.shared_near,
                               near_dtype(config.cit_vis.size, config.cop_vis.size))
        a.kind[n_cit:n] = COP
        a.state[:n] = QUIET
        a.pos[:n_cit] = cit_cells
        a.pos[n_cit:n] = cop_cells
        fill_uniform(a.hardship[:n_cit], rng)
        fill_uniform(a.risk_aversion[:n_cit], rng)
        a.group[:n_cit] = np.where(rng.random(n_cit) < 0.5, 0, GREEN)
        a.death_age[:n_cit] = rng.integers(0, params.max_age + 1, n_cit)
        a.age[:n_cit] = rng.integers(0, a.death_age[:n_cit] + 1)
        a.book[BOOK_LIVING] = n
        rebuild(a, config)
        return cls(params, rules, rng, a, config, make_life(params, stop_at_extinction), seed)

    # --- reading -------------------------------------------------------------------------
    def living(self, kind: int) -> np.ndarray:
        """Slots of the living agents of ``kind`` (CITIZEN or COP), ascending."""
        a = self.agents
        return np.flatnonzero((a.kind == kind) & (a.state != DEAD))

    @property
    def n_citizens(self) -> int:
        return len(self.living(CITIZEN))

    @property
    def n_cops(self) -> int:
        return len(self.living(COP))

    def counts(self) -> np.ndarray:
        """Now, in the columns of ``COLUMNS`` (killed, died, born: those of the last step)."""
        a = self.agents
        row = np.zeros(len(COLUMNS), np.int64)
        citizens = self.living(CITIZEN)
        np.add.at(row, 3 * a.group[citizens].astype(np.int64) + a.state[citizens], 1)
        row[6:9] = a.book[:3]
        return row

    def extinct(self) -> bool:
        """Whether a group has no living member."""
        row = self.counts()
        return row[0:3].sum() == 0 or row[3:6].sum() == 0

    # --- stepping ------------------------------------------------------------------------
    def run(self, n_steps: int) -> np.ndarray:
        """Run ``n_steps`` steps (fewer if ``stop_at_extinction`` and a group dies out);
        return one row of ``COLUMNS`` per step run."""
        if n_steps < 0:
            raise QantarInputError(f"steps: must be at least 0 (got {n_steps})")
        out = np.zeros((n_steps, len(COLUMNS)), np.int64)
        done = 0
        while done < n_steps:
            if self.life.stop_at_extinction and self.extinct():
                break
            state = take_state(self.rng)
            done += run_intergroup_steps(self.agents, self.config, self.life, state, n_steps - done, out[done:])
            put_state(self.rng, state)
            self._keep_room(self.params.cells)
        self.steps_done += done
        return out[:done]

    def _keep_room(self, need: int) -> None:
        """Make sure at least ``need`` slots are free (a step can add one citizen per cell)."""
        a = self.agents
        if len(a.kind) - a.book[BOOK_LIVING] < need:
            self.agents = grow(a, int(a.book[BOOK_LIVING]) + need + self.params.cells)

    # --- steering between steps (set_legitimacy, set_arrest_constant: SteeredNumbers) ---
    def set_knobs(self, **values: float | bool) -> None:
        """Not for Model II: the scenario mechanisms (lethal force, clashes, defection, the
        grievance shift) are Model I's; its slots and groups do not account for them."""
        raise QantarInputError("knobs: the scenario mechanisms are for Model I worlds, not Model II")

    def add_cops(self, n: int) -> None:
        """Deploy ``n`` cops (peacekeepers) to distinct random empty cells, in the lowest free slots."""
        empty = np.flatnonzero(self.agents.cell >> BLOCK_SHIFT == 0)
        if not 0 <= n <= len(empty):
            raise QantarInputError(f"add_cops: n must be between 0 and {len(empty)} empty cells (got {n})")
        cells = self.rng.choice(empty, n, replace=False)
        self._keep_room(n + self.params.cells)
        a = self.agents
        slots = np.flatnonzero(a.state == DEAD)[:n]
        for name, value in (("kind", COP), ("state", QUIET), ("jail", 0), ("hardship", 0.0), ("risk_aversion", 0.0), ("flags", 0),
                            ("group", 0), ("age", 0), ("death_age", 0)):
            getattr(a, name)[slots] = value
        a.pos[slots] = cells
        a.book[BOOK_LIVING] += n
        rebuild(a, self.config)

    def remove_cops(self, n: int) -> None:
        """Withdraw ``n`` cops chosen at random; their slots become free."""
        cops = self.living(COP)
        if not 0 <= n <= len(cops):
            raise QantarInputError(f"remove_cops: n must be between 0 and {len(cops)} cops (got {n})")
        gone = self.rng.choice(cops, n, replace=False)
        a = self.agents
        a.state[gone] = DEAD
        a.pos[gone] = -1
        a.book[BOOK_LIVING] -= n
        rebuild(a, self.config)
