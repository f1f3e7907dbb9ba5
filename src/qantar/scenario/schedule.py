"""Changes between steps: the paper's runs 3-5 are a model run plus values that change at
given steps.

A schedule is the same mechanism as a scenario's calendar (``scenario.timeline``): its
changes compile to timeline ``Action``s (``schedule_actions``) on one region, ``"world"``,
applied by ``timeline.apply_due`` to the run's ``Controls`` and pushed into the world by
``steer``. Of several changes at one step, the last value of each field holds.

A ``Change`` at step t takes effect from step t on: it is applied after t - 1 steps have
run and before step t runs (step 1 is the first; a change at step 1 alters the initial
conditions' first step). It may set legitimacy, the arrest constant k, and the number of
cops (cops are added on random empty cells or withdrawn at random to reach the number,
drawing from the run's generator, so a scheduled run stays reproducible).

Example:
    >>> [(c.step, c.legitimacy) for c in legitimacy_ramp(start_step=5, start=0.9, stop=0.87, per_step=0.01)]
    [(5, 0.89), (6, 0.88), (7, 0.87)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qantar.errors import QantarInputError
from qantar.scenario.timeline import Action, Controls, apply_due

#: The one region of a model run's controls.
WORLD = "world"


class Change(BaseModel):
    """Values that hold from ``step`` on (None: unchanged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: int = Field(ge=1, description="first step run with the new values (1 = the first step)")
    legitimacy: float | None = Field(None, ge=0, le=1, description="L from this step on")
    arrest_constant: float | None = Field(None, ge=0, description="k from this step on")
    cops: int | None = Field(None, ge=0, description="number of cops from this step on")

    @model_validator(mode="after")
    def _changes_something(self) -> "Change":
        if self.legitimacy is None and self.arrest_constant is None and self.cops is None:
            raise ValueError("a change must set at least one of legitimacy, arrest_constant, cops")
        return self


def schedule_actions(changes: Iterable[Change]) -> list[Action]:
    """The timeline actions of ``changes`` (sorted by step; within a change: legitimacy, k, cops).

    Example:
        >>> [(a.step, a.kind, a.value) for a in schedule_actions([Change(step=4, legitimacy=0.6, cops=30)])]
        [(4, 'legitimacy_set', 0.6), (4, 'officers_set', 30.0)]
    """
    out = []
    for c in sorted(changes, key=lambda c: c.step):
        for kind, value in (("legitimacy_set", c.legitimacy), ("arrest_constant_set", c.arrest_constant),
                            ("officers_set", c.cops)):
            if value is not None:
                out.append(Action(c.step, "schedule", WORLD, kind, float(value)))
    return out


def world_controls(world) -> Controls:
    """A model world's controls as they stand: its legitimacy, k and cops."""
    return Controls(hardship_offset=0.0, legitimacy=world.params.legitimacy, officers=world.n_cops,
                    arrest_constant=world.params.arrest_constant)


def set_cops(world, want: int) -> None:
    """Add cops on random empty cells, or withdraw them at random, to have ``want``."""
    have = world.n_cops
    if want > have:
        world.add_cops(want - have)
    elif want < have:
        world.remove_cops(have - want)


def steer(world, controls: Controls) -> None:
    """Push a model run's controls into its world (``World`` or ``InterGroupWorld``): L, k
    and the number of cops, each only when it changed."""
    if world.params.legitimacy != controls.legitimacy:
        world.set_legitimacy(controls.legitimacy)
    if controls.arrest_constant is not None and world.params.arrest_constant != controls.arrest_constant:
        world.set_arrest_constant(controls.arrest_constant)
    set_cops(world, round(controls.officers))


def apply_change(world, change: Change) -> None:
    """Apply ``change`` to a ``World`` (or anything with the same setters) between steps,
    through the timeline's one apply path."""
    controls = world_controls(world)
    apply_due(schedule_actions([change]), 0, change.step, {WORLD: controls})
    steer(world, controls)


def validate_schedule(changes: Iterable[Change], steps: int) -> list[Change]:
    """The changes sorted by step; a change after the run's last step is an input error."""
    ordered = sorted(changes, key=lambda c: c.step)
    late = [c.step for c in ordered if c.step > steps]
    if late:
        raise QantarInputError(
            f"schedule: a change at step {late[0]} is outside the run of {steps} steps; "
            f"run at least {late[-1]} steps or drop the change"
        )
    return ordered


def legitimacy_ramp(start_step: int, start: float, stop: float, per_step: float) -> list[Change]:
    """L lowered (or raised) by ``per_step`` each step from ``start_step``, from ``start``
    until it reaches ``stop`` (the last change sets ``stop`` exactly)."""
    if per_step <= 0:
        raise QantarInputError(f"legitimacy_ramp: per_step must be positive (got {per_step})")
    n = math.ceil(abs(start - stop) / per_step - 1e-9)  # the last step may be shorter, never longer
    sign = -1 if stop < start else 1
    values = [round(start + sign * per_step * (k + 1), 12) for k in range(n)]
    if values:
        values[-1] = stop
    return [Change(step=start_step + k, legitimacy=v) for k, v in enumerate(values)]


def cop_ramp(start_step: int, start: int, stop: int, every: int) -> list[Change]:
    """The number of cops moved by one every ``every`` steps from ``start_step``, from
    ``start`` to ``stop``."""
    if every < 1:
        raise QantarInputError(f"cop_ramp: every must be at least 1 (got {every})")
    sign = -1 if stop < start else 1
    return [
        Change(step=start_step + k * every, cops=start + sign * (k + 1)) for k in range(abs(start - stop))
    ]
