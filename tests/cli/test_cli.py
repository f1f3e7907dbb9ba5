"""The command line end to end: outputs, provenance, flags, and one-line errors (exit 2)."""

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from qantar.cli import main
from qantar.storage import read_series
from tests.small_scenario import one_region_toml


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_writes_series_figure_and_provenance(tmp_path):
    out = tmp_path / "r"
    res = invoke("run", "--rules", "mesa", "--steps", "30", "--seed", "4", "--legitimacy", "0.75",
                 "--out", str(out), "--format", "csv", "--max-jail-term", "inf")
    assert res.exit_code == 0, res.output
    assert "peak actives" in res.output and "outbursts" in res.output
    table, meta = read_series(out / "series.parquet")
    assert table.column_names == ["step", "quiet", "active", "jailed", "legitimacy", "cops"]
    assert set(table["legitimacy"].to_pylist()) == {0.75}
    assert table.num_rows == 31 and table["step"].to_pylist() == list(range(31))
    assert meta["seed"] == 4 and meta["rules"]["name"] == "mesa" and meta["params"]["legitimacy"] == 0.75
    assert meta["params"]["max_jail_term"] is None and meta["qantar_version"]
    assert (out / "series.png").stat().st_size > 1000
    assert (out / "series.csv").read_text().splitlines()[0] == '"step","quiet","active","jailed","legitimacy","cops"'
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["summary"]["peak_active"] == max(table["active"].to_pylist())


def test_same_seed_same_series(tmp_path):
    for name in ("a", "b"):
        assert invoke("run", "--steps", "40", "--seed", "9", "--out", str(tmp_path / name), "-q").exit_code == 0
    a, b = (pq.read_table(tmp_path / n / "series.parquet").drop(["step"]) for n in ("a", "b"))
    assert a.equals(b)


def test_rule_override_and_movement_flag(tmp_path):
    res = invoke("run", "--rules", "paper", "--rule", "arrest_ratio=floor", "--no-movement", "--steps", "5",
                 "--out", str(tmp_path / "r"), "-q")
    assert res.exit_code == 0
    _, meta = read_series(tmp_path / "r" / "series.parquet")
    assert meta["rules"]["name"] == "paper+custom" and meta["rules"]["arrest_ratio"] == "floor"
    assert meta["params"]["movement"] is False


def test_existing_results_are_kept(tmp_path):
    out = tmp_path / "r"
    assert invoke("run", "--steps", "5", "--out", str(out), "-q").exit_code == 0
    before = (out / "series.parquet").read_bytes()
    res = invoke("run", "--steps", "7", "--out", str(out), "-q")
    assert res.exit_code == 2 and "already holds results" in res.output and "--overwrite" in res.output
    assert (out / "series.parquet").read_bytes() == before
    assert invoke("run", "--steps", "7", "--out", str(out), "-q", "--overwrite").exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--citizen-density", "0.99"], "citizen_density + cop_density must be at most 1"),
        (["--cop-vision", "-2"], "cop_vision: Input should be greater than 0"),
        (["--width", "10"], "needs a grid of at least 15x15"),
        (["--rules", "pape"], "'pape' is not one of 'paper', 'netlogo', 'mesa'"),
        (["--steps", "-1"], "-1 is not in the range x>=0"),
        (["--rule", "vision_shape=hex"], "rules.vision_shape"),
        (["--max-jail-term", "ten"], "--max-jail-term: expected a whole number of steps or 'inf'"),
        (["--preset", "run9"], "'run9' is not one of 'run1'"),
        (["--preset", "run4", "--steps", "50"], "schedule: a change at step 77 is outside the run of 50 steps"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, args, message):
    proc = subprocess.run([sys.executable, "-m", "qantar.cli", "run", "--out", str(tmp_path / "x"), *args],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x" / "run.json").exists()


def test_help_documents_every_flag():
    text = invoke("run", "--help").output
    for flag in ("--rules", "--width", "--height", "--steps", "--seed", "--out", "--legitimacy", "--citizen-density",
                 "--cop-density", "--citizen-vision", "--cop-vision", "--max-jail-term", "--arrest-constant",
                 "--threshold", "--movement / --no-movement", "--format", "--rule", "--preset"):
        assert flag in text, flag


def test_preset_runs_its_schedule_and_flags_override_it(tmp_path):
    """Run 4's jump reaches the series at step 77; a flag overrides a preset value."""
    out = tmp_path / "r4"
    res = invoke("run", "--preset", "run4", "--steps", "90", "--cop-density", "0.05", "--out", str(out), "-q")
    assert res.exit_code == 0, res.output
    table, meta = read_series(out / "series.parquet")
    legitimacy = table["legitimacy"].to_pylist()
    assert legitimacy[76] == 0.9 and legitimacy[77] == 0.7 and legitimacy[-1] == 0.7
    assert meta["preset"] == "run4" and meta["schedule"] == [{"step": 77, "legitimacy": 0.7}]
    assert meta["params"]["cop_density"] == 0.05 and meta["params"]["max_jail_term"] is None


def test_reproduce_writes_report_and_measures(tmp_path):
    out = tmp_path / "rep"
    res = invoke("reproduce", "epstein2002", "--seeds", "2", "--rules", "netlogo", "--out", str(out),
                 "--sweep-seeds", "2", "--sweep-step", "0.05")
    assert res.exit_code == 0, res.output
    text = (out / "epstein2002.md").read_text()
    assert "| claim | netlogo |" in text and "## tipping" in text and "## genocide" in text
    assert "## extinction_sweep" in text and "uses 2 seeds per density" in text and "Not measured yet" not in text
    for name in ("run1-screens-netlogo", "run2-actives", "run2-waiting-times", "run2-activations", "run3-run4",
                 "model-ii-groups", "run7-screens", "extinction-by-density"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5000
        assert f"](figures/{name}.png)" in text
    record = json.loads((out / "epstein2002-measures.json").read_text())
    assert record["seeds"] == 2 and len(record["measures"]["netlogo"]["run2"]) == 2
    assert len(record["measures"]["netlogo"]["run7-peacekeepers"]) == 2
    assert len(record["measures"]["netlogo"]["sweep"]) == 3 * 2  # densities 0, 0.05, 0.1
    again = invoke("reproduce", "epstein2002", "--seeds", "2", "--rules", "netlogo", "--out", str(out))
    assert again.exit_code == 2 and "already holds results (epstein2002-measures.json)" in again.output


def test_reproduce_rejects_no_rule_set(tmp_path):
    res = invoke("reproduce", "epstein2002", "--rules", " ,", "--out", str(tmp_path / "x"))
    assert res.exit_code == 2 and "--rules: give at least one rule set" in res.output


def test_reproduce_rejects_an_unknown_rule_set(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "qantar.cli", "reproduce", "epstein2002", "--rules", "netlogo,nope",
                           "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 2 and "nope" in proc.stderr and "Traceback" not in proc.stderr


def test_interrupted_reproduction_keeps_the_finished_seeds(tmp_path, monkeypatch):
    """Ctrl-C during a run ends the seeds early (run_paper_run returns fewer); what finished is saved."""
    import qantar.experiments.reproduce as reproduce

    real = reproduce.run_paper_run

    def interrupted(run, rules, seeds, entropy, on_seed_done=None):
        return real(run, rules, 1, entropy) if run.name == "run2" else real(run, rules, seeds, entropy)

    monkeypatch.setattr(reproduce, "run_paper_run", interrupted)
    out = tmp_path / "rep"
    res = CliRunner().invoke(main, ["reproduce", "epstein2002", "--seeds", "2", "--rules", "netlogo", "--out", str(out)])
    assert res.exit_code == 130
    record = json.loads((out / "epstein2002-measures.json").read_text())
    assert record["interrupted"] and len(record["measures"]["netlogo"]["run2"]) == 1
    assert len(record["measures"]["netlogo"]["run1"]) == 2
    assert not (out / "epstein2002.md").exists()


def test_run_model_ii_preset(tmp_path):
    """A Model II preset runs from the CLI: per-group columns, the peacekeepers' cops, a figure."""
    out = tmp_path / "r7"
    res = invoke("run", "--preset", "run7-peacekeepers", "--steps", "60", "--seed", "3", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "killed" in res.output
    table = pq.read_table(out / "series.parquet")
    assert table.column_names[:10] == ["step", "blue_quiet", "blue_active", "blue_jailed", "green_quiet",
                                       "green_active", "green_jailed", "killed", "died", "born"]
    cops = table["cops"].to_pylist()
    assert cops[49] == 0 and cops[50] == 64 and cops[-1] == 64
    meta = json.loads((out / "run.json").read_text())
    assert meta["model"] == "II" and meta["params"]["clone_probability"] == 0.05
    assert (out / "series.png").stat().st_size > 5000


TINY = one_region_toml(name="tiny", scale=10, model="hardship = { low = 0.0, high = 0.6 }", population=8000,
                       police_per_100k=500, shock_at="2022-01-01T03:00:00", add=0.4, extra="""
[[targets]]
name = "peak"
metric = "peak_participants"
low = 100
high = 100000
source = "s"
""")


def test_run_scenario_file_writes_ensemble_and_report(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "out"
    res = invoke("run", str(path), "--seeds", "2", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "peak" in res.output and "runs inside" in res.output and "The fit meets" in res.output
    table = pq.read_table(out / "series.parquet")
    assert {"run", "step", "time", "region", "active", "detained", "cops", "curfew"} <= set(table.column_names)
    assert set(table["region"].to_pylist()) == {"A", "national"} and set(table["run"].to_pylist()) == {0, 1}
    record = json.loads((out / "runs.json").read_text())
    assert record["seeds"] == 2 and len(record["measures"]) == 2 and record["scenario"]["name"] == "tiny"
    report = (out / "report.md").read_text()
    assert "## Simulated and reported" in report and "| runs inside |" in report
    assert report.count("The fit meets") == 1 and record["targets"][0]["share"] in (0.0, 0.5, 1.0)
    assert (out / "figures" / "national.png").stat().st_size > 5000
    before = (out / "runs" / "run-000000.npz").stat().st_mtime_ns
    again = invoke("run", str(path), "--seeds", "2", "--out", str(out))  # the same call: nothing left to run
    assert again.exit_code == 0 and (out / "runs" / "run-000000.npz").stat().st_mtime_ns == before
    other = invoke("run", str(path), "--seeds", "3", "--out", str(out))
    assert other.exit_code == 2 and "holds another ensemble" in other.output, other.output
    without = invoke("run", str(path), "--seeds", "1", "--without", "shock", "--out", str(tmp_path / "w"))
    assert without.exit_code == 0 and json.loads((tmp_path / "w" / "runs.json").read_text())["scenario"]["events"] == []


@pytest.mark.parametrize("args, message", [
    (["--legitimacy", "0.7"], "--legitimacy: not used with a scenario; set scenario fields with --set"),
    (["--set", "regions.Q.population=5"], "no regions named 'Q'"),
    (["--without", "nope"], "--without: no event named 'nope'"),
    (["--set", "events.shock.at=2023-01-01T00:00:00"], "is outside the run"),
])
def test_run_scenario_bad_input(tmp_path, args, message):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    res = invoke("run", str(path), "--seeds", "1", "--out", str(tmp_path / "o"), *args)
    assert res.exit_code == 2 and message in res.output, res.output


def test_set_without_scenario_is_refused(tmp_path):
    res = invoke("run", "--set", "model.legitimacy=0.9", "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "only with a SCENARIO" in res.output


def test_compare_two_ensembles(tmp_path):
    """A counterfactual: the same scenario without its shock has fewer participants, and
    compare says so with an interval that excludes zero."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    for name, extra in (("base", []), ("calm", ["--without", "shock"])):
        res = invoke("run", str(path), "--seeds", "4", "--out", str(tmp_path / name), *extra)
        assert res.exit_code == 0, res.output
    res = invoke("compare", str(tmp_path / "base"), str(tmp_path / "calm"), "--out", str(tmp_path / "cmp"))
    assert res.exit_code == 0, res.output
    rows = {r["measure"]: r for r in json.loads((tmp_path / "cmp" / "compare.json").read_text())["measures"]}
    peak = rows["peak_participants"]
    assert peak["b"] == 0 and peak["a"] > 0 and peak["high"] < 0  # B - A: all of A's protest is gone
    assert "4 and 4 runs, paired by seed" in res.output and peak["paired"]  # the same seeds: run k beside run k
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 5000
    missing = invoke("compare", str(tmp_path / "base"), str(tmp_path / "nowhere"), "--out", str(tmp_path / "c2"))
    assert missing.exit_code == 2 and "nowhere: does not exist; compare needs an ensemble" in missing.output


def test_sweep_then_query_and_a_resume(tmp_path):
    out = tmp_path / "e"
    args = ["sweep", "--grid", "legitimacy=0.7,0.8", "--set", "width=20", "--set", "height=20", "--steps", "20",
            "--seeds", "2", "--workers", "1", "--out", str(out)]
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    assert "4 runs done, 0 failed, of 4" in r.output
    r = invoke("query", str(out), 'SELECT count(*) AS n, min("point.legitimacy") AS lo FROM summary')
    assert r.exit_code == 0 and "│ 4 " in r.output and "0.7" in r.output, r.output
    again = invoke(*args)  # everything finished: nothing runs, nothing changes
    assert again.exit_code == 0 and "4 runs done" in again.output
    other = invoke(*args[:-2], "--seeds", "3", "--out", str(out))
    assert other.exit_code == 2 and "holds another experiment" in other.output
    bad = invoke("query", str(out), "SELECT nope FROM summary")
    assert bad.exit_code == 2 and "nope" in bad.output
    assert invoke("query", str(tmp_path), "SELECT 1").exit_code == 2


def test_one_kind_of_folder_is_not_written_over_another(tmp_path):
    """qantar run --out into an ensemble (or the reverse), a sweep into an ensemble, compare on
    a model run: one line, exit 2, nothing overwritten, no traceback."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    ens, model = tmp_path / "ens", tmp_path / "model"
    assert invoke("run", str(path), "--seeds", "1", "--workers", "1", "--out", str(ens), "-q").exit_code == 0
    assert invoke("run", "--steps", "5", "--out", str(model), "-q").exit_code == 0
    kept = {p: p.read_bytes() for p in (ens / "series.parquet", model / "series.parquet")}
    for args, message in (
        (["run", "--steps", "5", "--out", str(ens), "--overwrite"], f"--out: {ens} holds an ensemble"),
        (["run", "--steps", "5", "--out", str(ens)], "holds an ensemble (qantar run SCENARIO), not a run"),
        (["run", str(path), "--seeds", "1", "--out", str(model)], f"--out: {model} holds a run (qantar run)"),
        (["sweep", "--grid", "legitimacy=0.7", "--steps", "5", "--out", str(ens)], "holds an ensemble"),
        (["compare", str(model), str(ens)], "holds a run; compare needs an ensemble folder"),
    ):
        proc = subprocess.run([sys.executable, "-m", "qantar.cli", *args], capture_output=True, text=True)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert all(p.read_bytes() == before for p, before in kept.items())


def test_scenarios_and_describe_fit_80_columns():
    from qantar.scenario.load import load_scenario

    listed = CliRunner().invoke(main, ["scenarios"], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert listed.exit_code == 0 and "kazakhstan-2022" in listed.output and "19" in listed.output
    res = CliRunner().invoke(main, ["describe", "kazakhstan-2022"], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert max(map(len, lines)) <= 80
    words = {w.strip(",") for line in lines for w in line.split()}
    s = load_scenario("kazakhstan-2022")
    for name in [r.name for r in s.regions] + [e.name for e in s.events] + [t.name for t in s.targets]:
        assert name in words, name  # whole, never cut across lines
    assert "events.csto.type" in words and "regions.Almaty.population" in words
    for e in s.events:
        assert f"{e.name}: {e.note.split()[0]}" in res.output


def test_run_table_of_verdicts_fits_80_columns(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    res = CliRunner().invoke(main, ["run", str(path), "--seeds", "1", "--workers", "1", "--out", str(tmp_path / "o")],
                             env={"COLUMNS": "80"}, catch_exceptions=False)
    printed = res.output.split("\nwrote ")[0]  # the table and the lines under it (then the paths written)
    assert res.exit_code == 0 and max(map(len, printed.splitlines())) <= 80
    words = printed.split()
    assert {"peak", "reported", "spread", "runs", "median", "inside", "yes"} <= set(words), printed


def test_mistyped_set_and_without_suggest(tmp_path):
    for args, message in ((["--set", "news.gian=0"], "did you mean news.gain or"),
                          (["--without", "cstoo"], "did you mean csto?")):
        res = invoke("run", "kazakhstan-2022", "--out", str(tmp_path / "x"), *args)
        assert res.exit_code == 2 and message in res.output, res.output
        assert not (tmp_path / "x").exists()


def test_first_compile_is_said(tmp_path, monkeypatch):
    import qantar.api.warmup as warmup

    monkeypatch.setattr(warmup, "engine_compiled", lambda model="I": False)
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    res = invoke("run", str(path), "--seeds", "1", "--workers", "1", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0 and "compiling the engine once, about" in res.output
    res = invoke("run", "--steps", "5", "--out", str(tmp_path / "m"))
    assert res.exit_code == 0 and "compiling the engine once, about" in res.output
    quiet = invoke("run", "--steps", "5", "--out", str(tmp_path / "q"), "-q")
    assert "compiling" not in quiet.output


def test_run_until(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    res = invoke("run", str(path), "--seeds", "1", "--workers", "1", "--until", "2022-01-02", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    assert "Run only up to 2022-01-02" in res.output and "Targets not judged" in res.output
    assert json.loads((tmp_path / "o" / "runs.json").read_text())["scenario"]["days"] == 1
    bad = invoke("run", str(path), "--until", "2022-02-01", "--out", str(tmp_path / "b"))
    assert bad.exit_code == 2 and "--until: 2022-02-01 is outside the run" in bad.output
    model = invoke("run", "--until", "2022-01-02", "--out", str(tmp_path / "m"))
    assert model.exit_code == 2 and "only with a SCENARIO" in model.output
