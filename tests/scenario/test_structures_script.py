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


def test_the_fading_structure_fits_the_built_in_with_fire_in_almaty_appended(tmp_path):
    structures.use_folders(tmp_path, tmp_path / "page.md")
    path = Path(structures.scenario_of("country-fading"))
    assert path.parent == tmp_path  # beside the calibration's folder, never inside it
    base, variant = load_scenario("kazakhstan-2022"), load_scenario(str(path))
    assert [e.name for e in variant.events] == [e.name for e in base.events] + ["almaty-fire"]
    fire = variant.events[-1]
    order = next(e for e in base.events if e.name == "lethal-force")
    assert fire.type == "lethal-force" and fire.regions == ["Almaty"] and fire.until == order.at
    assert variant.regions == base.regions and variant.targets == base.targets
    assert structures.scenario_of("country") == "kazakhstan-2022"
