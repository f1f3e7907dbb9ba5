"""From a scenario's regions to model worlds: one grid per region, sized by its people.

A region of P people at a scale of s people per agent has round(P / s) citizens on a square
torus just big enough to hold them at the model's citizen density (at least as wide as the
visions need). Its police are officers per 100,000 people, also s to an agent. The citizen
and cop densities passed to the model are the exact shares that give these counts.

Example:
    >>> from qantar.scenario.load import load_scenario
    >>> s = load_scenario("kazakhstan-2022", ["regions.Zhanaozen.police_per_100k=420", "scale=200"])
    >>> p = region_params(s, s.regions[0])          # Zhanaozen: 135,000 people, 420 police / 100k
    >>> p.width, round(p.citizen_density * p.cells), round(p.cop_density * p.cells)
    (32, 675, 3)
"""

from __future__ import annotations

import math

import numpy as np

from qantar.errors import QantarInputError
from qantar.rules import Params, RuleSet, make_params, rule_set
from qantar.scenario.schema import Distribution, Region, Scenario


def agents_for(people: float, scale: float) -> int:
    """How many agents stand for ``people`` at ``scale`` people per agent: rounded half up
    (never Python's half-to-even, so that the same count always gives the same agents).

    Example:
        >>> agents_for(500, 200), agents_for(300, 200), agents_for(99, 200)
        (3, 2, 0)
    """
    return math.floor(people / scale + 0.5)


def jail_steps(days: float, steps_per_day: int) -> int:
    """The longest jail term in steps: ``days`` times the steps a day, rounded half up (the
    schema refuses a term of 0 steps).

    Example:
        >>> jail_steps(2, 24), jail_steps(0.5, 5), jail_steps(0.1, 1)
        (48, 3, 0)
    """
    return math.floor(days * steps_per_day + 0.5)


def officers(region: Region) -> float:
    """Police officers of a region before any event: per 100,000 people times its people."""
    return region.population * region.police_per_100k / 1e5


def region_params(scenario: Scenario, region: Region) -> Params:
    """The model parameters of one region's world."""
    m = scenario.model
    n_cit = max(1, agents_for(region.population, scenario.scale))
    n_cop = agents_for(officers(region), scenario.scale)
    need = 2 * math.floor(max(m.citizen_vision, m.cop_vision)) + 1
    side = max(need, math.ceil(math.sqrt(n_cit / m.citizen_density)))
    cells = side * side
    if n_cit + n_cop > cells:
        side = math.ceil(math.sqrt(n_cit + n_cop))
        cells = side * side
    jail = None if m.jail_days is None else jail_steps(m.jail_days, scenario.steps_per_day)
    return make_params(
        width=side, height=side, citizen_density=n_cit / cells, cop_density=n_cop / cells,
        citizen_vision=m.citizen_vision, cop_vision=m.cop_vision,
        legitimacy=region.legitimacy if region.legitimacy is not None else m.legitimacy,
        arrest_constant=m.arrest_constant, threshold=m.threshold, max_jail_term=jail, movement=m.movement,
    )


def scenario_rules(scenario: Scenario) -> RuleSet:
    """The scenario's rule set with its overrides."""
    try:
        return rule_set(scenario.rules, **scenario.rule_overrides)
    except QantarInputError as exc:
        raise QantarInputError(f"scenario {scenario.name}: {exc}") from None


def draw(dist: Distribution, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-citizen values of ``dist``: from the uniforms ``u`` already drawn (uniform), or
    fresh beta draws (beta), scaled to [low, high]."""
    base = u if dist.dist == "uniform" else rng.beta(dist.a, dist.b, len(u))
    return dist.low + (dist.high - dist.low) * base
