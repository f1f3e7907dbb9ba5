"""The structures script (validation/kazakhstan_structures.py): every structure's
parameters name fields of the scenario it is fitted to, and a structure with extra events
is fitted to the built-in with exactly those events appended."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qantar.scenario.load import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "validation"))
import kazakhstan_structures as structures  # noqa: E402


@pytest.mark.parametrize("name", list(structures.STRUCTURES))
def test_every_parameter_of_a_structure_sets_a_field_of_its_scenario(name, tmp_path):
    structures.use_folders(tmp_path, tmp_path / "page.md")
    scenario = structures.scenario_of(name)
    parameters = structures.STRUCTURES[name]
    middle = [a for p in parameters for a in p.assignments((p.low * p.high) ** 0.5 if p.log else (p.low + p.high) / 2)]
    loaded = load_scenario(scenario, middle).model_dump()  # a path that is not a field is refused here
    assert loaded != load_scenario(scenario).model_dump()


#: An event the built-in lacks, as a structure not yet adopted would add it.
RIOT_POLICE = """
[[events]]
name = "riot-police"
type = "lethal-force"
at = 2022-01-05T12:00:00
until = 2022-01-07T10:00:00
regions = ["Almaty"]
probability = 0.01
source = "seed-002"
"""


def test_a_structure_with_extra_events_fits_the_built_in_with_them_appended(tmp_path, monkeypatch):
    structures.use_folders(tmp_path, tmp_path / "page.md")
    monkeypatch.setitem(structures.EXTRA_EVENTS, "country-fading", RIOT_POLICE)
    path = Path(structures.scenario_of("country-fading"))
    assert path.parent == tmp_path  # beside the calibration's folder, never inside it
    base, variant = load_scenario("kazakhstan-2022"), load_scenario(str(path))
    assert [e.name for e in variant.events] == [e.name for e in base.events] + ["riot-police"]
    assert variant.events[-1].regions == ["Almaty"] and variant.events[-1].probability == 0.01
    assert variant.regions == base.regions and variant.targets == base.targets
    assert structures.scenario_of("country") == "kazakhstan-2022"


def test_the_adopted_structures_fit_the_built_in_which_holds_their_event(tmp_path):
    """country-fear is the built-in (2026-12-07): its fire in Almaty before the order is in
    the built-in's file, once, and the structures fitted with it fit the built-in itself."""
    structures.use_folders(tmp_path, tmp_path / "page.md")
    events = load_scenario("kazakhstan-2022").events
    assert [e.name for e in events].count("almaty-fire") == 1
    fire = next(e for e in events if e.name == "almaty-fire")
    order = next(e for e in events if e.name == "lethal-force")
    assert fire.type == "lethal-force" and fire.regions == ["Almaty"] and fire.until == order.at
    assert structures.scenario_of("country-fear") == structures.scenario_of("country-fading") == "kazakhstan-2022"
