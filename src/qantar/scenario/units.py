"""Kazakhstan's first-level units of January 2022 and its cities with reported protest, as
data (``scenario/data/kazakhstan-units-2022.toml``, every figure with where it was found).

Example:
    >>> t = kazakhstan_units()
    >>> len(t["units"]), t["census"]["total"]
    (17, 19186015)
    >>> sorted({u["kind"] for u in t["units"]})
    ['city', 'region']
"""

from __future__ import annotations

import tomllib
from importlib import resources


def kazakhstan_units() -> dict:
    """The table: ``census`` (the national total), ``units`` (name, kind, capital, lat, lon,
    their sources, ``census_2021`` where found, ``found``: other figures with their dates)
    and ``cities`` (name, unit, population, lat, lon)."""
    text = (resources.files("qantar.scenario") / "data" / "kazakhstan-units-2022.toml").read_text()
    return tomllib.loads(text)


def missing_census(table: dict) -> list[str]:
    """The units whose 2021 census figure was not found (to be filled from a cited source)."""
    return [u["name"] for u in table["units"] if "census_2021" not in u]
