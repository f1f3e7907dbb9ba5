"""Sweeps: every run kept as it ends, the same runs on a pool as here, a resume that runs
only what is missing, failures recorded without stopping, one experiment a folder."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from qantar.engine import World
from qantar.errors import QantarInputError
from qantar.experiments.sweep import SweepSpec, run_sweep
from qantar.rules import make_params, rule_set
from qantar.storage.experiment import ExperimentStore
from tests.small_scenario import one_region_toml

BASE = {"width": 20, "height": 20}
SMALL_SCENARIO = one_region_toml(name="s", days=1, steps_per_day=6, scale=20, model="legitimacy = 0.8",
                                 population=4000, shock_at="2022-01-01T04:00:00", add=0.2)
PROVOCATEURS = """
[[events]]
name = "p"
type = "provocateurs"
at = 2022-01-01T08:00:00
people = 20
source = "s"
"""


def spec(**changes) -> SweepSpec:
    data = {"name": "t", "rules": "netlogo", "steps": 30, "base": BASE, "grid": {"legitimacy": [0.6, 0.9]},
            "seeds": 2, "entropy": 4} | changes
    return SweepSpec(**data)


def measures(store: ExperimentStore) -> list:
    return [(r["run"], r["point"], r["measures"]) for r in store.rows()]


def test_a_grid_sweep_keeps_every_run_reproducible_on_its_own(tmp_path):
    store = run_sweep(spec(), tmp_path / "e", workers=1)
    rows = store.rows()
    assert [r["run"] for r in rows] == [0, 1, 2, 3] and all(r["status"] == "done" for r in rows)
    assert [r["point"]["legitimacy"] for r in rows] == [0.6, 0.6, 0.9, 0.9]
    # run 3: legitimacy 0.9, the second seed of SeedSequence(4).spawn(2), rebuilt by hand
    world = World.build(make_params(**BASE, legitimacy=0.9), rule_set("netlogo"),
                        seed=np.random.SeedSequence(4).spawn(2)[1])
    counts = world.run(30)
    series = pq.read_table(store.run_path(3, "parquet"))
    assert np.array_equal(series["active"].to_numpy()[1:], counts[:, 1])
    assert rows[3]["seed"] == {"entropy": 4, "spawn_key": [1]} and "git_commit" in rows[3]
    summary = pq.read_table(tmp_path / "e" / "summary.parquet")
    assert summary.num_rows == 4 and "measures.peak_active" in summary.column_names
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text())
    assert manifest["spec"]["grid"] == {"legitimacy": [0.6, 0.9]} and manifest["runs_done"] == 4
    assert {"qantar_version", "git_commit", "machine", "seconds_last_session"} <= set(manifest)


def test_a_pool_gives_the_same_runs_and_a_resume_runs_only_what_is_missing(tmp_path):
    serial = run_sweep(spec(), tmp_path / "serial", workers=1)
    pooled = run_sweep(spec(), tmp_path / "pooled", workers=2)
    assert measures(pooled) == measures(serial)
    # as if cut off after runs 0 and 2: resuming runs 1 and 3 only, and gives the same
    for k in (1, 3):
        pooled.run_path(k, "json").unlink()
    seen = []
    again = run_sweep(spec(), tmp_path / "pooled", workers=2, on_done=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 4), (4, 4)] and measures(again) == measures(serial)


def test_a_bad_point_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(QantarInputError, match=r"point \{'legitimacy': 1.5\}: .*legitimacy"):
        run_sweep(spec(grid={"legitimacy": [0.8, 1.5]}, seeds=1), tmp_path / "e", workers=1)
    assert not (tmp_path / "e").exists()


def test_a_run_failing_as_it_runs_is_recorded_and_the_sweep_goes_on(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SMALL_SCENARIO + PROVOCATEURS)
    s = SweepSpec(name="f", scenario=str(path), grid={"events.p.people": [20, 10**7]}, seeds=1)
    store = run_sweep(s, tmp_path / "e", workers=1)
    ok, bad = store.rows()
    assert ok["status"] == "done" and bad["status"] == "failed" and "provocateurs" in bad["error"]
    assert store.finished() == {0}
    summary = pq.read_table(tmp_path / "e" / "summary.parquet")
    assert summary["status"].to_pylist() == ["done", "failed"]


def test_one_experiment_a_folder(tmp_path):
    run_sweep(spec(seeds=1), tmp_path / "e", workers=1)
    with pytest.raises(QantarInputError, match="holds another experiment"):
        run_sweep(spec(seeds=2), tmp_path / "e", workers=1)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("mine")
    with pytest.raises(QantarInputError, match="not an experiment folder"):
        run_sweep(spec(), tmp_path / "other", workers=1)
    with pytest.raises(ValueError, match="grid, sample, design: give one"):
        spec(sample={"legitimacy": (0.5, 0.9)}, samples=3)


def test_a_sampled_scenario_sweep(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SMALL_SCENARIO)
    s = SweepSpec(name="s", scenario=str(path), sample={"events.shock.add": (0.0, 0.5)}, samples=3, seeds=1)
    store = run_sweep(s, tmp_path / "e", workers=1)
    rows = store.rows()
    assert len(rows) == 3 and all(r["status"] == "done" for r in rows)
    adds = sorted(r["point"]["events.shock.add"] for r in rows)
    assert all(0 <= a <= 0.5 for a in adds) and len({int(a / (0.5 / 3)) for a in adds}) == 3  # one a third
    series = pq.read_table(store.run_path(2, "parquet"))
    assert set(series["run"].to_pylist()) == {2} and "national" in series["region"].to_pylist()
