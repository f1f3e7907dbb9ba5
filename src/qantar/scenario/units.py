"""Kazakhstan's first-level units of January 2022 and its cities with reported protest, as
data (``scenario/data/kazakhstan-units-2022.toml``, every figure with where it was found),
and the people of each unit, summing to the 2021 census total.

Example:
    >>> t = kazakhstan_units()
    >>> len(t["units"]), t["census"]["total"]
    (17, 19186015)
    >>> sorted({u["kind"] for u in t["units"]})
    ['city', 'region']
    >>> people = unit_people(t)
    >>> sum(people.values()) == t["census"]["total"], people["Almaty city"]
    (True, 2030285)
"""

from __future__ import annotations

import tomllib
from importlib import resources

import numpy as np


def kazakhstan_units() -> dict:
    """The table: ``census`` (the national total), ``units`` (name, kind, capital, lat, lon,
    their sources, ``census_2021`` where found, else ``estimate`` and ``estimate_date``, and
    ``found``: other figures with their dates) and ``cities`` (name, unit, population, lat,
    lon)."""
    text = (resources.files("qantar.scenario") / "data" / "kazakhstan-units-2022.toml").read_text()
    return tomllib.loads(text)


def missing_census(table: dict) -> list[str]:
    """The units whose 2021 census figure was not found (to be filled from a cited source)."""
    return [u["name"] for u in table["units"] if "census_2021" not in u]


def unit_people(table: dict) -> dict[str, int]:
    """Each unit's people, summing exactly to the census total: its census figure where
    found; the others share what the total leaves after those, in proportion to their
    official estimates (``estimate``), rounded by largest remainder. Why: the census by unit
    was found for 7 of the 17 units, estimates of other dates for the rest; estimates alone
    do not add up with the census, and leaving units out makes national totals not national.
    """
    units = table["units"]
    people = {u["name"]: int(u["census_2021"]) for u in units if "census_2021" in u}
    rest = [u for u in units if "census_2021" not in u]
    left = int(table["census"]["total"]) - sum(people.values())
    if rest:
        weights = np.array([float(u["estimate"]) for u in rest])
        exact = left * weights / weights.sum()
        shares = np.floor(exact).astype(np.int64)
        order = np.argsort(-(exact - shares), kind="stable")
        shares[order[:left - int(shares.sum())]] += 1
        people |= {u["name"]: int(n) for u, n in zip(rest, shares)}
    return {u["name"]: people[u["name"]] for u in units}
