"""The scenario file shown in docs/scenario-files.md is valid and runs."""

import re
from pathlib import Path

from qantar.experiments.scenario_run import COUNT_COLUMNS, run_scenario
from qantar.scenario.load import load_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-files.md"


def test_the_documented_example_loads_and_runs(tmp_path):
    example = re.search(r"```toml\n(.*?)```", DOC.read_text(), re.S).group(1)
    path = tmp_path / "two-cities.toml"
    path.write_text(example)
    scenario = load_scenario(str(path), without=["emergency"])
    assert scenario.region_names == ["Capital", "Port", "Countryside"] and [e.name for e in scenario.events] == ["fuel-price"]
    assert scenario.restraint.arrest_rate == 0.2 and scenario.regions[2].participation == 0.5
    run = run_scenario(load_scenario(str(path)), seed=0)
    assert run.counts.shape == (3, 5 * 4 + 1, len(COUNT_COLUMNS))
