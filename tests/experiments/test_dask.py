"""Runs on a real Dask cluster (a LocalCluster of two worker processes) equal the local
ones, seed for seed: a sweep, a scenario ensemble, an ABC-SMC posterior, the point
calibration, a sensitivity study, a scenario sweep, and the CLI's --cluster."""

import numpy as np
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from qantar.cli import main
from qantar.errors import QantarInputError
from qantar.experiments.runner import cluster_executor
from qantar.experiments.scenario_run import run_ensemble
from qantar.experiments.sweep import SweepSpec, run_sweep
from qantar.scenario.load import load_scenario


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_a_sweep_on_dask_equals_the_local_one(cluster, tmp_path):
    spec = SweepSpec(name="d", steps=40, base={"width": 20, "height": 20}, grid={"legitimacy": [0.6, 0.8]}, seeds=3)
    local = run_sweep(spec, tmp_path / "local", workers=1)
    with Client(cluster) as client:
        remote = run_sweep(spec, tmp_path / "dask", executor=client.get_executor())
    assert [(r["run"], r["measures"]) for r in remote.rows()] == [(r["run"], r["measures"]) for r in local.rows()]


def test_a_scenario_ensemble_on_dask_equals_the_local_one(cluster):
    s = load_scenario("kazakhstan-2022", ["scale=400"])  # coarse: a test of where runs go
    local = run_ensemble(s, 3, entropy=2, workers=1)
    with cluster_executor(cluster.scheduler_address) as executor:
        remote = run_ensemble(s, 3, entropy=2, executor=executor)
    for a, b in zip(local, remote):
        assert np.array_equal(a.counts, b.counts) and a.index == b.index


def test_a_calibration_on_dask_equals_the_local_one(cluster, tmp_path):
    import pyarrow.parquet as pq

    from qantar.experiments.abc_smc import calibrate
    from tests.experiments.test_abc_smc import LEGITIMACY, PEAKED

    (tmp_path / "s.toml").write_text(PEAKED)
    scenario = str(tmp_path / "s.toml")
    calibrate(scenario, [LEGITIMACY], tmp_path / "local", population=6, generations=2, workers=1)
    with Client(cluster) as client:
        calibrate(scenario, [LEGITIMACY], tmp_path / "dask", population=6, generations=2,
                  executor=client.get_executor())
    assert pq.read_table(tmp_path / "dask" / "posterior.parquet").equals(pq.read_table(tmp_path / "local" / "posterior.parquet"))


def test_the_point_calibration_on_dask_equals_the_local_one(cluster, tmp_path):
    from qantar.experiments.calibration import Parameter, evaluate
    from tests.experiments.test_seeds import small

    path = small(tmp_path)
    params = [Parameter("L", ("model.legitimacy",), 0.6, 0.9)]
    points = [{"L": 0.7}, {"L": 0.8}]
    local = evaluate(path, params, [], points, seeds=2, entropy=3, wave=1, workers=1)
    with Client(cluster) as client:
        on_dask = evaluate(path, params, [], points, seeds=2, entropy=3, wave=1, executor=client.get_executor())
    assert [e.measures for e in on_dask] == [e.measures for e in local]
    assert local[0].measures != local[1].measures  # two points: other runs, so the equality says something


def test_a_sensitivity_study_and_a_scenario_sweep_on_dask_equal_the_local_ones(cluster, tmp_path):
    from qantar.experiments.sensitivity import run_sensitivity
    from tests.small_scenario import one_region_toml

    spec = SweepSpec(name="m", steps=30, base={"width": 20, "height": 20}, seeds=1, entropy=2)
    ranges = {"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)}
    (tmp_path / "s.toml").write_text(one_region_toml(days=1, steps_per_day=6, scale=20, population=4000))
    sweep = SweepSpec(name="s", scenario=str(tmp_path / "s.toml"), grid={"model.legitimacy": [0.7, 0.9]}, seeds=2)
    local = run_sensitivity(spec, "morris", ranges, ["peak_active"], 2, tmp_path / "local", workers=1)
    local_sweep = run_sweep(sweep, tmp_path / "local-sweep", workers=1).rows()
    with Client(cluster) as client:
        remote = run_sensitivity(spec, "morris", ranges, ["peak_active"], 2, tmp_path / "dask",
                                 executor=client.get_executor())
        remote_sweep = run_sweep(sweep, tmp_path / "dask-sweep", executor=client.get_executor()).rows()
    assert remote["indices"] == local["indices"]
    assert [(r["run"], r["measures"]) for r in remote_sweep] == [(r["run"], r["measures"]) for r in local_sweep]


def test_the_cli_runs_a_sweep_on_a_cluster(cluster, tmp_path):
    r = CliRunner().invoke(main, ["sweep", "--grid", "legitimacy=0.7,0.8", "--set", "width=20", "--set", "height=20",
                                  "--steps", "20", "--cluster", cluster.scheduler_address, "--out", str(tmp_path / "e")])
    assert r.exit_code == 0 and "2 runs done, 0 failed, of 2" in r.output, r.output


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(QantarInputError, match="no Dask scheduler answers"):
        with cluster_executor("tcp://127.0.0.1:9", timeout=1):
            pass
