"""Epstein (2002)'s runs of Model I as named presets: parameters, length and schedule.

Parameters follow the paper's Table 2 (as transcribed in docs/validation/epstein2002-runs.md;
all: 40x40 torus, citizen density 0.7, k = 2.3, T = 0.1). Where the paper gives no number
(run lengths, when run 3's legitimacy starts falling, how run 5's cops are withdrawn), the
preset's ``reading`` says what qantar chose and why; ``qantar run --preset`` lets any of it
be overridden. Runs 6-8 use Model II (``model="II"``: two groups, killing, ageing and
cloning; ``qantar.engine.intergroup_world``), with the paper's cloning probability 0.05
and maximum age 200.

Counts in a schedule are derived from the run's parameters, not fixed: run 5 withdraws the
cops its world starts with, and run 7's peacekeepers are run 8's cop density of its cells
(``PaperRun.schedule_for``; ``schedule`` is the schedule at the preset's own parameters).

Example:
    >>> r = paper_run("run4")
    >>> r.params["legitimacy"], [(c.step, c.legitimacy) for c in r.schedule]
    (0.9, [(77, 0.7)])
    >>> run5 = paper_run("run5")
    >>> run5.schedule[0].cops, run5.schedule_for(run5.make_params(cop_density=0.02))[0].cops   # 118 - 1, 32 - 1
    (117, 31)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from qantar.errors import QantarInputError
from qantar.rules import InterGroupParams, Params, make_params
from qantar.scenario.schedule import Change, cop_ramp, legitimacy_ramp


@dataclass(frozen=True)
class PaperRun:
    """One run of the paper: what to set, how long, what changes when, what the paper shows."""

    name: str
    title: str
    params: dict
    steps: int
    plan: Callable[[Params], tuple[Change, ...]] | None = None  # the schedule, from the run's parameters
    shows: str = ""  # the paper's claim for this run
    reading: str = ""  # qantar's choices where the paper is silent
    figure: str = ""  # the paper's figure(s)
    tags: tuple[str, ...] = field(default_factory=tuple)
    model: str = "I"  # "I": rebellion against a central authority; "II": two groups

    def make_params(self, **overrides: object) -> Params:
        """This run's parameters (``InterGroupParams`` for Model II), with ``overrides``."""
        return make_params(InterGroupParams if self.model == "II" else Params, **(self.params | overrides))

    def schedule_for(self, params: Params) -> tuple[Change, ...]:
        """This run's changes for a world of ``params`` (the preset's, or with flags overriding them)."""
        return self.plan(params) if self.plan else ()

    @property
    def schedule(self) -> tuple[Change, ...]:
        """The changes at the preset's own parameters."""
        return self.schedule_for(self.make_params())


def placed_cops(params: Params) -> int:
    """The cops a world of ``params`` starts with under exact placement (as
    ``engine.world.place_agents`` places them: round(density x cells), half up, in the cells
    the citizens leave); under Bernoulli placement (mesa), the expected number."""
    n_cit = math.floor(params.citizen_density * params.cells + 0.5)
    return min(math.floor(params.cop_density * params.cells + 0.5), params.cells - n_cit)


def _withdraw_every_cop(params: Params) -> tuple[Change, ...]:
    """Run 5: one cop fewer every 4 steps from step 50, from the world's cops to none."""
    return tuple(cop_ramp(start_step=50, start=placed_cops(params), stop=0, every=4))


def _deploy_peacekeepers(params: Params) -> tuple[Change, ...]:
    """Run 7 with peacekeepers: run 8's cop density of the world's cells, at step 50."""
    peacekeepers = math.floor(PEACEKEEPER_DENSITY * params.cells + 0.5)
    return (Change(step=PEACEKEEPERS_STEP, cops=placed_cops(params) + peacekeepers),)


#: Table 2 of the paper, runs 3 and 4 (and 5 with L = 0.8): vision 7, J_max infinite, cops 0.074.
_RUNS_3_TO_5 = {"citizen_vision": 7.0, "cop_vision": 7.0, "max_jail_term": None, "cop_density": 0.074}

#: Table 2, runs 6-8 (Model II): vision 1.7, J_max 15.
_MODEL_II = {"citizen_vision": 1.7, "cop_vision": 1.7, "max_jail_term": 15}
#: Peacekeepers deployed at step 50 into run 7's world: the paper does not give their
#: number; qantar deploys run 8's density, round(0.04 x cells): 64 in the paper's 40x40 world.
PEACEKEEPER_DENSITY, PEACEKEEPERS_STEP = 0.04, 50
#: Model II runs last this long (run 7's genocide took 30-190 steps in a reimplementation).
_MODEL_II_STEPS = 1000

PAPER_RUNS: dict[str, PaperRun] = {
    r.name: r
    for r in (
        PaperRun(
            name="run1",
            title="Run 1: no movement, short vision (local outbursts, deceptive behaviour)",
            params={"citizen_vision": 1.7, "cop_vision": 1.7, "legitimacy": 0.89, "max_jail_term": 15,
                    "cop_density": 0.04, "movement": False},
            steps=500,
            shows="Local outbursts; deceptive behaviour: aggrieved citizens stay quiet while a cop is in "
                  "sight and turn active when it moves on.",
            reading="Run length not given in the paper: 500 steps. Citizens do not move; whether cops do "
                    "is the rule set's cops_move_when_movement_off (the paper and Ascape: cops move).",
            figure="Figs. 1-2",
        ),
        PaperRun(
            name="run2",
            title="Run 2: free movement, vision 7 (punctuated equilibrium)",
            params={"citizen_vision": 7.0, "cop_vision": 7.0, "legitimacy": 0.82, "max_jail_term": 30,
                    "cop_density": 0.04},
            steps=3000,
            shows="Punctuated equilibrium: outbursts (actives above 50) separated by calm; waiting times "
                  "between outbursts mean 60 (s.d. 55); total activation per outburst mean 708 (s.d. 230).",
            reading="Run length not given: 3000 steps, enough for dozens of outbursts per run.",
            figure="Figs. 3-8",
        ),
        PaperRun(
            name="run3",
            title="Run 3: legitimacy lowered in small steps, 0.9 to 0.2 (salami tactics)",
            params={**_RUNS_3_TO_5, "legitimacy": 0.9},
            steps=300,
            plan=lambda p: tuple(legitimacy_ramp(start_step=77, start=0.9, stop=0.2, per_step=0.01)),
            shows="A large loss of legitimacy in small increments brings no outburst; the jail fills smoothly.",
            reading="The paper lowers L by one percent per cycle but gives no start: qantar starts at step 77, "
                    "where run 4 jumps, so the two runs share their first 76 steps (L = 0.9 reaches 0.2 at "
                    "step 146). Run length not given: 300 steps.",
            figure="Fig. 9",
        ),
        PaperRun(
            name="run4",
            title="Run 4: legitimacy lowered in one jump, 0.9 to 0.7 at step 77",
            params={**_RUNS_3_TO_5, "legitimacy": 0.9},
            steps=300,
            plan=lambda p: (Change(step=77, legitimacy=0.7),),
            shows="A smaller loss of legitimacy in one jump brings an explosion of actives, and more end up "
                  "in jail than under run 3's larger, gradual loss.",
            reading="Run length not given: 300 steps, as run 3.",
            figure="Fig. 10",
        ),
        PaperRun(
            name="run5",
            title="Run 5: cops withdrawn step by step (tipping)",
            params={**_RUNS_3_TO_5, "legitimacy": 0.8},
            steps=600,
            plan=_withdraw_every_cop,
            shows="Reducing the number of cops tips the society into rebellion: at some cop count actives "
                  "explode.",
            reading="The paper gives no withdrawal schedule: qantar removes one cop every 4 steps from step 50 "
                    "(from the world's cops, 118 at density 0.074 in 40x40, to none at step 518), slow enough to "
                    "see at what count it tips; other densities or sizes start from their own count. Under "
                    "Bernoulli placement (mesa) the first change also absorbs the random difference from the "
                    "expected count. Run length: 600 steps.",
            figure="Fig. 11",
        ),
        PaperRun(
            name="run6",
            title="Run 6: two groups, legitimacy 0.9, no cops (peaceful coexistence)",
            params={**_MODEL_II, "legitimacy": 0.9, "cop_density": 0.0},
            steps=_MODEL_II_STEPS,
            shows="Peaceful coexistence: with L = 0.9 no grievance exceeds T = 0.1, so nobody kills; both "
                  "groups live on, by birth and death.",
            reading=f"Run length not given: {_MODEL_II_STEPS} steps, five maximum lifetimes.",
            figure="Fig. 12",
            model="II",
        ),
        PaperRun(
            name="run7",
            title="Run 7: two groups, legitimacy 0.8, no cops (local ethnic cleansing to genocide)",
            params={**_MODEL_II, "legitimacy": 0.8, "cop_density": 0.0},
            steps=_MODEL_II_STEPS,
            shows="Local ethnic cleansing grows into genocide: one group dies out, in every one of 30 runs, "
                  "and which group survives is random.",
            reading=f"Run length not given: {_MODEL_II_STEPS} steps.",
            figure="Fig. 13",
            model="II",
        ),
        PaperRun(
            name="run8",
            title="Run 8: two groups, legitimacy 0.8, cops 0.04 (stable, but nasty)",
            params={**_MODEL_II, "legitimacy": 0.8, "cop_density": 0.04},
            steps=_MODEL_II_STEPS,
            shows="With cops, a 'stable, but nasty' regime: both groups survive, with killing going on.",
            reading=f"Run length not given: {_MODEL_II_STEPS} steps.",
            figure="Figs. 13-14 (text)",
            model="II",
        ),
        PaperRun(
            name="run7-peacekeepers",
            title=f"Run 7 with peacekeepers: cops at density {PEACEKEEPER_DENSITY:g} deployed at step "
                  f"{PEACEKEEPERS_STEP}",
            params={**_MODEL_II, "legitimacy": 0.8, "cop_density": 0.0},
            steps=_MODEL_II_STEPS,
            plan=_deploy_peacekeepers,
            shows="Peacekeepers deployed at t = 50 to random empty sites in run 7's world: safe havens emerge "
                  "and the genocide is stopped or delayed.",
            reading=f"The paper does not give the peacekeepers' number: qantar deploys run 8's density "
                    f"{PEACEKEEPER_DENSITY:g} of the cells (64 in 40x40) at step {PEACEKEEPERS_STEP}, on random "
                    "empty cells, in addition to any cops the world has.",
            figure="Fig. 14",
            model="II",
        ),
    )
}


def paper_run(name: str) -> PaperRun:
    """The preset called ``name`` (``run1`` ... ``run8``, ``run7-peacekeepers``)."""
    try:
        return PAPER_RUNS[name]
    except KeyError:
        raise QantarInputError(f"preset: unknown run {name!r}; accepted: {', '.join(PAPER_RUNS)}") from None
