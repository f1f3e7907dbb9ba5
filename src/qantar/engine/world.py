"""A world of Model I: build it from parameters and a rule set, step it, steer it between steps.

Between steps a caller may change legitimacy, the arrest constant, the number of cops, and
each citizen's hardship and risk aversion; the next step uses the new values (the paper's
runs 3-5 and every scenario rely on this). Inside a step only the kernel acts.

Example:
    >>> from qantar import World, Params, rule_set
    >>> w = World.build(Params(legitimacy=0.7), rule_set("paper"), seed=3)
    >>> counts = w.run(5)          # citizens (quiet, active, jailed) after each step
    >>> counts.shape, int(counts[-1].sum()) == w.n_citizens
    ((5, 3), True)
    >>> w.set_legitimacy(0.9); w.remove_cops(10); w.n_cops
    54
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from qantar.engine import kernels
from qantar.engine.pcg import put_state, take_state
from qantar.engine.state import (
    BLOCK_SHIFT,
    CITIZEN,
    FIELD_MASK,
    COP,
    DEAD,
    DEFECTED,
    KNOB_NAMES,
    ACTIVE,
    NEAR_COP_MASK,
    PER_AGENT,
    PROVOCATEUR,
    SECURITY_KILLED,
    Agents,
    Config,
    Vision,
    empty_agents,
    make_agents,
    make_vision,
    near_dtype,
)
from qantar.errors import QantarInputError
from qantar.rules import Params, RuleSet, vision_offsets
from qantar.rules.formulas import ARREST_RATIO_CODES


#: Columns of ``World.run(..., detailed=True)``: citizens now, then cumulative counts. The
#: last three are agents put at risk of death (``state.FIRED_ON``, ``OUTNUMBERED``,
#: ``RESISTED``), from which rule Casualties counts the dead; they are not people
#: (``PEOPLE_COLUMNS``). The agents put at risk: actives fired on, cop turns outnumbered,
#: cops enforcing against an armed provocateur.
RISK_COLUMNS = ("fired_on", "outnumbered", "resisted")
DETAIL_COLUMNS = ("quiet", "active", "jailed", "detained", "civilians_killed", "security_killed", "defected",
                  *RISK_COLUMNS)
#: The columns of ``DETAIL_COLUMNS`` that count people (agents times the scale).
PEOPLE_COLUMNS = tuple(c for c in DETAIL_COLUMNS if c not in RISK_COLUMNS)

#: Cells (or agents) handled per chunk while building, so that temporaries stay small.
BUILD_CHUNK = 1 << 20


def place_agents(params: Params, rules: RuleSet, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Initial cells of citizens and of cops (placement rule), each ascending, as int32.

    ``exact``: round(density x cells) of each kind on distinct random cells (NetLogo).
    ``bernoulli``: each cell independently holds a citizen with probability
    citizen_density, else a cop with probability cop_density (Mesa).

    Both draw as ``rng.permutation(cells)`` and ``rng.random(cells)`` would (a shuffled
    int32 range; uniforms in chunks, which continue the same stream), with fewer temporaries.
    """
    cells = params.cells
    if rules.placement == "exact":
        n_cit = math.floor(params.citizen_density * cells + 0.5)
        n_cop = min(math.floor(params.cop_density * cells + 0.5), cells - n_cit)
        perm = np.arange(cells, dtype=np.int32)
        rng.shuffle(perm)
        return np.sort(perm[:n_cit]), np.sort(perm[n_cit : n_cit + n_cop])
    cit, cop = [], []
    for start in range(0, cells, BUILD_CHUNK):
        u = rng.random(min(BUILD_CHUNK, cells - start))
        is_cit = u < params.citizen_density
        is_cop = ~is_cit & (u < params.citizen_density + params.cop_density)
        cit.append((np.flatnonzero(is_cit) + start).astype(np.int32))
        cop.append((np.flatnonzero(is_cop) + start).astype(np.int32))
    return np.concatenate(cit), np.concatenate(cop)


def fill_uniform(out: np.ndarray, rng: np.random.Generator) -> None:
    """``out[:] = rng.random(len(out))``, drawn in chunks (the same numbers, less memory)."""
    for start in range(0, len(out), BUILD_CHUNK):
        stop = min(start + BUILD_CHUNK, len(out))
        out[start:stop] = rng.random(stop - start)


def check_vision_counts(n_cops: int, config: Config) -> None:
    """Refuse a world whose citizens could see more cops than the ``near`` cache's 16-bit
    field holds (65,535): more cops than that, and a vision wide enough to see them all.

    Example:
        >>> from qantar import rule_set
        >>> cfg = make_config(Params(width=600, height=600, citizen_vision=200, cop_vision=200), rule_set("netlogo"))
        >>> check_vision_counts(1000, cfg)
        >>> check_vision_counts(70_000, cfg)
        Traceback (most recent call last):
        ...
        qantar.errors.QantarInputError: citizen_vision: its 125629 cells could see 70000 cops, more than the 65535 the engine counts in a vision; shorten the vision or use fewer cops
    """
    most = min(n_cops, FIELD_MASK * config.cit_vis.size)
    if most > NEAR_COP_MASK:
        raise QantarInputError(
            f"citizen_vision: its {config.cit_vis.size} cells could see {n_cops} cops, more than the "
            f"{NEAR_COP_MASK} the engine counts in a vision; shorten the vision or use fewer cops")


def rebuild(agents, config: Config) -> None:
    """``kernels.rebuild_cells`` after ``check_vision_counts``: every build, and every change
    of the agents between steps, goes through here."""
    check_vision_counts(int(np.count_nonzero(agents.kind == COP)), config)
    if agents.near.dtype != np.int64 and near_dtype(config.cit_vis.size, config.cop_vis.size) != agents.near.dtype:
        raise ValueError("near caches too narrow for these visions")  # visions are fixed when a world is built
    kernels.rebuild_cells(agents, config)


def cops_move(movement: bool, rules: RuleSet) -> bool:
    """Whether cops make rule M's move: always with movement on; with it off (run 1, a
    curfew), as the rule set says (``cops_move_when_movement_off``)."""
    return movement or rules.cops_move_when_movement_off


def make_config(params: Params, rules: RuleSet) -> Config:
    """The kernel's view of parameters, visions and rule switches (the grievance shift of a
    scenario's news starts at 0; ``World.set_knobs`` sets it and the other mechanisms)."""
    cit_vis, cop_vis = make_visions(params, rules)
    return Config(
        width=params.width,
        height=params.height,
        inv_width=1.0 / params.width,
        cit_vis=cit_vis,
        cop_vis=cop_vis,
        shared_near=cit_vis.size == cop_vis.size,  # same shape and centre rule: same cells
        ratio_mode=ARREST_RATIO_CODES[rules.arrest_ratio],
        act_first=rules.turn_order == "act_then_move",
        jail_inclusive=rules.jail_term_range == "inclusive",
        jailed_block=rules.jailed_block,
        cop_to_arrestee=rules.cop_after_arrest == "to_arrestee",
        countdown_own_turn=rules.jail_countdown == "own_turn",
        citizens_move=params.movement,
        cops_move=cops_move(params.movement, rules),
        legitimacy=float(params.legitimacy),
        arrest_constant=float(params.arrest_constant),
        threshold=float(params.threshold),
        max_jail_term=-1 if params.max_jail_term is None else int(params.max_jail_term),
    )


def make_visions(params: Params, rules: RuleSet) -> tuple[Vision, Vision]:
    """Citizens' and cops' visions (Mesa's bug, if asked for: citizens see with the cop vision)."""
    cit_radius = params.cop_vision if rules.citizens_use_cop_vision else params.citizen_vision

    def one(radius: float) -> Vision:
        offsets = vision_offsets(radius, rules.vision_shape, rules.vision_includes_centre)
        return make_vision(offsets, params.width)

    return one(cit_radius), one(params.cop_vision)


class SteeredNumbers:
    """Legitimacy, the arrest constant and movement, set between steps: shared by Model I's
    ``World`` and Model II's ``InterGroupWorld`` (each has ``params``, ``rules``, ``config``)."""

    def _update(self, **values: object) -> None:
        """New parameter values; the kernel's Config follows. Legitimacy, k and movement are
        copied into it directly (scenarios change them every step); anything else rebuilds it."""
        self.params = p = self.params.model_copy(update=values)
        if set(values) <= {"legitimacy", "arrest_constant", "movement"}:
            self.config = self.config._replace(
                legitimacy=float(p.legitimacy), arrest_constant=float(p.arrest_constant), citizens_move=p.movement,
                cops_move=cops_move(p.movement, self.rules))
        else:
            self.config = make_config(p, self.rules)._replace(grievance_shift=self.config.grievance_shift)

    def set_grievance_shift(self, value: float) -> None:
        """Add ``value`` to every citizen's grievance from the next step (what it learns from
        outside its vision: a scenario's news mechanism; 0 in Epstein's model)."""
        self.set_knobs(grievance_shift=value)

    def set_knobs(self, **values: float | bool) -> None:
        """Set a scenario's mechanisms from the next step: the grievance shift, and
        ``state.KNOB_NAMES`` (lethal force, clashes, defection, curfews, restraint, fear, sweeps, resistance,
        daytime; docs/model.md, "Scenarios").
        All are off in Epstein's model."""
        accepted = ("grievance_shift", *KNOB_NAMES)
        unknown = sorted(set(values) - set(accepted))
        if unknown:
            raise QantarInputError(f"knobs: unknown {unknown[0]!r}; accepted: {', '.join(accepted)}")
        for name, value in values.items():
            if name in ("lethal_probability", "clash_probability", "defection_probability", "curfew_share",
                        "hold_back_probability", "fear", "sweep_probability", "resistance_probability",
                        "away_probability") \
                    and not 0 <= value <= 1:
                raise QantarInputError(f"{name}: must be between 0 and 1 (got {value})")
            if name in ("clash_ratio", "defection_ratio") and value < 0:
                raise QantarInputError(f"{name}: must be at least 0 (got {value})")
        if "grievance_shift" in values:
            self.config = self.config._replace(grievance_shift=float(values["grievance_shift"]))
        for name, value in values.items():
            if name != "grievance_shift":
                self.agents.knobs[KNOB_NAMES.index(name)] = float(value)

    def set_legitimacy(self, value: float) -> None:
        """Set L; grievance G = H (1 - L) follows at once for every citizen."""
        if not 0 <= value <= 1:
            raise QantarInputError(f"legitimacy: must be between 0 and 1 (got {value})")
        self._update(legitimacy=float(value))

    def set_arrest_constant(self, value: float) -> None:
        """Set k in P = 1 - exp(-k C/A)."""
        if value < 0:
            raise QantarInputError(f"arrest_constant: must be at least 0 (got {value})")
        self._update(arrest_constant=float(value))

    def set_movement(self, on: bool) -> None:
        """Switch rule M on or off (a curfew keeps citizens where they are)."""
        self._update(movement=bool(on))


@dataclass
class World(SteeredNumbers):
    """State of one run (arrays), its parameters, rule set and random generator."""

    params: Params
    rules: RuleSet
    rng: np.random.Generator
    agents: Agents
    seed: object = None
    steps_done: int = 0
    config: Config | None = None
    # Counts kept between steps instead of scanning every agent (n_cops, n_provocateurs):
    # None until first read, and again whenever the agent arrays are replaced.
    _cops_then: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)
    _provocateurs: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.config is None:
            self.config = make_config(self.params, self.rules)

    @classmethod
    def build(cls, params: Params, rules: RuleSet, seed: int | np.random.SeedSequence | None = 0) -> "World":
        """Place agents and draw H and R ~ U(0, 1) for every citizen, all from ``seed``."""
        rng = np.random.default_rng(seed)
        config = make_config(params, rules)
        cit_cells, cop_cells = place_agents(params, rules, rng)
        n_cit, n_cop = len(cit_cells), len(cop_cells)
        agents = empty_agents(n_cit + n_cop, params.cells, config.shared_near,
                              near_dtype(config.cit_vis.size, config.cop_vis.size))
        agents.kind[n_cit:] = COP
        agents.pos[:n_cit] = cit_cells
        agents.pos[n_cit:] = cop_cells
        del cit_cells, cop_cells
        fill_uniform(agents.hardship[:n_cit], rng)  # cops keep H = R = 0
        fill_uniform(agents.risk_aversion[:n_cit], rng)
        world = cls(params=params, rules=rules, rng=rng, agents=agents, seed=seed, config=config)
        rebuild(agents, world.config)
        return world

    # --- reading -------------------------------------------------------------------------
    @property
    def n_citizens(self) -> int:
        """Citizens in the world (not counting the killed)."""
        return int(np.count_nonzero((self.agents.kind == CITIZEN) & (self.agents.state != DEAD)))

    @property
    def n_cops(self) -> int:
        """Cops in the world (not counting the killed, the defected or those gone home).

        Counted once over the agents, then kept by the losses the kernel books: a cop leaves
        the streets only by being killed (a clash) or by defecting, and each books one loss.
        A scenario reads this every step of every region, where a scan cost a sixth of the
        run; tests/engine check it against the scan."""
        lost = int(self.agents.losses[SECURITY_KILLED] + self.agents.losses[DEFECTED])
        if self._cops_then is None:
            self._cops_then = (int(np.count_nonzero((self.agents.kind == COP) & (self.agents.state != DEAD))), lost)
        counted, lost_then = self._cops_then
        return counted - (lost - lost_then)

    @property
    def losses(self) -> dict[str, int]:
        """Civilians killed, security killed, cops defected, actives fired on and cop turns
        outnumbered so far (scenarios; ``DETAIL_COLUMNS``' last five)."""
        return dict(zip(DETAIL_COLUMNS[4:], map(int, self.agents.losses)))

    def citizens_view(self) -> tuple[np.ndarray, np.ndarray]:
        """Each citizen's state and the number of cops in its vision now, as the kernel sees
        them (read from its ``near`` cache), in citizen order."""
        a = self.agents
        citizens = np.flatnonzero(a.kind == CITIZEN)
        return a.state[citizens].copy(), a.near[a.pos[citizens]] & NEAR_COP_MASK

    @property
    def arrests(self) -> int:
        """Arrests made so far (every detention, whether or not the detainee is still held)."""
        return int(self.agents.arrests[0])

    def counts(self) -> np.ndarray:
        """Living citizens (quiet, active, jailed) now, as kept by the kernel."""
        return self.agents.counts.copy()

    def detailed_counts(self) -> np.ndarray:
        """Now, in the columns of ``DETAIL_COLUMNS``."""
        a = self.agents
        return np.concatenate([a.counts, a.arrests, a.losses])

    # --- stepping ------------------------------------------------------------------------
    def run(self, n_steps: int, detailed: bool = False) -> np.ndarray:
        """Run ``n_steps`` steps; return citizens (quiet, active, jailed) after each, shape
        (n, 3); with ``detailed``, one column each of ``DETAIL_COLUMNS``: then the arrests,
        the killed, the defected and those put at risk so far."""
        if n_steps < 0:
            raise QantarInputError(f"steps: must be at least 0 (got {n_steps})")
        out = np.empty((n_steps, len(DETAIL_COLUMNS) if detailed else 3), np.int64)
        state = take_state(self.rng)
        kernels.run_steps(self.agents, self.config, state, n_steps, out)
        put_state(self.rng, state)
        self.steps_done += n_steps
        return out

    # --- steering between steps (set_legitimacy, set_arrest_constant: SteeredNumbers) ---
    def add_cops(self, n: int) -> None:
        """Put ``n`` new cops on distinct random empty cells (new ids after all others)."""
        empty = np.flatnonzero(self.agents.cell >> BLOCK_SHIFT == 0)
        if not 0 <= n <= len(empty):
            raise QantarInputError(f"add_cops: n must be between 0 and {len(empty)} empty cells (got {n})")
        cells = self.rng.choice(empty, n, replace=False)
        new = {"kind": np.full(n, COP, np.int8), "pos": cells}
        a = self.agents
        self._replace_agents(
            {k: np.concatenate([getattr(a, k), new.get(k, np.zeros(n, getattr(a, k).dtype))]) for k in PER_AGENT}
        )

    def make_provocateurs(self, n: int) -> np.ndarray:
        """Turn ``n`` free citizens, chosen at random, into provocateurs: from the next step
        rule A makes them active whatever they see (scenarios). Returns their ids."""
        a = self.agents
        free = np.flatnonzero((a.kind == CITIZEN) & (a.state <= ACTIVE) & ((a.flags & PROVOCATEUR) == 0))
        if not 0 <= n <= len(free):
            raise QantarInputError(f"provocateurs: n must be between 0 and {len(free)} free citizens (got {n})")
        chosen = self.rng.choice(free, n, replace=False)
        a.flags[chosen] |= PROVOCATEUR
        self._provocateurs = None
        return chosen

    @property
    def n_provocateurs(self) -> int:
        """Citizens flagged as provocateurs, including any jailed or killed since. Counted
        once and kept until the flags change here (the kernel only reads them)."""
        if self._provocateurs is None:
            self._provocateurs = int(np.count_nonzero(self.agents.flags & PROVOCATEUR))
        return self._provocateurs

    def clear_provocateurs(self) -> None:
        """Provocateurs go back to being ordinary citizens (rule A as everyone's)."""
        self.agents.flags[:] &= ~np.int16(PROVOCATEUR)
        self._provocateurs = 0

    def remove_cops(self, n: int) -> None:
        """Withdraw ``n`` cops chosen at random; the remaining agents keep their order."""
        cops = np.flatnonzero((self.agents.kind == COP) & (self.agents.state != DEAD))
        if not 0 <= n <= len(cops):
            raise QantarInputError(f"remove_cops: n must be between 0 and {len(cops)} cops (got {n})")
        keep = np.ones(len(self.agents.kind), bool)
        keep[self.rng.choice(cops, n, replace=False)] = False
        self._replace_agents({k: getattr(self.agents, k)[keep] for k in PER_AGENT})

    def _replace_agents(self, per_agent: dict[str, np.ndarray]) -> None:
        """Swap in new per-agent arrays and recompute the cell lists and counts from them
        (the arrests made so far carry over)."""
        kept = {name: getattr(self.agents, name).copy() for name in ("arrests", "losses", "knobs")}
        self.agents = make_agents(per_agent, self.params.cells, self.config.shared_near, self.agents.near.dtype)
        for name, values in kept.items():
            getattr(self.agents, name)[:] = values
        rebuild(self.agents, self.config)
        self._cops_then = self._provocateurs = None
