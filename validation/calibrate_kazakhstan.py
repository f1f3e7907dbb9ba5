"""Calibrate the built-in kazakhstan-2022 scenario to its targets (refocused Latin
hypercubes, ``qantar.experiments.calibration.refocus``).

The free parameters and their ranges are in ``PARAMETERS`` below, each with why its range
is what it is. The design, every point's distances and the best point go to
``docs/validation/kazakhstan-2022-calibration.parquet`` and ``-best.json``; the best point
is then rerun as the default 20-run ensemble and its verdicts printed, for
``docs/validation/kazakhstan-2022-calibration.md``. The values of the best point are then
copied into ``src/qantar/scenario/builtin/kazakhstan-2022.toml`` by hand, each marked
"calibrated".

Usage::

    python validation/calibrate_kazakhstan.py [--waves 400 200 200 200] [--seeds 3] [--entropy 2022]

About 10 minutes on 2 cores with the defaults.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import Progress

from qantar import __version__
from qantar.analysis.scenario_measures import daily_peak, judge_target, measure_run
from qantar.experiments.calibration import Parameter, reevaluate, refocus
from qantar.experiments.scenario_run import run_ensemble
from qantar.report.scenario import national_figure, regions_figure, verdict_table
from qantar.scenario.load import load_scenario
from qantar.storage.series import git_commit

SCENARIO = "kazakhstan-2022"
OUT = Path(__file__).resolve().parent.parent / "docs" / "validation"
EMERGENCIES = ("emergency-mangystau-almaty", "emergency-almaty-region", "emergency-nur-sultan",
               "emergency-other-regions")

REGIONS = ("Zhanaozen", "Aktau", "Aktobe", "Almaty", "Nur-Sultan", "Shymkent", "Taraz", "Atyrau", "Uralsk",
           "Kyzylorda", "Taldykorgan")
THRESHOLD = 0.1  # the file's model.threshold, T


def calm_ceiling(legitimacy: float) -> float:
    """The hardship ceiling that makes the start calm: the most aggrieved citizen's
    grievance H (1 - L) is exactly T, so nobody is active before the shock (rule A is
    strict), as nobody was before 1 January."""
    return THRESHOLD / (1.0 - legitimacy)


PARAMETERS = [
    Parameter("steps_per_day", ("steps_per_day",), choices=(2, 3, 4, 6, 8, 12),
              note="how often people reconsider; also each cop's arrests a day (one a step)"),
    Parameter("police_on_duty", tuple(f"regions.{r}.police_per_100k" for r in REGIONS), 50.0, 420.0, log=True,
              note="officers per 100,000 on the streets at a time: at most the 420 employed"),
    Parameter("legitimacy", ("model.legitimacy",), 0.60, 0.90, derived=(("model.hardship.high", calm_ceiling),),
              note="L everywhere; the hardship ceiling follows (calm_ceiling)"),
    Parameter("hardship_tail", ("model.hardship.b",), 1.0, 6.0, log=True,
              note="beta(1, b) hardship below the ceiling: the larger b, the fewer near the threshold"),
    Parameter("lpg_zhanaozen", ("events.lpg-price.by_region.Zhanaozen",), 0.01, 0.3, log=True,
              note="hardship added in Zhanaozen, where cars run on LPG"),
    Parameter("lpg_aktau", ("events.lpg-price.by_region.Aktau",), 0.01, 0.3, log=True,
              note="hardship added in Aktau, where cars run on LPG"),
    Parameter("lpg_elsewhere", ("events.lpg-price.add",), 0.0, 0.05, note="hardship added elsewhere"),
    Parameter("mangystau_cap", ("events.mangystau-cap.add",), -0.3, 0.0,
              note="the 50-tenge cap of 4 Jan (below the 60 before the shock)"),
    Parameter("national_caps", ("events.national-caps.add",), -0.1, 0.0, note="caps and tariff freezes of 6 Jan"),
    Parameter("government_resigns", ("events.government-resigns.add",), 0.0, 0.05, note="L regained on 5 Jan"),
    Parameter("csto_legitimacy", ("events.csto.legitimacy",), -0.05, 0.0, note="L lost as foreign troops land"),
    Parameter("news_gain", ("news.gain",), 0.01, 1.0, log=True, note="grievance per unit of news"),
    Parameter("news_half_life", ("news.half_life_hours",), 3.0, 96.0, log=True, note="how slowly news spreads"),
    Parameter("news_national", ("news.national",), 0.0, 1.0, note="weight of the national share in the news"),
    Parameter("arrest_factor", tuple(f"events.{e}.arrest_factor" for e in EMERGENCIES), 1.0, 4.0,
              note="k multiplied under the state of emergency"),
    Parameter("lethal_probability", ("events.lethal-force.probability",), 0.01, 0.5, log=True,
              note="an enforcement kills instead of arresting, from 7 Jan"),
    Parameter("clash_probability", ("clashes.probability",), 0.001, 0.1, log=True,
              note="an outnumbered cop is overrun, per turn"),
    Parameter("defection_probability", ("defection.probability",), 0.001, 0.1, log=True,
              note="police in Aktobe and Aktau who refuse, per turn"),
    Parameter("backlash", ("backlash.per_share",), 0.0, 50.0, note="grievance per share of citizens killed"),
    Parameter("civilian_death_probability", ("casualties.civilian_death_probability",), 0.005, 0.5, log=True,
              note="each person of a civilian agent shot dies with it (1 to 100 of an agent's 200 people)"),
    Parameter("security_death_probability", ("casualties.security_death_probability",), 0.005, 0.5, log=True,
              note="each officer of a cop agent overrun dies with it"),
    Parameter("shutdown_anger", ("events.shutdown.anger",), 0.0, 0.02, note="grievance the blackout adds"),
    Parameter("provocateurs", ("events.provocateurs.people",), 200.0, 5000.0, log=True,
              note="provocateurs in Almaty, 5-7 Jan"),
]


def final_check(assignments: list[str] | list[list[str]], seeds: int, tag: str = "calibrated") -> dict:
    """The chosen point as ``qantar run kazakhstan-2022`` runs it: verdicts, each day's median
    national and regional peaks, and the figures (``figures/kazakhstan-2022-TAG-*.png``). A
    list of ``seeds`` assignment lists gives each run its own (a posterior's particles)."""
    scenario = load_scenario(SCENARIO, assignments if isinstance(assignments[0], str) else [])
    runs = run_ensemble(scenario if isinstance(assignments[0], str) else
                        [load_scenario(SCENARIO, a) for a in assignments], seeds, 0)
    measures = [measure_run(r) for r in runs]
    days = list(measures[0]["daily_peak"])
    regional = {name: np.median([list(daily_peak(r.people("active")[k], r.times).values()) for r in runs], axis=0)
                for k, name in enumerate(runs[0].regions)}
    national_figure(runs, OUT / "figures" / f"kazakhstan-2022-{tag}-national.png")
    regions_figure(runs, OUT / "figures" / f"kazakhstan-2022-{tag}-regions.png")
    return {"final_verdicts": [judge_target(t, measures) for t in scenario.targets],
            "final_daily": {d: float(np.median([m["daily_peak"][d] for m in measures])) for d in days},
            "final_daily_regions": {name: [float(v) for v in values] for name, values in regional.items()}}


def fmt(x: float) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def render(record: dict) -> str:
    """docs/validation/kazakhstan-2022-calibration.md from the saved record."""
    best = record["best"]
    lines = [
        "# kazakhstan-2022: calibration",
        "",
        f"Made by `{record['command']}` (qantar {record['qantar_version']}, commit {record['git_commit']}), "
        f"{record['points']} points in {record['seconds'] / 60:.1f} minutes on 2 cores; the design and every "
        "point's distances are in `kazakhstan-2022-calibration.parquet`, the best point in "
        "`kazakhstan-2022-calibration-best.json`. The built-in scenario carried the best point's values "
        "until the ABC-SMC calibration (`kazakhstan-2022-abc.md`) replaced it; this page stays for the record.",
        "",
        "## Procedure",
        "",
        "Refocused Latin hypercubes (`qantar.experiments.calibration.refocus`; the script is "
        "`validation/calibrate_kazakhstan.py`):",
        "",
        "1. The free parameters and their ranges are below, each with its reason. Two structural "
        "constraints are not fitted: the start is calm (the hardship ceiling is T / (1 - L), so the "
        "most aggrieved citizen stands exactly at the threshold before 1 January), and all regions "
        "share one L (what sets Mangystau apart is the LPG shock, as in the sources).",
        f"2. Wave 1 is a seeded Latin hypercube of {record['waves'][0]['points']} points over the ranges. "
        f"Every point runs {record['seeds']} runs, the same seeds at every point.",
        "3. Each target's distance is 0 inside its reported range; outside it, log2 of the factor "
        "for counts, days for dates (10 for never), and 2 x the share of runs where another region "
        "came first. A point's score is the root mean square of its distances, on its runs' median.",
        f"4. Each later wave is a Latin hypercube inside the box of the best {record['keep']:.0%} of all points so far "
        "(widened by 10% of its width), the simulator-only form of history matching's refocusing "
        "(Vernon, Goldstein & Bower 2010).",
        f"5. The best is partly luck when {record['seeds']} runs score a point, so the {record['top']} best points "
        f"run again with {record['top_seeds']} fresh seeds, and the best on those is the calibration.",
        f"6. It is rerun as the default ensemble ({record['final_seeds']} runs, "
        "`SeedSequence(0)`, as `qantar run kazakhstan-2022`) and judged as the report judges it.",
        "",
        "This finds a good point and shows how well the model can fit; it is not a posterior. "
        "`qantar calibrate` (ABC-SMC) now gives a posterior instead: `kazakhstan-2022-abc.md`.",
        "",
        "## Parameters",
        "",
        "| parameter | sets | range | best | why |",
        "|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        rng = ", ".join(map(str, p.choices)) if p.choices else f"{fmt(p.low)} to {fmt(p.high)}" + (
            " (log)" if p.log else "")
        sets = ", ".join(f"`{x}`" for x in p.paths[:2]) + (f" (+{len(p.paths) - 2})" if len(p.paths) > 2 else "")
        sets += "".join(f"; `{path}` from it" for path, _ in p.derived)
        lines.append(f"| {p.name} | {sets} | {rng} | {fmt(best['values'][p.name])} | {p.note} |")
    lines += ["", "## Waves", "", "| wave | points | best score | median score |", "|---|---|---|---|"]
    lines += [f"| {w['wave']} | {w['points']} | {w['best_score']:.3f} | {w['median_score']:.3f} |"
              for w in record["waves"]]
    lines += ["", f"The {record['top']} best points again with {record['top_seeds']} fresh seeds (design score, "
              "then the new one): " + ", ".join(f"{t['design_score']:.2f} -> {t['score']:.2f}"
                                                   for t in record["top_scores"]) + ".", "",
              f"The chosen point (wave {best['wave']}, score {best['score']:.3f} on "
              f"{record['top_seeds']} fresh runs), distance per target:", "",
              "| target | distance |", "|---|---|"]
    lines += [f"| {t} | {d:.2f} |" for t, d in best["distances"].items()]
    lines += ["", f"## The calibrated scenario, {record['final_seeds']} runs", "",
              *verdict_table(record["final_verdicts"])]
    missed = [v for v in record["final_verdicts"] if not v["met"]]
    lines += ["", "Targets missed: " + ("none." if not missed else ", ".join(
        f"{v['target']} (reported {v['reported']}, simulated {v['simulated']})" for v in missed) + "."), ""]
    days = list(record["final_daily"])
    lines += ["### Day by day", "",
              "The most participants during each day, median of the runs, nationally and by region:", "",
              "| day | national | " + " | ".join(record["final_daily_regions"]) + " |",
              "|---|---|" + "---|" * len(record["final_daily_regions"])]
    for i, d in enumerate(days[:12]):
        lines.append(f"| {d[5:]} | {record['final_daily'][d]:,.0f} | " + " | ".join(
            f"{v[i]:,.0f}" for v in record["final_daily_regions"].values()) + " |")
    lines += ["", "![national](figures/kazakhstan-2022-calibrated-national.png)", "",
              "![regions](figures/kazakhstan-2022-calibrated-regions.png)", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--waves", type=int, nargs="+", default=[400, 200, 200, 200])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--entropy", type=int, default=2022)
    ap.add_argument("--keep", type=float, default=0.05, help="share of points whose box the next wave fills")
    ap.add_argument("--top", type=int, default=20, help="best points run again with --top-seeds seeds")
    ap.add_argument("--top-seeds", type=int, default=10)
    ap.add_argument("--final-seeds", type=int, default=20)
    ap.add_argument("--report-only", action="store_true", help="rewrite the .md from the saved record")
    args = ap.parse_args()
    best_json = OUT / "kazakhstan-2022-calibration-best.json"
    if args.report_only:  # the final ensemble again (about 10 s), then the page
        record = json.loads(best_json.read_text())
        record.update(final_check(record["assignments"], record["final_seeds"]))
        best_json.write_text(json.dumps(record, indent=2, default=str) + "\n")
        (OUT / "kazakhstan-2022-calibration.md").write_text(render(record))
        return
    assert load_scenario(SCENARIO).model.threshold == THRESHOLD, "calm_ceiling assumes the file's T"
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("calibration runs", total=sum(args.waves) * args.seeds + args.top * args.top_seeds)
        points = refocus(SCENARIO, PARAMETERS, [], args.waves, args.seeds, args.entropy, keep=args.keep,
                         on_done=lambda done, total: progress.update(task, completed=done))
        if len(points) < sum(args.waves):
            raise SystemExit(f"interrupted after {len(points)} points; nothing written (the design is not saved "
                             "until it is complete)")
        design_runs = len(points) * args.seeds
        top = reevaluate(SCENARIO, PARAMETERS, [], sorted(points, key=lambda e: e.score)[:args.top],
                         args.top_seeds, args.entropy,
                         on_done=lambda done: progress.update(task, completed=design_runs + done))
    names = [p.name for p in PARAMETERS]
    targets = list(points[0].distances)
    table = pa.table({"wave": [e.wave for e in points], "score": [e.score for e in points],
                      **{n: [e.values[n] for e in points] for n in names},
                      **{f"d_{t}": [e.distances[t] for e in points] for t in targets}})
    pq.write_table(table, OUT / "kazakhstan-2022-calibration.parquet")
    if top is None:
        raise SystemExit("interrupted while rerunning the best points; nothing written")
    best = top[0]
    assignments = [a for p in PARAMETERS for a in p.assignments(best.values[p.name])]
    final = final_check(assignments, args.final_seeds)
    record = {"command": "python validation/calibrate_kazakhstan.py " + " ".join(
        [f"--waves {' '.join(map(str, args.waves))}", f"--seeds {args.seeds}", f"--entropy {args.entropy}"]),
        "seconds": round(time.perf_counter() - started, 1), "points": len(points), "seeds": args.seeds,
        "final_seeds": args.final_seeds, "qantar_version": __version__, "git_commit": git_commit(),
        "keep": args.keep, "top": args.top, "top_seeds": args.top_seeds,
        "best": {"wave": best.wave, "score": best.score, "values": best.values, "distances": best.distances},
        "top_scores": [{"wave": e.wave, "score": e.score, "design_score": next(
            d.score for d in points if d.values == e.values)} for e in top],
        "assignments": assignments, **final,
        "waves": [{"wave": w, "points": sum(e.wave == w for e in points),
                   "best_score": min(e.score for e in points if e.wave == w),
                   "median_score": sorted(e.score for e in points if e.wave == w)[
                       sum(e.wave == w for e in points) // 2]} for w in sorted({e.wave for e in points})]}
    best_json.write_text(json.dumps(record, indent=2, default=str) + "\n")
    (OUT / "kazakhstan-2022-calibration.md").write_text(render(record))
    print(render(record))


if __name__ == "__main__":
    main()
