"""Presets derive their counts from the parameters: run 5 withdraws the cops its world has,
run 7's peacekeepers are a density of its cells."""

import json

from click.testing import CliRunner

from qantar.cli import main
from qantar.experiments import run_model
from qantar.rules import rule_set
from qantar.scenario import paper_run


def test_run5_withdraws_the_cops_of_a_world_with_another_density():
    run = paper_run("run5")
    params = run.make_params(cop_density=0.02)  # 32 cops in 40x40
    result = run_model(params, rule_set("netlogo"), seed=2, steps=200, schedule=run.schedule_for(params))
    assert result.cops[0] == 32 and result.cops[49] == 32 and result.cops[50] == 31
    assert result.cops.max() == 32 and result.cops[50 + 4 * 31] == 0 and result.world.n_cops == 0


def test_peacekeepers_follow_the_size_of_the_world():
    run = paper_run("run7-peacekeepers")
    assert [c.cops for c in run.schedule] == [64]  # run 8's density in the paper's 40x40
    assert [c.cops for c in run.schedule_for(run.make_params(width=20, height=20))] == [16]
    assert [c.cops for c in run.schedule_for(run.make_params(cop_density=0.01))] == [16 + 64]  # on top of its own


def test_the_cli_preset_withdraws_from_the_worlds_real_cops(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "r5"
    res = CliRunner().invoke(main, ["run", "--preset", "run5", "--cop-density", "0.02", "--steps", "180",
                                    "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    cops = pq.read_table(out / "series.parquet")["cops"].to_pylist()
    assert cops[0] == 32 and cops[50] == 31 and max(cops) == 32 and cops[174] == 0
    assert json.loads((out / "run.json").read_text())["schedule"][0] == {"step": 50, "cops": 31}
