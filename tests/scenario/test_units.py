"""The units table: 14 regions and 3 cities of January 2022, each with coordinates and a
source; census figures only where found (and never more than the census total); every
region of the built-in scenario lies in a unit of the table, near it."""

import math

from qantar.scenario.load import load_scenario
from qantar.scenario.units import kazakhstan_units, missing_census, unit_people

#: Units whose 2021 census figure was not found in this session's sources (see the file).
NOT_FOUND = ["Aktobe Region", "Atyrau Region", "East Kazakhstan Region", "Jambyl Region", "Karaganda Region",
             "Kostanay Region", "Kyzylorda Region", "North Kazakhstan Region", "Pavlodar Region",
             "West Kazakhstan Region"]


def test_the_units_of_january_2022():
    t = kazakhstan_units()
    units = t["units"]
    assert [u["kind"] for u in units].count("region") == 14 and [u["kind"] for u in units].count("city") == 3
    assert len({u["name"] for u in units}) == 17
    for u in units:
        assert 40 <= u["lat"] <= 56 and 46 <= u["lon"] <= 88 and u["coordinates"], u["name"]
        assert ("census_2021" in u) == ("census_source" in u) and ("census_2021" in u or u["found"]), u["name"]


def test_census_figures_found_and_their_total():
    """The figures found fit inside the census total; the rest are named as not found. When
    every unit has its figure, they must add up to the total within rounding (1,000)."""
    t = kazakhstan_units()
    found = sum(u["census_2021"] for u in t["units"] if "census_2021" in u)
    assert missing_census(t) == NOT_FOUND
    assert found < t["census"]["total"]
    assert all(u["estimate"] > 0 and u["estimate_date"] for u in t["units"] if "census_2021" not in u)


def test_unit_people_sum_to_the_census_and_hold_their_cities():
    """Census figures are kept; the ten others share the census's remainder by their
    estimates (within 1% of each estimate here); every unit holds its protest cities, and
    every city has coordinates in its unit."""
    t = kazakhstan_units()
    people = unit_people(t)
    assert sum(people.values()) == t["census"]["total"] == 19186015
    units = {u["name"]: u for u in t["units"]}
    for name, n in people.items():
        u = units[name]
        if "census_2021" in u:
            assert n == u["census_2021"], name
        else:
            assert abs(n / u["estimate"] - 1) < 0.01, name
    for c in t["cities"]:
        assert c["unit"] in people and math.dist((c["lat"], c["lon"]), (units[c["unit"]]["lat"],
                                                                         units[c["unit"]]["lon"])) < 8, c["name"]
    for name in people:
        in_cities = sum(c["population"] for c in t["cities"] if c["unit"] == name)
        assert in_cities <= people[name], name


def test_unit_people_allocate_by_largest_remainder():
    table = {"census": {"total": 10}, "units": [{"name": "a", "census_2021": 4}, {"name": "b", "estimate": 1.0},
                                                 {"name": "c", "estimate": 1.0}, {"name": "d", "estimate": 1.0}]}
    got = unit_people(table)
    assert got["a"] == 4 and sorted([got["b"], got["c"], got["d"]]) == [2, 2, 2]
    table["census"]["total"] = 11
    got = unit_people(table)
    assert sum(got.values()) == 11 and sorted([got["b"], got["c"], got["d"]]) == [2, 2, 3]


def test_every_builtin_region_lies_in_a_unit_near_it():
    t = kazakhstan_units()
    units = {u["name"]: u for u in t["units"]}
    cities = {c["name"]: c for c in t["cities"]}
    for r in load_scenario("kazakhstan-2022").regions:
        assert r.unit in units, r.name
        u = units[r.unit]
        assert math.dist((r.lat, r.lon), (u["lat"], u["lon"])) < 8, r.name  # degrees: inside the country's unit
        if r.name in cities:  # a city with reported protest; the others are the rest of a unit
            assert cities[r.name]["unit"] == r.unit and cities[r.name]["population"] == r.population
