"""ABC-SMC calibration (pyabc with qantar's seeded sampler): the posterior finds a known
parameter, is the same for any number of workers and when continued, and is reused by
``qantar run --posterior``."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from qantar.cli import main
from qantar.errors import QantarInputError
from qantar.experiments.abc_smc import calibrate
from qantar.experiments.calibration import Parameter
from qantar.report.posterior import weighted_quantiles
from qantar.storage.posterior import draw_particles, read_posterior
from tests.small_scenario import one_region_toml

# Peak participants fall with legitimacy: about 5,700 at L = 0.6, 4,700 at 0.75, 4,100 at
# 0.8 and none from 0.9 (five seeds each). The target below is met near L = 0.75 only.
PEAKED = one_region_toml(days=2, steps_per_day=12, scale=20, model="legitimacy = 0.8", population=6000,
                         shock_at="2022-01-01T02:00:00", add=0.2, extra="""
[[targets]]
name = "peak"
metric = "peak_participants"
low = 4500
high = 4900
source = "s"
""")
LEGITIMACY = Parameter("L", ("model.legitimacy",), 0.5, 0.95)
THRESHOLD = Parameter("T", ("model.threshold",), 0.05, 0.15, log=True)


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "peaked.toml"
    path.write_text(PEAKED)
    return str(path)


def test_posterior_concentrates_where_the_target_is_met(scenario, tmp_path):
    result = calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=24, generations=4, workers=1)
    manifest, table = read_posterior(tmp_path / "cal")
    assert len(result.generations) == 4 and not result.interrupted
    eps = [g["epsilon"] for g in manifest["generations"]]
    assert eps == sorted(eps, reverse=True) and eps[-1] < eps[0]
    low, median, high = weighted_quantiles(table.column("L").to_numpy(), table.column("weight").to_numpy(),
                                           [0.05, 0.5, 0.95])
    assert 0.66 <= low <= median <= high <= 0.84, (low, median, high)  # the prior is 0.5 to 0.95
    assert (tmp_path / "cal" / "calibration.md").read_text().count("| L | 0.5 to 0.95 |") == 1
    assert (tmp_path / "cal" / "posterior.png").stat().st_size > 0


def test_same_posterior_for_any_workers_and_when_continued(scenario, tmp_path):
    one = calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "one", population=10, generations=3, workers=1)
    calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "two", population=10, generations=2, workers=2)
    two = calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "two", population=10, generations=3, workers=2)
    assert pq.read_table(tmp_path / "one" / "posterior.parquet").equals(pq.read_table(tmp_path / "two" / "posterior.parquet"))
    assert one.generations == two.generations
    made = json.loads((tmp_path / "two" / "calibration.json").read_text())
    assert made["settings"]["entropy"] == 0 and made["settings"]["fingerprint"] and len(made["sessions"]) == 2
    assert all(x["git_commit"] and x["qantar_version"] and x["stopped"] == f"{g} generations"
               for x, g in zip(made["sessions"], (2, 3)))
    other = calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "other", population=10, generations=1,
                      workers=1, entropy=5)
    assert other.generations[0] != one.generations[0]


def test_bad_calibrations_are_refused(scenario, tmp_path):
    calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=4, generations=1, workers=1)
    with pytest.raises(QantarInputError, match="holds another calibration"):
        calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=5, generations=1, workers=1)
    with pytest.raises(QantarInputError, match="parameter bad at"):
        calibrate(scenario, [Parameter("bad", ("model.no_such_field",), 0, 1)], tmp_path / "x", workers=1)
    with pytest.raises(QantarInputError, match="parameter L at 1.5"):
        calibrate(scenario, [Parameter("L", ("model.legitimacy",), 0.5, 1.5)], tmp_path / "x", workers=1)
    bare = tmp_path / "bare.toml"
    bare.write_text(one_region_toml())
    with pytest.raises(QantarInputError, match="no \\[\\[targets\\]\\]"):
        calibrate(str(bare), [LEGITIMACY], tmp_path / "y", workers=1)
    with pytest.raises(QantarInputError, match="no calibration here"):
        read_posterior(tmp_path / "y")


def test_cli_calibrate_then_run_from_the_posterior(scenario, tmp_path):
    runner = CliRunner()
    cal = tmp_path / "cal"
    got = runner.invoke(main, ["calibrate", scenario, "--param", "model.legitimacy=0.5:0.95",
                               "--param", "model.threshold=0.05:0.15:log", "--population", "6",
                               "--generations", "2", "--workers", "1", "--out", str(cal)])
    assert got.exit_code == 0, got.output
    assert "model.legitimacy" in got.output and (cal / "calibration.md").exists()
    out = tmp_path / "run"
    got = runner.invoke(main, ["run", scenario, "--posterior", str(cal), "--seeds", "4", "--workers", "1",
                               "--out", str(out), "-q"])
    assert got.exit_code == 0, got.output
    record = json.loads((out / "runs.json").read_text())
    _, table = read_posterior(cal)
    drawn = draw_particles(table, 4, 0)
    rows = table.to_pylist()
    assert [p["particle"] for p in record["posterior"]["particles"]] == drawn
    assert [p["assignments"] for p in record["posterior"]["particles"]] == [rows[k]["assignments"] for k in drawn]
    assert "--posterior" in record["command"]
    assert record["scenario"]["model"]["legitimacy"] == 0.8  # the file's; each run took its particle's


def test_cli_refuses_bad_calibrate_and_posterior_input(scenario, tmp_path):
    runner = CliRunner()
    for param, message in (("model.legitimacy=0.9:0.5", "LOW < HIGH"), ("model.legitimacy=0.5", "PATH=LOW:HIGH"),
                           ("model.threshold=0:0.2:log", "LOW > 0"), ("model.legitimacy=0.5:inf", "finite")):
        got = runner.invoke(main, ["calibrate", scenario, "--param", param, "--out", str(tmp_path / "c")])
        assert got.exit_code == 2 and message in got.output, got.output
    got = runner.invoke(main, ["calibrate", scenario, "--param", "model.legitimacy=0.5:0.9", "--population", "1",
                               "--out", str(tmp_path / "c")])
    assert got.exit_code == 2 and "population" in got.output, got.output
    got = runner.invoke(main, ["run", scenario, "--posterior", str(tmp_path), "--out", str(tmp_path / "r")])
    assert got.exit_code == 2 and "no calibration here" in got.output
    got = runner.invoke(main, ["run", "--posterior", str(tmp_path)])
    assert got.exit_code == 2 and "only with a SCENARIO" in got.output
    calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=4, generations=1, workers=1)
    got = runner.invoke(main, ["run", scenario, "--posterior", str(tmp_path / "cal"), "--set", "model.legitimacy=0.7",
                               "--out", str(tmp_path / "r")])
    assert got.exit_code == 2 and "--set model.legitimacy: the posterior" in got.output, got.output
    changed = tmp_path / "peaked.toml"  # the calibrated file itself, changed outside the fitted fields
    changed.write_text(PEAKED.replace("population = 6000", "population = 7000"))
    got = runner.invoke(main, ["run", str(changed), "--posterior", str(tmp_path / "cal"), "--out", str(tmp_path / "r")])
    assert got.exit_code == 2 and "changed since it was calibrated" in got.output, got.output
    with pytest.raises(QantarInputError, match="changed since this calibration began"):
        calibrate(str(changed), [LEGITIMACY], tmp_path / "cal", population=4, generations=2, workers=1)
    changed.write_text(PEAKED)
    other = tmp_path / "other.toml"
    other.write_text(PEAKED.replace('name = "small"', 'name = "other"'))
    got = runner.invoke(main, ["run", str(other), "--posterior", str(tmp_path / "cal"), "--out", str(tmp_path / "r")])
    assert got.exit_code == 2 and "fitted to scenario 'small'" in got.output, got.output


def test_failed_runs_are_rejected_and_counted(scenario, tmp_path, monkeypatch):
    import qantar.experiments.abc_smc as abc_smc

    real = abc_smc.measure_at

    def fragile(scenario, assignments, seed):  # runs here: workers=1 runs the candidates in this process
        if float(next(a for a in assignments if a.startswith("model.legitimacy")).split("=")[1]) > 0.85:
            raise ValueError("no such world")
        return real(scenario, assignments, seed)

    monkeypatch.setattr(abc_smc, "measure_at", fragile)
    result = calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=8, generations=2, workers=1)
    manifest, table = read_posterior(tmp_path / "cal")
    session = manifest["sessions"][-1]
    assert len(result.generations) == 2 and session["failed_runs"] > 0
    assert session["first_error"] == "ValueError: no such world" and max(table.column("L").to_pylist()) <= 0.85
    assert session["runs_executed"] >= manifest["total_evaluations"] + 8  # + the first prior sample


def test_runs_that_keep_failing_stop_the_calibration(scenario, tmp_path, monkeypatch):
    import qantar.experiments.abc_smc as abc_smc

    def broken(scenario, assignments, seed):
        raise ValueError("no such world")

    monkeypatch.setattr(abc_smc, "measure_at", broken)
    with pytest.raises(QantarInputError, match="8 of 8 runs failed; the first: ValueError: no such world"):
        calibrate(scenario, [LEGITIMACY], tmp_path / "cal", population=8, generations=2, workers=1)
    session = json.loads((tmp_path / "cal" / "calibration.json").read_text())["sessions"][-1]
    assert session["failed_runs"] == 8 and not (tmp_path / "cal" / "posterior.parquet").exists()


def test_whole_numbers_and_clashes_are_refused_before_anything_runs(scenario, tmp_path):
    with pytest.raises(QantarInputError, match="parameter steps at .*choices"):
        calibrate(scenario, [Parameter("steps", ("steps_per_day",), 2, 12)], tmp_path / "a", workers=1)
    with pytest.raises(QantarInputError, match="--set model.legitimacy: also fitted by parameter L"):
        calibrate(scenario, [LEGITIMACY], tmp_path / "b", fixed=["model.legitimacy=0.7"], workers=1)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_interrupted_continued_finished_and_budgeted(scenario, tmp_path):
    straight = calibrate(scenario, [LEGITIMACY], tmp_path / "straight", population=6, generations=3, workers=1)

    def stop_in_generation_1(t, accepted, evaluated, n):
        if t == 1:
            raise KeyboardInterrupt

    cut = calibrate(scenario, [LEGITIMACY], tmp_path / "cut", population=6, generations=3, workers=1,
                    on_progress=stop_in_generation_1)
    assert cut.interrupted and len(cut.generations) == 1
    again = calibrate(scenario, [LEGITIMACY], tmp_path / "cut", population=6, generations=3, workers=1)
    assert again.generations == straight.generations and again.stopped == "3 generations"
    assert pq.read_table(tmp_path / "cut" / "posterior.parquet").equals(
        pq.read_table(tmp_path / "straight" / "posterior.parquet"))
    done = calibrate(scenario, [LEGITIMACY], tmp_path / "cut", population=6, generations=3, workers=1)
    sessions = json.loads((tmp_path / "cut" / "calibration.json").read_text())["sessions"]
    assert done.generations == straight.generations and sessions[-1]["runs_executed"] == 0 and len(sessions) == 3
    more = calibrate(scenario, [LEGITIMACY], tmp_path / "cut", population=6, generations=10, max_simulations=1,
                     workers=1)
    assert len(more.generations) == 4  # the budget counts from this call, checked after each generation


def test_threads_take_turns_and_give_the_same_posterior(scenario, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "one", population=8, generations=2, workers=1)
    with ThreadPoolExecutor(2) as threads:
        calibrate(scenario, [LEGITIMACY, THRESHOLD], tmp_path / "threads", population=8, generations=2,
                  executor=threads)
    assert pq.read_table(tmp_path / "one" / "posterior.parquet").equals(
        pq.read_table(tmp_path / "threads" / "posterior.parquet"))


def test_particles_are_drawn_by_weight():
    import pyarrow as pa

    table = pa.table({"weight": [0.0, 0.25, 0.75]})
    drawn = draw_particles(table, 4000, 3)
    assert drawn == draw_particles(table, 4000, 3) and 0 not in drawn
    assert abs(np.mean(np.array(drawn) == 2) - 0.75) < 0.03
    with pytest.raises(QantarInputError, match="weights"):
        draw_particles(pa.table({"weight": [0.0, float("nan")]}), 2, 0)


def test_runs_with_their_own_steps_a_day_share_one_clock(tmp_path):
    """A posterior may fit steps a day, so the runs of one ensemble can have different time
    grids: the report, its figures and `qantar compare` put them on the finest one."""
    import datetime as dt

    from qantar.report.scenario import on_one_clock

    day = dt.datetime(2022, 1, 1)
    hourly = [day + dt.timedelta(hours=h) for h in range(5)]
    times, values = on_one_clock([(hourly, np.arange(5.0)), (hourly[::2], np.array([10.0, 20.0, 30.0]))])
    assert times == hourly and values.tolist() == [[0, 1, 2, 3, 4], [10, 10, 20, 20, 30]]

    runner = CliRunner()
    path = tmp_path / "mixed.toml"
    path.write_text(PEAKED)
    cal = tmp_path / "cal"
    calibrate(str(path), [Parameter("steps", ("steps_per_day",), choices=(6, 12)), LEGITIMACY], cal,
              population=6, generations=1, workers=1)
    steps = {a for row in read_posterior(cal)[1].column("assignments").to_pylist() for a in row if a.startswith("steps")}
    assert steps == {"steps_per_day=6", "steps_per_day=12"}
    for out in ("a", "b"):
        got = runner.invoke(main, ["run", str(path), "--posterior", str(cal), "--seeds", "6", "--workers", "1",
                                   "--out", str(tmp_path / out), "-q"] + (["--seed", "1"] if out == "b" else []))
        assert got.exit_code == 0, got.output
    assert (tmp_path / "a" / "figures" / "national.png").exists()
    got = runner.invoke(main, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "c")])
    assert got.exit_code == 0, got.output


def test_runs_per_particle_judge_each_particle_on_the_median_of_its_runs(scenario, tmp_path, monkeypatch):
    """With runs_per_particle 3, each particle runs 3 seeds of its own and is scored on
    their ensemble (the report's median), so the scores differ from one run's; the first
    of the three is the run the default would make, the count is kept in the settings and
    the budget counts runs."""
    import qantar.experiments.abc_smc as abc

    seen = []
    real = abc.measure_at
    monkeypatch.setattr(abc, "measure_at", lambda sc, a, seed: seen.append(seed.spawn_key) or real(sc, a, seed))
    one = calibrate(scenario, [LEGITIMACY], tmp_path / "one", population=6, generations=1, workers=1)
    first = list(seen)
    seen.clear()
    three = calibrate(scenario, [LEGITIMACY], tmp_path / "three", population=6, generations=1, workers=1,
                      runs_per_particle=3)
    assert len(seen) == 3 * len(first) and seen[::3] == first and {k[-1] for k in seen} == {1, 2, 3}
    made = json.loads((tmp_path / "three" / "calibration.json").read_text())
    assert made["settings"]["runs_per_particle"] == 3 and made["runs_executed"] == len(seen)
    assert "runs_per_particle" not in json.loads((tmp_path / "one" / "calibration.json").read_text())["settings"]
    _, t1 = read_posterior(tmp_path / "one")
    _, t3 = read_posterior(tmp_path / "three")
    assert t1.column("distance").to_pylist() != t3.column("distance").to_pylist()
    with pytest.raises(QantarInputError, match="runs_per_particle: give 1 or more"):
        calibrate(scenario, [LEGITIMACY], tmp_path / "bad", population=6, generations=1, runs_per_particle=0)


def test_a_calibration_can_fit_to_some_targets_only(tmp_path):
    """--target: the distance is that of the named targets alone (a second target that no
    particle can meet does not enter it), the folder records the names and its report says
    so; a name the scenario lacks is refused before anything runs."""
    path = tmp_path / "two.toml"
    path.write_text(PEAKED + """
[[targets]]
name = "impossible"
metric = "detained"
low = 1000000000
high = 2000000000
source = "s"
""")
    calibrate(str(path), [LEGITIMACY], tmp_path / "peak", population=8, generations=1, workers=1, targets=["peak"])
    calibrate(str(path), [LEGITIMACY], tmp_path / "all", population=8, generations=1, workers=1)
    _, peak = read_posterior(tmp_path / "peak")
    _, both = read_posterior(tmp_path / "all")
    assert "d.impossible" not in peak.column_names and "d.impossible" in both.column_names
    assert peak.column("distance").to_pylist() == peak.column("d.peak").to_pylist()
    assert min(both.column("distance").to_pylist()) > 0.5  # the impossible target weighs in
    made = json.loads((tmp_path / "peak" / "calibration.json").read_text())["settings"]
    assert made["targets"] == ["peak"] and "targets" not in json.loads((tmp_path / "all" / "calibration.json").read_text())["settings"]
    assert "Fitted to these targets only: `peak`" in (tmp_path / "peak" / "calibration.md").read_text()
    with pytest.raises(QantarInputError, match="--target nope: not a target of the scenario"):
        calibrate(str(path), [LEGITIMACY], tmp_path / "bad", population=8, generations=1, targets=["nope"])
    assert not (tmp_path / "bad").exists()
    res = CliRunner().invoke(main, ["calibrate", str(path), "--param", "model.legitimacy=0.5:0.95", "--target", "nope",
                                    "--population", "8", "--out", str(tmp_path / "cli")])
    assert res.exit_code == 2 and "--target nope: not a target" in res.output and not (tmp_path / "cli").exists()
