"""The reference implementation: Model I in plain Python, written to be read, not to be fast.

It is the test oracle for ``kernels``: started from the same initial state and a copy of the
same random generator, it must produce the same trajectory, agent for agent, step for step
(tests/engine/test_oracle.py). It shares only the formulas (``qantar.rules``) and the
canonical vision order with the kernel; everything the kernel does for speed is absent
here: no cell lists, no cached counts, no bitmap, no shortcut for agents with G <= T.
Neighbours are found by asking every agent where it stands.

Example:
    >>> from qantar import World, Params, rule_set
    >>> w = World.build(Params(width=9, height=9, citizen_vision=2, cop_vision=2), rule_set("mesa"), seed=5)
    >>> ref = ReferenceWorld.from_world(w)
    >>> _ = w.run(3); ref.run(3)
    >>> ref.positions() == w.agents.pos.tolist()
    True
"""

from __future__ import annotations

import copy

import numpy as np

from qantar.engine.kernels import MOVE_TRIES
from qantar.engine.state import ACTIVE, CITIZEN, COP, DEAD, JAILED, LIFE, PROTESTED, PROVOCATEUR, QUIET
from qantar.rules import Params, RuleSet, vision_offsets
from qantar.rules.formulas import (
    ARREST_RATIO_CODES,
    arrest_probability,
    feared_probability,
    grievance,
    is_active,
    jail_term_bound,
    net_risk,
)


def draw_index(rng: np.random.Generator, n: int) -> int:
    """A uniform integer in 0..n-1: floor(u n) for u = m / 2^53, m the top 53 bits of the
    generator's next 64-bit word (the u of ``rng.random()``), in exact integer arithmetic."""
    m = int(rng.bit_generator.random_raw()) >> 11
    return (m * n) >> 53


def draw_uniform(rng: np.random.Generator) -> float:
    """A uniform float in [0, 1): m / 2^53, m as in ``draw_index`` (the value of ``rng.random()``)."""
    return (int(rng.bit_generator.random_raw()) >> 11) * 2.0**-53


class ReferenceWorld:
    """One run's state as Python lists, stepped by the rules as written in docs/model.md."""

    def __init__(self, params: Params, rules: RuleSet, rng: np.random.Generator, agents: dict[str, list]):
        self.params = params
        self.rules = rules
        self.rng = rng
        self.kind: list[int] = agents["kind"]
        self.state: list[int] = agents["state"]
        self.jail: list[int] = agents["jail"]
        self.pos: list[int] = agents["pos"]
        self.hardship: list[float] = agents["hardship"]
        self.risk_aversion: list[float] = agents["risk_aversion"]
        self.flags: list[int] = agents.get("flags", [0] * len(self.kind))
        self.arrests = 0  # arrests made so far
        self.losses = [0] * 6  # civilians killed, security killed, defected, fired on, outnumbered, resisted
        # a scenario's knobs (state.KNOBS), all off in Epstein's model
        self.grievance_shift = 0.0
        self.lethal_probability = self.clash_ratio = self.clash_probability = 0.0
        self.defection_probability = self.defection_ratio = 0.0
        self.defect_to_join = False
        self.curfew_share = 0.0
        self.hold_back_probability = 0.0
        self.fear = 0.0
        self.sweep_probability = 0.0
        self.resistance_probability = 0.0
        self.away_probability = 0.0

    @classmethod
    def from_world(cls, world) -> "ReferenceWorld":
        """Copy a ``World``'s state and random generator (placement is shared, stepping is not)."""
        a = world.agents
        fields = ("kind", "state", "jail", "pos", "hardship", "risk_aversion", "flags")
        agents = {f: getattr(a, f).tolist() for f in fields}
        return cls(world.params, world.rules, copy.deepcopy(world.rng), agents)

    # --- looking around ------------------------------------------------------------------
    def positions(self) -> list[int]:
        return list(self.pos)

    def counts(self) -> list[int]:
        """Citizens quiet, active, jailed."""
        states = [s for k, s in zip(self.kind, self.state) if k == CITIZEN]
        return [states.count(QUIET), states.count(ACTIVE), states.count(JAILED)]

    def vision_radius(self, i: int) -> float:
        if self.kind[i] == COP or self.rules.citizens_use_cop_vision:
            return self.params.cop_vision
        return self.params.citizen_vision

    def cells_in_vision(self, cell: int, radius: float) -> list[int]:
        """Cells in vision of ``cell``, in canonical order, on the torus."""
        w, h = self.params.width, self.params.height
        y, x = divmod(cell, w)
        offsets = vision_offsets(radius, self.rules.vision_shape, self.rules.vision_includes_centre)
        return [((y + dy) % h) * w + (x + dx) % w for dy, dx in offsets.tolist()]

    def agents_at(self, cell: int) -> list[int]:
        """Agents standing on ``cell``, by ascending id."""
        return [j for j, p in enumerate(self.pos) if p == cell]

    def blocks(self, j: int) -> bool:
        """Whether agent j keeps others from moving onto its cell."""
        return self.kind[j] == COP or self.state[j] != JAILED or self.rules.jailed_block

    def is_empty(self, cell: int) -> bool:
        return not any(self.blocks(j) for j in self.agents_at(cell))

    def is_active_citizen(self, j: int) -> bool:
        return self.kind[j] == CITIZEN and self.state[j] == ACTIVE

    def cops_around(self, i: int) -> int:
        """Cops in the cops' vision of agent i's cell, counting i's own cell's once where
        the vision leaves it out."""
        cells = self.cells_in_vision(self.pos[i], self.params.cop_vision)
        seen = sum(1 for c in cells for j in self.agents_at(c) if self.kind[j] == COP)
        return seen + (0 if self.rules.vision_includes_centre else 1)

    def remove(self, j: int) -> None:
        """Agent j leaves the world: state DEAD, on no cell."""
        self.state[j] = DEAD
        self.pos[j] = -1

    # --- the rules -----------------------------------------------------------------------
    def move(self, i: int) -> None:
        """Rule M: a uniformly random empty cell in vision (by rejection, as the kernel)."""
        cells = self.cells_in_vision(self.pos[i], self.vision_radius(i))
        for _ in range(MOVE_TRIES):
            cell = cells[draw_index(self.rng, len(cells))]
            if self.is_empty(cell):
                self.pos[i] = cell
                return
        empty = [c for c in cells if self.is_empty(c)]
        if empty:
            self.pos[i] = empty[draw_index(self.rng, len(empty))]

    def activate(self, i: int) -> None:
        """Rule A: active if G - R P > T, P with rule Fear's fear added; a provocateur always."""
        if self.flags[i] & PROVOCATEUR:
            self.state[i] = ACTIVE
            self.flags[i] |= PROTESTED
            return
        cells = self.cells_in_vision(self.pos[i], self.vision_radius(i))
        here = [j for c in cells for j in self.agents_at(c)]
        cops = sum(1 for j in here if self.kind[j] == COP)
        actives = sum(1 for j in here if self.is_active_citizen(j))
        p = feared_probability(arrest_probability(cops, 1 + actives, self.params.arrest_constant,
                                                  ARREST_RATIO_CODES[self.rules.arrest_ratio]), self.fear)
        g = grievance(self.hardship[i], self.params.legitimacy, self.grievance_shift)
        active = is_active(g, net_risk(self.risk_aversion[i], p), self.params.threshold)
        self.state[i] = ACTIVE if active and not self.kept_away() else QUIET
        if self.state[i] == ACTIVE:
            self.flags[i] |= PROTESTED

    def kept_away(self) -> bool:
        """Rule Daytime: one whom rule A makes active stays away with ``away_probability``
        (no draw at 0)."""
        return self.chance(self.away_probability)

    def enforce(self, i: int) -> None:
        """Rules C and J (with the scenarios' clashes, restraint, resistance and lethal force): arrest a
        random active in vision and draw its term."""
        cells = self.cells_in_vision(self.pos[i], self.params.cop_vision)
        suspects = [j for c in cells for j in self.agents_at(c) if self.is_active_citizen(j)]
        if not suspects:
            return
        if self.clash_probability > 0 and len(suspects) > self.clash_ratio * self.cops_around(i):
            self.losses[4] += 1  # outnumbered: at risk (rule Casualties)
            if draw_uniform(self.rng) < self.clash_probability:  # the cop is killed in a clash
                self.remove(i)
                self.losses[1] += 1
                return
        if self.hold_back_probability > 0 and draw_uniform(self.rng) < self.hold_back_probability:
            return  # rule Restraint: this cop arrests nobody this turn
        target = suspects[draw_index(self.rng, len(suspects))]
        if self.resistance_probability > 0 and self.flags[target] & PROVOCATEUR:
            self.losses[5] += 1  # resisted: at risk (rule Casualties)
            if draw_uniform(self.rng) < self.resistance_probability:  # the armed provocateur kills the cop
                self.remove(i)
                self.losses[1] += 1
                return
        if self.lethal_probability > 0:
            self.losses[3] += 1  # fired on: at risk (rule Casualties)
        if self.lethal_probability > 0 and draw_uniform(self.rng) < self.lethal_probability:
            dest = self.pos[target]
            self.remove(target)
            self.losses[0] += 1
            if self.rules.cop_after_arrest == "to_arrestee":
                self.pos[i] = dest
            return
        self.detain(target)
        if self.rules.cop_after_arrest == "to_arrestee":
            self.pos[i] = self.pos[target]

    def detain(self, j: int) -> None:
        """Citizen j is detained (an arrest, or a sweep): rule J's term, jailed, counted."""
        jmax = self.params.max_jail_term
        if jmax is None:
            term = LIFE
        else:
            term = draw_index(self.rng, jail_term_bound(jmax, self.rules.jail_term_range == "inclusive"))
        self.jail[j] = term
        self.arrests += 1
        served_at_once = term == 0 and self.rules.jail_countdown == "end_of_step"
        self.state[j] = QUIET if served_at_once else JAILED

    def swept(self, i: int) -> bool:
        """Rule Sweeps: a citizen at home (quiet) who has protested is detained with
        ``sweep_probability`` at the start of its turn (no draw when it is 0)."""
        if self.sweep_probability <= 0.0 or self.state[i] != QUIET or not self.flags[i] & PROTESTED:
            return False
        if draw_uniform(self.rng) >= self.sweep_probability:
            return False
        self.detain(i)
        return True

    def serve_jail(self, i: int) -> bool:
        """The jail part of a citizen's turn; whether it goes on to move and act."""
        if self.state[i] != JAILED:
            return True
        if self.rules.jail_countdown == "end_of_step":
            return False
        if self.jail[i] > 0:
            if self.jail[i] != LIFE:
                self.jail[i] -= 1
            return False
        self.state[i] = QUIET  # term served: released, and takes this turn
        return True

    def act(self, i: int) -> None:
        """What a free citizen does besides moving: rule A."""
        self.activate(i)

    def chance(self, p: float) -> bool:
        """True with probability p: no draw at 0 nor at 1 (as the kernel's ``knob_chance``)."""
        return p > 0.0 and (p >= 1.0 or draw_uniform(self.rng) < p)

    def stays_for_curfew(self) -> bool:
        """Rule Curfew: under a curfew covering ``curfew_share`` of the step, stay with that
        probability (no draw at 0)."""
        return self.chance(self.curfew_share)

    def citizen_turn(self, i: int) -> None:
        if not self.serve_jail(i) or self.swept(i):
            return
        moves = self.params.movement
        if self.rules.turn_order == "act_then_move":
            self.act(i)
            if moves and not self.stays_for_curfew():
                self.move(i)
        else:
            if moves and not self.stays_for_curfew():
                self.move(i)
            self.act(i)

    def defect(self, i: int) -> bool:
        """Rule D: a cop with actives in sight, ordered to fire or overwhelmed, defects."""
        if self.defection_probability <= 0:
            return False
        cells = self.cells_in_vision(self.pos[i], self.params.cop_vision)
        actives = sum(1 for c in cells for j in self.agents_at(c) if self.is_active_citizen(j))
        if actives == 0:
            return False
        ordered = self.lethal_probability > 0
        overwhelmed = self.defection_ratio > 0 and actives > self.defection_ratio * self.cops_around(i)
        if not (ordered or overwhelmed) or draw_uniform(self.rng) >= self.defection_probability:
            return False
        self.losses[2] += 1
        if self.defect_to_join:
            self.kind[i], self.state[i], self.hardship[i], self.risk_aversion[i] = CITIZEN, ACTIVE, 1.0, 0.0
            self.flags[i] |= PROTESTED
        else:
            self.remove(i)
        return True

    def cop_turn(self, i: int) -> None:
        if self.defect(i):
            return
        moves = self.params.movement or self.rules.cops_move_when_movement_off
        if self.rules.turn_order == "act_then_move":
            self.enforce(i)
            if self.state[i] == DEAD:
                return
            if moves:
                self.move(i)
        else:
            if moves:
                self.move(i)
            self.enforce(i)

    def shuffled(self, ids: list[int]) -> list[int]:
        """``ids`` in a random order drawn by Fisher-Yates (every order equally likely)."""
        order = list(ids)
        for k in range(len(order) - 1, 0, -1):
            j = draw_index(self.rng, k + 1)
            order[k], order[j] = order[j], order[k]
        return order

    def take_turns(self, ids) -> None:
        """The agents ``ids`` once each, in a random order; one dead before its turn skips it."""
        for i in self.shuffled(ids):
            if self.state[i] == DEAD:
                continue
            if self.kind[i] == COP:
                self.cop_turn(i)
            else:
                self.citizen_turn(i)

    def step(self) -> None:
        """Every agent once, in a random order, then the end-of-step jail countdown."""
        self.take_turns(range(len(self.kind)))
        self.end_of_step_countdown()

    def end_of_step_countdown(self) -> None:
        """``end_of_step`` rule sets: every jailed term shrinks by one after all turns."""
        if self.rules.jail_countdown == "end_of_step":
            for i in range(len(self.kind)):
                if self.state[i] == JAILED and self.jail[i] != LIFE:
                    self.jail[i] -= 1
                    if self.jail[i] == 0:
                        self.state[i] = QUIET

    def run(self, n_steps: int) -> None:
        for _ in range(n_steps):
            self.step()

    # --- steering between steps (as World does) -------------------------------------------
    def set_legitimacy(self, value: float) -> None:
        self.params = self.params.model_copy(update={"legitimacy": value})

    def set_grievance_shift(self, value: float) -> None:
        self.grievance_shift = value

    def set_knobs(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    def set_arrest_constant(self, value: float) -> None:
        self.params = self.params.model_copy(update={"arrest_constant": value})

    def add_cops(self, n: int) -> None:
        empty = [c for c in range(self.params.cells) if self.is_empty(c)]
        for cell in self.rng.choice(np.array(empty), n, replace=False).tolist():
            for name, value in (("kind", COP), ("state", QUIET), ("jail", 0), ("pos", cell), ("hardship", 0.0),
                                ("risk_aversion", 0.0), ("flags", 0)):
                getattr(self, name).append(value)

    def make_provocateurs(self, n: int) -> None:
        free = [j for j in range(len(self.kind)) if self.kind[j] == CITIZEN and self.state[j] in (QUIET, ACTIVE)
                and not self.flags[j] & PROVOCATEUR]
        for j in self.rng.choice(np.array(free), n, replace=False).tolist():
            self.flags[j] |= PROVOCATEUR

    def clear_provocateurs(self) -> None:
        self.flags = [f & ~PROVOCATEUR for f in self.flags]

    def remove_cops(self, n: int) -> None:
        cops = [j for j, k in enumerate(self.kind) if k == COP and self.state[j] != DEAD]
        gone = set(self.rng.choice(np.array(cops), n, replace=False).tolist())
        for name in ("kind", "state", "jail", "pos", "hardship", "risk_aversion", "flags"):
            values = getattr(self, name)
            setattr(self, name, [v for j, v in enumerate(values) if j not in gone])


__all__ = ["ReferenceWorld", "draw_index", "draw_uniform"]
