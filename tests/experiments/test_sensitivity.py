"""Sensitivity: a parameter that cannot matter gets no effect, one that does gets one; the
study is written next to its runs; a measure that does not exist is refused by name."""

import json

import pytest
from click.testing import CliRunner

from qantar.cli import main
from qantar.errors import QantarInputError
from qantar.experiments.sensitivity import run_sensitivity
from qantar.experiments.sweep import SweepSpec

NO_COPS = {"width": 30, "height": 30, "cop_density": 0.0}


def test_morris_finds_the_parameter_that_matters_and_not_the_one_that_cannot(tmp_path):
    """With no cops, the cops' vision cannot change anything; legitimacy changes the peak."""
    spec = SweepSpec(name="m", steps=60, base=NO_COPS, seeds=1, entropy=3)
    r = run_sensitivity(spec, "morris", {"legitimacy": (0.5, 0.9), "cop_vision": (2.0, 7.0)}, ["peak_active"], 5,
                        tmp_path / "m", workers=1)
    idx = r["indices"]["peak_active"]
    assert idx["cop_vision"]["mu_star"] == 0.0 and idx["cop_vision"]["sigma"] == 0.0
    assert idx["legitimacy"]["mu_star"] > idx["legitimacy"]["mu_star_conf"] > 0  # an effect, clear of its interval
    assert r["points"] == 5 * 3
    assert json.loads((tmp_path / "m" / "sensitivity.json").read_text())["indices"] == r["indices"]
    assert (tmp_path / "m" / "sensitivity.png").is_file() and "| cop_vision |" in (tmp_path / "m" / "sensitivity.md").read_text()


def test_sobol_indices_and_a_bad_output(tmp_path):
    spec = SweepSpec(name="s", steps=40, base={"width": 20, "height": 20}, seeds=1)
    r = run_sensitivity(spec, "sobol", {"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)}, ["peak_active"], 8,
                        tmp_path / "s", workers=2)
    assert r["points"] == 8 * 4
    assert set(r["indices"]["peak_active"]["legitimacy"]) == {"S1", "S1_conf", "ST", "ST_conf"}
    with pytest.raises(QantarInputError, match="--output peak_people: not a numeric measure.*peak_active"):
        run_sensitivity(spec, "sobol", {"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)}, ["peak_people"], 8,
                        tmp_path / "s", workers=1)  # the same study: its runs are there, only the output is wrong


def test_the_cli(tmp_path):
    args = ["sensitivity", "--param", "legitimacy=0.5:0.9", "--param", "cop_vision=2:7", "--set", "cop_density=0",
            "--set", "width=20", "--set", "height=20", "--steps", "30", "--output", "peak_active", "--method", "morris",
            "--n", "3", "--workers", "1", "--out", str(tmp_path / "c")]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0 and "cop_vision" in r.output, r.output
    bad = CliRunner().invoke(main, ["sensitivity", "--param", "legitimacy=0.9:0.5", "--output", "peak_active",
                                    "--out", str(tmp_path / "d")])
    assert bad.exit_code == 2 and "LOW < HIGH" in bad.output
