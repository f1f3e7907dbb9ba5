"""The model's numbers, validated: densities, visions, legitimacy, k, threshold, J_max.

Defaults are Epstein's run 2 (40x40, agent density 0.7, cop density 0.04, vision 7,
L = 0.82, J_max = 30, k = 2.3, T = 0.1), which are also NetLogo *Rebellion*'s defaults and
the sliders of Mesa's example app: the three sources agree, so every rule set starts from
these (Mesa's ``model.py`` defaults differ: L = 0.8, J_max = 1000, cops 0.074, an almost
quiet world; pass them explicitly to compare).

Example:
    >>> p = Params(legitimacy=0.7)
    >>> p.cells, p.legitimacy
    (1600, 0.7)
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qantar.errors import QantarInputError, explain


class Params(BaseModel):
    """Numbers of one model run (frozen). ``max_jail_term=None`` means jail for life (runs 3-5)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    width: int = Field(40, ge=1, le=65_535, description="grid columns (torus)")
    height: int = Field(40, ge=1, le=65_535, description="grid rows (torus)")
    citizen_density: float = Field(0.7, ge=0, le=1, description="share of cells holding a citizen")
    cop_density: float = Field(0.04, ge=0, le=1, description="share of cells holding a cop")
    citizen_vision: float = Field(7.0, gt=0, description="citizens' vision radius, in cells")
    cop_vision: float = Field(7.0, gt=0, description="cops' vision radius, in cells")
    legitimacy: float = Field(0.82, ge=0, le=1, description="L, the regime's legitimacy")
    max_jail_term: int | None = Field(30, ge=0, description="J_max in steps; None = for life")
    arrest_constant: float = Field(2.3, ge=0, description="k in P = 1 - exp(-k C/A)")
    threshold: float = Field(0.1, ge=0, le=1, description="T: active if G - N > T")
    movement: bool = Field(True, description="rule M on (agents move) or off")

    @model_validator(mode="after")
    def _fits(self) -> "Params":
        total = self.citizen_density + self.cop_density
        if total > 1:
            raise ValueError(
                f"citizen_density + cop_density must be at most 1 (got {total:g}); lower one of them"
            )
        for field in ("citizen_vision", "cop_vision"):
            need = 2 * math.floor(getattr(self, field)) + 1
            if min(self.width, self.height) < need:
                raise ValueError(
                    f"{field}={getattr(self, field):g} needs a grid of at least {need}x{need} "
                    f"(got {self.width}x{self.height}); enlarge the grid or shorten the vision"
                )
        return self

    @property
    def cells(self) -> int:
        """Number of grid cells."""
        return self.width * self.height


class InterGroupParams(Params):
    """Numbers of a Model II run: Model I's, plus the life cycle of the two groups.

    Defaults are the paper's Model II values (Table 2): cloning probability 0.05 per step,
    maximum age 200 (death ages are drawn U(0, 200)).
    """

    clone_probability: float = Field(0.05, ge=0, le=1, description="chance per step that a free citizen clones")
    max_age: int = Field(200, ge=0, le=1_000_000, description="death ages are drawn from 0..max_age")
    inherit_risk_aversion: bool = Field(
        False, description="children copy the parent's R (True) or draw their own (False)"
    )
    active_without_victim: bool = Field(
        False, description="a citizen rule A makes active with nobody of the other group in vision stays active "
                           "(True) or stays quiet (False: going active means killing; Ascape)"
    )


def make_params(_cls: type[Params] = Params, **values: object) -> Params:
    """``_cls(**values)`` (``Params`` or ``InterGroupParams``), with a validation failure
    turned into a one-line user error.

    Example:
        >>> make_params(citizen_density=0.99, cop_density=0.04)
        Traceback (most recent call last):
        ...
        qantar.errors.QantarInputError: citizen_density + cop_density must be at most 1 (got 1.03); lower one of them
    """
    try:
        return _cls(**values)
    except ValidationError as exc:
        raise explain(exc) from None


__all__ = ["InterGroupParams", "Params", "make_params", "QantarInputError"]
