"""The library API (qantar.api): ensembles resumed after a cancel equal uninterrupted ones,
folder kinds, the compile message, scenarios described, --until."""

import json
import threading

import pyarrow.parquet as pq
import pytest

from qantar import api
from qantar.errors import QantarInputError
from tests.small_scenario import one_region_toml

SMALL = one_region_toml(name="small", days=1, scale=20, population=6000, police_per_100k=500, add=0.4)


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return str(path)


def cancel_after(k: int):
    """An on_progress that sets the returned event once k runs are done."""
    stop = threading.Event()

    def on_progress(event):
        if event.stage == "runs" and event.done >= k:
            stop.set()
    return stop, on_progress


def test_a_cancelled_ensemble_resumes_to_the_uninterrupted_one(small, tmp_path):
    stop, on_progress = cancel_after(2)
    part = api.run_ensemble(small, tmp_path / "part", seeds=5, seed=3, workers=1, on_progress=on_progress,
                            cancel=stop)
    assert part.interrupted and part.runs_done == 2 and len(part.measures) == 2
    assert json.loads((tmp_path / "part" / "runs.json").read_text())["interrupted"] is True
    events = []
    done = api.resume_ensemble(tmp_path / "part", workers=1, on_progress=events.append)
    assert not done.interrupted and done.runs_done == 5
    assert [e.done for e in events if e.stage == "runs"] == [2, 3, 4, 5]  # only the missing runs ran
    whole = api.run_ensemble(small, tmp_path / "whole", seeds=5, seed=3, workers=1)
    assert done.measures == whole.measures and done.verdicts == whole.verdicts
    a, b = (pq.read_table(tmp_path / n / "series.parquet") for n in ("part", "whole"))
    assert a.replace_schema_metadata(None).equals(b.replace_schema_metadata(None))


def test_the_same_call_resumes_and_another_is_refused(small, tmp_path):
    stop, on_progress = cancel_after(1)
    api.run_ensemble(small, tmp_path / "e", seeds=3, workers=1, on_progress=on_progress, cancel=stop)
    with pytest.raises(QantarInputError, match="holds another ensemble"):
        api.run_ensemble(small, tmp_path / "e", seeds=3, seed=1, workers=1)
    with pytest.raises(QantarInputError, match="holds another ensemble"):
        api.run_ensemble(small, tmp_path / "e", seeds=3, overrides=["scale=30"], workers=1)
    assert api.run_ensemble(small, tmp_path / "e", seeds=3, workers=1).runs_done == 3
    fresh = api.run_ensemble(small, tmp_path / "e", seeds=2, seed=1, workers=1, overwrite=True)
    assert fresh.runs_done == 2 and fresh.record["entropy"] == 1


def test_cancel_before_start_runs_nothing(small, tmp_path):
    stop = threading.Event()
    stop.set()
    ens = api.run_ensemble(small, tmp_path / "e", seeds=2, workers=1, cancel=stop)
    assert ens.runs_done == 0 and ens.interrupted


def test_folder_kinds(small, tmp_path):
    model = api.run_model_once(tmp_path / "model", steps=5)
    ens = api.run_ensemble(small, tmp_path / "ens", seeds=1, workers=1)
    assert api.folder_kind(model.path) == "run" and api.folder_kind(ens.path) == "ensemble"
    assert api.folder_kind(tmp_path / "nowhere") is None
    listed = {f.path.name: f for f in api.list_folders(tmp_path)}
    assert listed["ens"].kind == "ensemble" and listed["ens"].command.startswith("qantar run ")
    assert listed["model"].kind == "run" and "small.toml" not in listed
    with pytest.raises(QantarInputError, match="holds an ensemble .*, not a run"):
        api.run_model_once(ens.path, steps=5, overwrite=True)
    with pytest.raises(QantarInputError, match="holds a run .*, not an ensemble"):
        api.run_ensemble(small, model.path, seeds=1, workers=1, overwrite=True)
    with pytest.raises(QantarInputError, match="holds a run; compare needs an ensemble"):
        api.compare(model.path, ens.path, tmp_path / "cmp")


def test_a_cold_engine_is_said_and_shown(small, tmp_path, monkeypatch):
    import qantar.api.ensemble as ensemble
    import qantar.api.warmup as warmup

    assert warmup.engine_compiled("I") is True  # this process ran the engine: the cache is there
    monkeypatch.setattr(warmup, "engine_compiled", lambda model="I": False)
    events = []
    api.run_ensemble(small, tmp_path / "e", seeds=1, workers=1, on_progress=events.append)
    compiling = [e for e in events if e.stage == "compiling"]
    assert compiling[0].message.startswith("compiling the engine once, about") and compiling[-1].done == 1
    assert events.index(compiling[-1]) < min(i for i, e in enumerate(events) if e.stage == "runs")
    assert ensemble.warm_up is warmup.warm_up


def test_describe_lists_regions_events_notes_and_paths():
    d = api.describe_scenario("kazakhstan-2022")
    assert [r["region"] for r in d.regions][:2] == ["Zhanaozen", "Aktau"]
    assert all(e["note"] for e in d.events), [e["name"] for e in d.events if not e["note"]]
    assert d.paths["regions.Almaty.population"] > 0 and d.paths["events.csto.type"] == "foreign-troops"
    assert [s.name for s in api.list_scenarios()] == ["kazakhstan-2022"]


@pytest.mark.parametrize("kwargs, message", [
    ({"overrides": ["news.gian=0"]}, "--set news.gian: not a field of .*did you mean news.gain"),
    ({"overrides": ["regions.Almati.population=5"]}, "no regions named 'Almati'.*did you mean Almaty"),
    ({"without": ["cstoo"]}, "--without: no event named 'cstoo'.*did you mean csto"),
])
def test_mistyped_names_suggest_the_nearest(kwargs, message):
    with pytest.raises(QantarInputError, match=message):
        api.describe_scenario("kazakhstan-2022", **kwargs)


def test_until_cuts_the_calendar_and_its_targets(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(one_region_toml(name="two", days=3, scale=20, population=6000, police_per_100k=500,
                                    shock_at="2022-01-02T06:00:00", extra="""
[[targets]]
name = "peak"
metric = "peak_participants"
low = 1
source = "s"
[[targets]]
name = "calm"
metric = "calm_date"
on = 2022-01-01
source = "s"
"""))
    ens = api.run_ensemble(str(path), tmp_path / "e", seeds=1, until="2022-01-02", workers=1)
    cut = ens.record["until"]
    assert ens.record["scenario"]["days"] == 1 and ens.record["scenario"]["events"] == []
    assert cut["events_left_out"] == ["shock"] and cut["targets_not_judged"] == ["peak"]
    assert [v["target"] for v in ens.verdicts] == ["calm"] and "--until 2022-01-02" in ens.command
    table = pq.read_table(tmp_path / "e" / "series.parquet")
    assert table.num_rows == 2 * (24 + 1)  # region A and national, one day of hours and the start
    assert "Run only up to 2022-01-02" in (tmp_path / "e" / "report.md").read_text()
    for bad, message in (("2022-01-01", "outside the run"), ("2022-01-09", "outside the run"),
                         ("soon", "not a date")):
        with pytest.raises(QantarInputError, match=f"--until: .*{message}"):
            api.run_ensemble(str(path), tmp_path / "x", seeds=1, until=bad, workers=1)


def test_without_a_folder_the_same_call_finishes_the_interrupted_one(small, tmp_path, monkeypatch):
    """`qantar run SCENARIO` with no --out, Ctrl-C, then the same command: it finishes the
    interrupted folder under runs/ rather than starting again in a new one; once finished,
    the same call starts a new folder (another call never takes it)."""
    monkeypatch.chdir(tmp_path)
    stop, on_progress = cancel_after(1)
    part = api.run_ensemble(small, seeds=3, workers=1, on_progress=on_progress, cancel=stop)
    assert part.interrupted and part.runs_done < 3
    api.run_ensemble(small, seeds=2, workers=1)  # another call, in the same second: a folder of its own
    done = api.run_ensemble(small, seeds=3, workers=1)
    assert done.path.resolve() == part.path.resolve() and done.runs_done == 3 and not done.interrupted
    again = api.run_ensemble(small, seeds=3, workers=1)
    assert again.path.resolve() != part.path.resolve()
