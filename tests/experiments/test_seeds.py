"""Nothing that runs consumes its seed: the same seed object gives the same run twice, and
every experiment kind (ensemble, sweep, sensitivity, point calibration, ABC-SMC) gives the
same results on one worker (in this process) as on two (a pool)."""

import numpy as np
import pyarrow.parquet as pq

from qantar.engine.seeds import children
from qantar.experiments.calibration import Parameter, evaluate
from qantar.experiments.scenario_run import run_ensemble, run_scenario
from qantar.experiments.sensitivity import run_sensitivity
from qantar.experiments.sweep import SweepSpec, run_sweep
from qantar.scenario.load import load_scenario
from tests.small_scenario import PEAK_TARGET, one_region_toml

TWO_REGIONS = one_region_toml(days=1, steps_per_day=6, scale=20, model="legitimacy = 0.8", population=4000,
                              shock_at="2022-01-01T02:00:00", extra="""
[[regions]]
name = "B"
population = 3000
police_per_100k = 300
""" + PEAK_TARGET)


def small(tmp_path) -> str:
    path = tmp_path / "small.toml"
    path.write_text(TWO_REGIONS)
    return str(path)


def test_a_seed_object_is_not_consumed_by_a_run(tmp_path):
    s = load_scenario(small(tmp_path))
    seq = np.random.SeedSequence(11)
    first, second = run_scenario(s, seq), run_scenario(s, seq)
    assert seq.n_children_spawned == 0
    assert np.array_equal(first.counts, second.counts)
    assert np.array_equal(first.counts, run_scenario(s, np.random.SeedSequence(11)).counts)


def test_children_are_a_fresh_spawn_and_leave_the_parent_alone():
    seq = np.random.SeedSequence(5, spawn_key=(3,))
    mine = children(seq, 3)
    assert seq.n_children_spawned == 0
    fresh = np.random.SeedSequence(5, spawn_key=(3,)).spawn(3)
    assert [c.generate_state(2).tolist() for c in mine] == [c.generate_state(2).tolist() for c in fresh]


def test_an_ensemble_is_the_same_on_one_and_two_workers(tmp_path):
    s = load_scenario(small(tmp_path))
    one, two = run_ensemble(s, 3, entropy=4, workers=1), run_ensemble(s, 3, entropy=4, workers=2)
    assert [r.index for r in one] == [r.index for r in two] == [0, 1, 2]
    assert all(np.array_equal(a.counts, b.counts) for a, b in zip(one, two))


def test_a_scenario_sweep_is_the_same_on_one_and_two_workers(tmp_path):
    spec = SweepSpec(name="s", scenario=small(tmp_path), grid={"model.legitimacy": [0.7, 0.9]}, seeds=2)
    one = run_sweep(spec, tmp_path / "one", workers=1).rows()
    two = run_sweep(spec, tmp_path / "two", workers=2).rows()
    assert [(r["run"], r["measures"]) for r in one] == [(r["run"], r["measures"]) for r in two]


def test_a_sensitivity_study_is_the_same_on_one_and_two_workers(tmp_path):
    spec = SweepSpec(name="m", steps=30, base={"width": 20, "height": 20}, seeds=1, entropy=2)
    ranges = {"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)}
    one = run_sensitivity(spec, "morris", ranges, ["peak_active"], 2, tmp_path / "one", workers=1)
    two = run_sensitivity(spec, "morris", ranges, ["peak_active"], 2, tmp_path / "two", workers=2)
    assert one["indices"] == two["indices"]


def test_the_point_calibration_is_the_same_on_one_and_two_workers(tmp_path):
    """Every point shares the seeds: in one process a run used to advance them, so the
    second point ran from other seeds than on a pool."""
    path = small(tmp_path)
    params = [Parameter("L", ("model.legitimacy",), 0.6, 0.9)]
    points = [{"L": 0.7}, {"L": 0.7}]
    one = evaluate(path, params, [], points, seeds=2, entropy=3, wave=1, workers=1)
    two = evaluate(path, params, [], points, seeds=2, entropy=3, wave=1, workers=2)
    assert [e.measures for e in one] == [e.measures for e in two]
    assert one[0].measures == one[1].measures  # the same point and seeds: the same runs


def test_abc_smc_is_the_same_on_one_and_two_workers(tmp_path):
    from qantar.experiments.abc_smc import calibrate

    path = small(tmp_path)
    params = [Parameter("L", ("model.legitimacy",), 0.6, 0.9)]
    calibrate(path, params, tmp_path / "one", population=4, generations=1, workers=1)
    calibrate(path, params, tmp_path / "two", population=4, generations=1, workers=2)
    assert pq.read_table(tmp_path / "one" / "posterior.parquet").equals(pq.read_table(tmp_path / "two" / "posterior.parquet"))
