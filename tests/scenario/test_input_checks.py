"""Inputs that used to pass and give nonsense are refused before anything runs, in one line
naming the field and the fix."""

import pytest
from click.testing import CliRunner

from qantar.cli import main
from qantar.errors import QantarInputError
from qantar.experiments.sensitivity import run_sensitivity
from qantar.experiments.sweep import SweepSpec, run_sweep
from qantar.scenario.load import load_scenario
from tests.small_scenario import one_region_toml


@pytest.fixture
def small(tmp_path) -> str:
    path = tmp_path / "small.toml"
    path.write_text(one_region_toml(days=1, steps_per_day=6, scale=20, population=4000))
    return str(path)


@pytest.mark.parametrize("overrides, message", [
    (["model.jail_days=0.1", "steps_per_day=1"],
     r"model.jail_days: 0.1 days is less than one step at 1 steps a day .*give at least 0.5 days"),
    (["news.gain=inf"], "news.gain: Input should be a finite number"),
    (["regions.Almaty.legitimacy=nan"], r"regions.*legitimacy: Input should be a finite number"),
    (["clashes.ratio=inf"], "clashes.ratio: Input should be a finite number"),
    (["scale=20000"], r"scale: 20000 people per agent leaves region 'Zhanaozen' \(135,000 people\) 7 agents, fewer "
                      r"than the 10 a region needs; use a scale of at most 14,210"),
    (['rule_overrides.arrest_ratio="bogus"'], "rule_overrides: rules.arrest_ratio: Input should be"),
])
def test_nonsense_in_a_scenario_is_refused_when_it_loads(overrides, message):
    with pytest.raises(QantarInputError, match=message):
        load_scenario("kazakhstan-2022", overrides)


def test_a_jail_term_of_half_a_step_or_more_rounds_half_up():
    from qantar.scenario.build import region_params

    s = load_scenario("kazakhstan-2022", ["model.jail_days=0.125"])  # half a step at 4 steps a day
    assert region_params(s, s.regions[0]).max_jail_term == 1


def test_a_bad_rule_override_stops_a_sweep_before_any_run(small, tmp_path):
    spec = SweepSpec(name="s", scenario=small, grid={"rule_overrides.jail_term_range": ["sideways"]})
    with pytest.raises(QantarInputError, match="rule_overrides: rules.jail_term_range"):
        run_sweep(spec, tmp_path / "e", workers=1)
    assert not (tmp_path / "e").exists()


def test_a_model_sweep_refuses_a_number_that_is_not_finite(tmp_path):
    spec = SweepSpec(name="s", steps=5, grid={"arrest_constant": [2.3, float("inf")]})
    with pytest.raises(QantarInputError, match=r"arrest_constant: inf is not a finite number"):
        run_sweep(spec, tmp_path / "e", workers=1)
    with pytest.raises(ValueError, match=r"sample.legitimacy: the range 0.6..inf must be finite"):
        SweepSpec(name="s", sample={"legitimacy": (0.6, float("inf"))}, samples=2)


def test_sensitivity_outputs_are_checked_before_any_run(small, tmp_path):
    model = SweepSpec(name="m", steps=5, base={"width": 20, "height": 20})
    with pytest.raises(QantarInputError, match="--output peak_people: not a numeric measure.*peak_active"):
        run_sensitivity(model, "morris", {"legitimacy": (0.6, 0.9)}, ["peak_people"], 2, tmp_path / "m", workers=1)
    scenario = SweepSpec(name="s", scenario=small)
    with pytest.raises(QantarInputError, match="--output peak_active: not a numeric measure.*peak_day"):
        run_sensitivity(scenario, "morris", {"model.legitimacy": (0.6, 0.9)}, ["peak_day", "peak_active"], 2,
                        tmp_path / "s", workers=1)
    assert not (tmp_path / "m").exists() and not (tmp_path / "s").exists()


@pytest.mark.parametrize("args, message", [
    (["run", "--arrest-constant", "inf", "--steps", "2"], "error: --arrest-constant: inf is not a finite number"),
    (["run", "--citizen-vision", "inf", "--steps", "2"], "error: --citizen-vision: inf is not a finite number"),
    (["run", "--outburst-threshold", "nan", "--steps", "2"], "error: --outburst-threshold: nan is not a finite"),
    (["sweep", "--sample", "legitimacy=0.6:inf", "--samples", "2", "--steps", "2"], "sample.legitimacy: the range"),
    (["run", "kazakhstan-2022", "--set", "news.gain=inf"], "news.gain: Input should be a finite number"),
])
def test_the_cli_refuses_numbers_that_are_not_finite_in_one_line(args, message, tmp_path):
    r = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and message in r.output, r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()
