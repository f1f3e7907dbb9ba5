"""The reference implementation of Model II: Model I's reference plus killing, ageing and
cloning, in plain Python. The test oracle for ``intergroup_kernels``
(tests/engine/test_intergroup_oracle.py).

Agents keep their ids for life; a dead one keeps its slot with state ``DEAD`` and position
-1 (so it stands on no cell), and a newcomer takes the lowest dead slot, or a new one at the
end, the numbering the kernel uses.

Example:
    >>> from qantar import rule_set
    >>> from qantar.rules import InterGroupParams
    >>> from qantar.engine.intergroup_world import InterGroupWorld
    >>> p = InterGroupParams(width=8, height=8, citizen_vision=1.7, cop_vision=1.7, legitimacy=0.8, cop_density=0.0)
    >>> w = InterGroupWorld.build(p, rule_set("paper"), seed=2)
    >>> ref = InterGroupReference.from_world(w)
    >>> _ = w.run(4); ref.run(4)
    >>> ref.pos == w.agents.pos.tolist()
    True
"""

from __future__ import annotations

import copy

import numpy as np

from qantar.engine.intergroup_state import COLUMNS, DEAD
from qantar.engine.reference import ReferenceWorld, draw_index, draw_uniform
from qantar.engine.state import ACTIVE, CITIZEN, COP, QUIET
from qantar.rules import vision_offsets

#: The fields of one agent, in the order ``new_agent`` takes them.
FIELDS = ("kind", "state", "jail", "pos", "hardship", "risk_aversion", "flags", "group", "age", "death_age")


class InterGroupReference(ReferenceWorld):
    """One Model II run's state as Python lists, stepped by the rules of docs/model.md."""

    @classmethod
    def from_world(cls, world) -> "InterGroupReference":
        """Copy an ``InterGroupWorld``'s state (free slots included) and random generator."""
        a = world.agents
        ref = cls(world.params, world.rules, copy.deepcopy(world.rng), {f: getattr(a, f).tolist() for f in FIELDS})
        ref.group = a.group.tolist()
        ref.age = a.age.tolist()
        ref.death_age = a.death_age.tolist()
        ref.book = [0, 0, 0]
        return ref

    # --- looking around ------------------------------------------------------------------
    def alive(self, j: int) -> bool:
        return self.state[j] != DEAD

    def is_free_citizen(self, j: int) -> bool:
        return self.kind[j] == CITIZEN and self.state[j] in (QUIET, ACTIVE)

    def row(self) -> list[int]:
        """Now, in the columns of ``COLUMNS``."""
        out = [0] * len(COLUMNS)
        for j in range(len(self.kind)):
            if self.kind[j] == CITIZEN and self.alive(j):
                out[3 * self.group[j] + self.state[j]] += 1
        out[6:9] = self.book
        return out

    # --- life and death ------------------------------------------------------------------
    def remove(self, j: int) -> None:
        self.state[j] = DEAD
        self.pos[j] = -1

    def new_agent(self, **values) -> int:
        """Put an agent in the lowest dead slot (or a new one); return its id."""
        dead = [j for j in range(len(self.kind)) if not self.alive(j)]
        if dead:
            slot = dead[0]
        else:
            slot = len(self.kind)
            for name in FIELDS:
                getattr(self, name).append(0)
        for name in FIELDS:
            getattr(self, name)[slot] = values[name]
        return slot

    # --- the rules -----------------------------------------------------------------------
    def act(self, i: int) -> None:
        """Rule A, then rule K if active: kill a random free citizen of the other group in
        vision; with none, turn quiet (unless ``active_without_victim``)."""
        self.activate(i)
        if self.state[i] != ACTIVE:
            return
        cells = self.cells_in_vision(self.pos[i], self.vision_radius(i))
        victims = [j for c in cells for j in self.agents_at(c) if self.is_free_citizen(j) and self.group[j] != self.group[i]]
        if victims:
            self.remove(victims[draw_index(self.rng, len(victims))])
            self.book[0] += 1
        elif not self.params.active_without_victim:
            self.state[i] = QUIET

    def age_and_die(self) -> None:
        """Rule D: every living citizen ages by one; past its death age it dies."""
        for j in range(len(self.kind)):
            if self.kind[j] == CITIZEN and self.alive(j):
                self.age[j] += 1
                if self.age[j] > self.death_age[j]:
                    self.remove(j)
                    self.book[1] += 1

    def clone(self) -> None:
        """Rule R: free citizens in a random order, each cloning with probability p onto a
        random empty Moore neighbour."""
        p = self.params
        neighbours = vision_offsets(1, "moore", include_centre=False)
        parents = [j for j in range(len(self.kind)) if self.is_free_citizen(j)]
        for j in self.shuffled(parents):
            if draw_uniform(self.rng) >= p.clone_probability:
                continue
            y, x = divmod(self.pos[j], p.width)
            cells = [((y + dy) % p.height) * p.width + (x + dx) % p.width for dy, dx in neighbours.tolist()]
            empty = [c for c in cells if self.is_empty(c)]
            if not empty:
                continue
            cell = empty[draw_index(self.rng, len(empty))]
            r = self.risk_aversion[j] if p.inherit_risk_aversion else draw_uniform(self.rng)
            self.new_agent(kind=CITIZEN, state=QUIET, jail=0, pos=cell, hardship=self.hardship[j], risk_aversion=r, flags=0,
                           group=self.group[j], age=0, death_age=draw_index(self.rng, p.max_age + 1))
            self.book[2] += 1

    def step(self) -> None:
        """The agents alive at the start, once each in a random order (one killed before its
        turn skips it); then jail countdown, ageing and death, cloning."""
        self.book = [0, 0, 0]
        self.take_turns([j for j in range(len(self.kind)) if self.alive(j)])
        self.end_of_step_countdown()
        self.age_and_die()
        self.clone()

    # --- steering between steps ----------------------------------------------------------
    def add_cops(self, n: int) -> None:
        empty = [c for c in range(self.params.cells) if self.is_empty(c)]
        for cell in self.rng.choice(np.array(empty), n, replace=False).tolist():
            self.new_agent(kind=COP, state=QUIET, jail=0, pos=cell, hardship=0.0, risk_aversion=0.0, flags=0, group=0, age=0,
                           death_age=0)

    def remove_cops(self, n: int) -> None:
        cops = [j for j in range(len(self.kind)) if self.kind[j] == COP and self.alive(j)]
        for j in self.rng.choice(np.array(cops), n, replace=False).tolist():
            self.remove(j)
