"""Scenario files: the built-in one loads; every kind of bad input is refused before anything
runs, with the file, the field path and what is accepted; --set and --without work."""

import pytest

from qantar.errors import QantarInputError
from qantar.scenario.load import builtin_names, load_scenario
from tests.small_scenario import one_region_toml

MINIMAL = one_region_toml(name="tiny")


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return str(path)


def test_builtin_kazakhstan_loads_with_its_regions():
    assert "kazakhstan-2022" in builtin_names()
    s = load_scenario("kazakhstan-2022")
    want = {"Zhanaozen", "Aktau", "Aktobe", "Almaty", "Nur-Sultan", "Shymkent", "Taraz", "Atyrau", "Uralsk",
            "Kyzylorda", "Taldykorgan"}
    assert want <= set(s.region_names)
    assert all(e.source in s.sources for e in s.events) and all(t.source in s.sources for t in s.targets)
    assert all(r.lat is not None and r.lon is not None and r.unit for r in s.regions)
    west, east = (next(r for r in s.regions if r.name == n) for n in ("Aktau", "Almaty"))
    assert west.lon < east.lon and 40 < west.lat < 56


def test_builtin_kazakhstan_is_the_whole_country():
    """Every first-level unit of January 2022 is there: its cities with reported protest as
    regions of their own, the rest of its people as one more region, the regions of each
    unit summing to its people (units.unit_people) and the country to the census total;
    the links join regions that exist, every region to at least one other."""
    from qantar.scenario.units import kazakhstan_units, unit_people

    table = kazakhstan_units()
    people = unit_people(table)
    s = load_scenario("kazakhstan-2022")
    by_unit: dict[str, int] = {}
    for r in s.regions:
        by_unit[r.unit] = by_unit.get(r.unit, 0) + r.population
    assert by_unit == people
    assert sum(r.population for r in s.regions) == table["census"]["total"] == 19186015
    cities = {c["name"] for c in table["cities"]}
    assert cities <= set(s.region_names)
    rests = [r for r in s.regions if r.name not in cities]
    assert len(rests) == 14 and all(r.unit in people for r in rests)
    assert len({r.participation for r in rests}) == 1  # one fitted factor for the rest of every unit
    linked = {n for lk in s.links for n in lk.between}
    assert linked == set(s.region_names)


@pytest.mark.parametrize("change, expected", [
    (("days = 2", "days = -2"), "days: Input should be greater than 0"),
    (("population = 10000", "population = -5"), "regions[0] (A).population: Input should be greater than 0"),
    (('type = "hardship"', 'type = "lethal"'), "events[0] (shock): unknown event type 'lethal'; accepted: hardship"),
    (('regions]]\nname = "A"', 'regions]]\nname = "A"\ncolour = "red"'), "regions[0] (A).colour: Extra inputs"),
    (("at = 2022-01-01T06:00:00", "at = 2022-03-01T06:00:00"), "is outside the run (2022-01-01T00:00:00 to 2022-01-03"),
    (('source = "s"', 'source = "t"'), "events[0] (shock).source: unknown source 't'"),
    (("add = 0.2", "add = 0.2\nregions = [\"B\"]"), "events[0] (shock).regions: unknown region 'B'; known: A"),
    (("add = 0.2", "add = 7"), "events[0] (shock).add: Input should be less than or equal to 1 (got 7)"),
    (("days = 2", "days = = 2"), "not valid TOML"),
    (("population = 10000", "population = 10000\nlat = 95\nlon = 50"), "regions[0] (A).lat: Input should be less than"),
    (("population = 10000", "population = 10000\nlat = 45\nlon = -181"), "regions[0] (A).lon: Input should be greater"),
    (("population = 10000", "population = 10000\nlat = 45"), "lat/lon: region 'A' gives one coordinate"),
    (('type = "hardship"\nat = 2022-01-01T06:00:00\nadd = 0.2', 'type = "sweeps"\nat = 2022-01-01T06:00:00\nrate_per_day = -1'),
     "events[0] (shock).rate_per_day: Input should be greater than 0 (got -1)"),
])
def test_bad_input_is_refused_with_the_field(tmp_path, change, expected):
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(QantarInputError) as err:
        load_scenario(path)
    assert expected in str(err.value) and path in str(err.value)


def test_set_and_without(tmp_path):
    path = write(tmp_path, MINIMAL)
    s = load_scenario(path, overrides=["regions.A.population=20000", "model.legitimacy=0.7", "scale=50"])
    assert s.regions[0].population == 20000 and s.model.legitimacy == 0.7 and s.scale == 50
    assert load_scenario(path, without=["shock"]).events == []
    with pytest.raises(QantarInputError, match="--without: no event named 'nope'.*events: shock"):
        load_scenario(path, without=["nope"])
    with pytest.raises(QantarInputError, match="no regions named 'Q'.*known: A"):
        load_scenario(path, overrides=["regions.Q.population=1"])
    with pytest.raises(QantarInputError, match="not PATH=VALUE"):
        load_scenario(path, overrides=["scale"])


def test_unknown_scenario_names_the_built_ins():
    with pytest.raises(QantarInputError, match="neither a built-in scenario \\(kazakhstan-2022\\) nor a file"):
        load_scenario("atlantis-2030")


@pytest.mark.parametrize("change, expected", [
    (("start = 2022-01-01T00:00:00", "start = 2022-01-01T00:00:00+06:00"), "start: 2022-01-01T00:00:00+06:00 has a time zone"),
    (("add = 0.2", "add = 0.2\nregions = [\"A\", \"A\"]"), "regions: 'A' is listed twice"),
    (('type = "hardship"\nat', 'type = "hardship"\nby_region = { A = 3 }\nat'), "Input should be less than or equal to 1"),
    (("[sources.s]", '[[targets]]\nname = "t"\nmetric = "peak_date"\nsource = "s"\n[sources.s]'), "a peak_date target needs on"),
    (("[sources.s]", '[[targets]]\nname = "t"\nmetric = "detained"\nlow = 5\nhigh = 1\nsource = "s"\n[sources.s]'),
     "low (5) must not exceed high (1)"),
    (("[sources.s]", '[[targets]]\nname = "t"\nmetric = "first_region"\nsource = "s"\n[sources.s]'),
     "a first_region target needs value (the region expected)"),
    (("[sources.s]", '[[links]]\nbetween = ["A", "A"]\n[sources.s]'), "a link joins two different regions"),
    (("[sources.s]", '[[targets]]\nname = "t"\nmetric = "participants_on"\nlow = 5\nsource = "s"\n[sources.s]'),
     "a participants_on target needs on (the day)"),
    (("[sources.s]", '[[targets]]\nname = "t"\nmetric = "peak_date"\non = 2023-05-01\nsource = "s"\n[sources.s]'),
     "targets[0] (t).on: 2023-05-01 is outside the run"),
    (("[sources.s]", '[casualties]\ncivilian_death_probability = 2\n[sources.s]'),
     "casualties.civilian_death_probability"),
    (("[sources.s]", '[casualties]\nsecurity_death_probability = 0\n[sources.s]'),
     "casualties.security_death_probability"),
    (("[sources.s]", '[casualties]\nsecurity_per_killing = 40\n[sources.s]'),
     "casualties.security_per_killing: renamed; give security_death_probability = security_per_killing / scale"),
])
def test_more_bad_input_is_refused(tmp_path, change, expected):
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(QantarInputError) as err:
        load_scenario(path)
    assert expected in str(err.value), str(err.value)


#: The whole-country fits the built-in carries, in the order they were made, each fitted from
#: the point of those before it (the TOML's header says what each freed).
CHAIN = ("country-fear", "country-sweeps", "country-start-hold-calm", "country-toll-stage")
#: The scale each was fitted at: 50, but the toll, a stage fitted at the shipped 20.
FITTED_AT = {"country-toll-stage": "scale=20"}


def test_builtin_kazakhstan_carries_the_calibrated_chain():
    """The built-in file holds the chosen points of the whole-country fits
    (docs/validation/kazakhstan-2022-NAME-best.json): applying their assignments in order
    changes nothing but the scale (fitted at 50 people an agent, the toll at 20; shipped at 20). A value
    edited by hand, or a fit adopted without its file, fails here."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "docs" / "validation"
    chain = []
    for name in CHAIN:
        made = json.loads((folder / f"kazakhstan-2022-{name}-best.json").read_text())
        assert made["assignments"][0] == FITTED_AT.get(name, "scale=50"), name
        chain += made["assignments"]
    as_shipped = load_scenario("kazakhstan-2022")
    assert as_shipped.scale == 20  # shipped at 20 (docs/validation/convergence.md)
    assert load_scenario("kazakhstan-2022", chain + ["scale=20"]).model_dump() == as_shipped.model_dump()
    # each fit moved the file: without the last one's assignments it would differ
    last = json.loads((folder / f"kazakhstan-2022-{CHAIN[-1]}-best.json").read_text())["assignments"]
    before = chain[:-len(last)]
    assert load_scenario("kazakhstan-2022", before + ["scale=20"]).model_dump() != as_shipped.model_dump()
    sweeps = next(e for e in as_shipped.events if e.type == "sweeps")
    assert sweeps.source == "seed-004" and sweeps.rate_per_day > 0


def test_builtin_zhanaozen_has_its_own_l_with_the_calm_ceiling_following():
    """Zhanaozen carries its own L, lower than the country's (structure country-start: the
    shooting of December 2011 there, seeds 002, 003), and a hardship of the country's shape
    whose ceiling follows its own L (T / (1 - L), as calibrate_kazakhstan.calm_ceiling), so
    that nobody there protests before the shock either."""
    s = load_scenario("kazakhstan-2022")
    z = next(r for r in s.regions if r.name == "Zhanaozen")
    m = s.model
    assert z.legitimacy < m.legitimacy
    assert (z.hardship.dist, z.hardship.a, z.hardship.b, z.hardship.low) == (m.hardship.dist, m.hardship.a,
                                                                               m.hardship.b, m.hardship.low)
    assert z.hardship.high == pytest.approx(m.threshold / (1 - z.legitimacy), rel=1e-5)
    assert m.hardship.high == pytest.approx(m.threshold / (1 - m.legitimacy), rel=1e-5)
