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

    python validation/calibrate_kazakhstan.py [--waves 192 96 96] [--seeds 2] [--entropy 2022]

About 25 minutes on 2 cores with the defaults.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import Progress

from qantar.analysis.scenario_measures import judge_target, measure_run
from qantar.experiments.calibration import Parameter, refocus
from qantar.experiments.scenario_run import run_ensemble
from qantar.scenario.load import load_scenario

SCENARIO = "kazakhstan-2022"
OUT = Path(__file__).resolve().parent.parent / "docs" / "validation"
EMERGENCIES = ("emergency-mangystau-almaty", "emergency-almaty-region", "emergency-nur-sultan",
               "emergency-other-regions")

PARAMETERS = [
    Parameter("legitimacy", ("model.legitimacy",), 0.70, 0.92,
              note="L outside Mangystau; above 0.9 nobody can be active without news (G <= 1 - L <= T)"),
    Parameter("mangystau_legitimacy", ("regions.Zhanaozen.legitimacy", "regions.Aktau.legitimacy"), 0.60, 0.90,
              note="L in Zhanaozen and Aktau (the 2011 shootings are remembered there)"),
    Parameter("hardship_tail", ("model.hardship.b",), 4.0, 25.0, log=True,
              note="beta(1, b) hardship: the larger b, the thinner the tail of the most aggrieved"),
    Parameter("lpg_mangystau", ("events.lpg-price.by_region.Zhanaozen", "events.lpg-price.by_region.Aktau"),
              0.05, 0.5, note="hardship added where cars run on LPG"),
    Parameter("lpg_elsewhere", ("events.lpg-price.add",), 0.0, 0.1, note="hardship added elsewhere"),
    Parameter("mangystau_cap", ("events.mangystau-cap.add",), -0.3, 0.0,
              note="the 50-tenge cap of 4 Jan (below the 60 before the shock)"),
    Parameter("national_caps", ("events.national-caps.add",), -0.1, 0.0, note="caps and tariff freezes of 6 Jan"),
    Parameter("government_resigns", ("events.government-resigns.add",), 0.0, 0.05, note="L regained on 5 Jan"),
    Parameter("news_gain", ("news.gain",), 0.02, 2.0, log=True, note="grievance per unit of news"),
    Parameter("news_half_life", ("news.half_life_hours",), 1.0, 72.0, log=True, note="how slowly news spreads"),
    Parameter("news_national", ("news.national",), 0.0, 1.0, note="weight of the national share in the news"),
    Parameter("arrest_factor", tuple(f"events.{e}.arrest_factor" for e in EMERGENCIES), 1.0, 4.0,
              note="k multiplied under the state of emergency"),
    Parameter("lethal_probability", ("events.lethal-force.probability",), 0.01, 0.5, log=True,
              note="an enforcement kills instead of arresting, from 7 Jan"),
    Parameter("clash_probability", ("clashes.probability",), 0.001, 0.05, log=True,
              note="an outnumbered cop is overrun, per turn"),
    Parameter("defection_probability", ("defection.probability",), 0.001, 0.1, log=True,
              note="police in Aktobe and Aktau who refuse, per turn"),
    Parameter("backlash", ("backlash.per_share",), 0.0, 50.0, note="grievance per share of citizens killed"),
    Parameter("civilians_per_killing", ("casualties.civilians_per_killing",), 1.0, 50.0, log=True,
              note="people dead per civilian agent shot (an agent is 200 people)"),
    Parameter("security_per_killing", ("casualties.security_per_killing",), 1.0, 50.0, log=True,
              note="officers dead per cop agent overrun"),
    Parameter("shutdown_anger", ("events.shutdown.anger",), 0.0, 0.02, note="grievance the blackout adds"),
    Parameter("provocateurs", ("events.provocateurs.people",), 200.0, 5000.0, log=True,
              note="provocateurs in Almaty, 5-7 Jan"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--waves", type=int, nargs="+", default=[192, 96, 96])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--entropy", type=int, default=2022)
    ap.add_argument("--final-seeds", type=int, default=20)
    args = ap.parse_args()
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("calibration runs", total=sum(args.waves) * args.seeds)
        points = refocus(SCENARIO, PARAMETERS, [], args.waves, args.seeds, args.entropy,
                         on_done=lambda done, total: progress.update(task, completed=done))
    names = [p.name for p in PARAMETERS]
    targets = list(points[0].distances)
    table = pa.table({"wave": [e.wave for e in points], "score": [e.score for e in points],
                      **{n: [e.values[n] for e in points] for n in names},
                      **{f"d_{t}": [e.distances[t] for e in points] for t in targets}})
    pq.write_table(table, OUT / "kazakhstan-2022-calibration.parquet")
    best = min(points, key=lambda e: e.score)
    assignments = [a for p in PARAMETERS for a in p.assignments(best.values[p.name])]
    scenario = load_scenario(SCENARIO, assignments)
    runs = run_ensemble(scenario, args.final_seeds, 0)
    verdicts = [judge_target(t, [measure_run(r) for r in runs]) for t in scenario.targets]
    record = {"command": "python validation/calibrate_kazakhstan.py " + " ".join(
        [f"--waves {' '.join(map(str, args.waves))}", f"--seeds {args.seeds}", f"--entropy {args.entropy}"]),
        "seconds": round(time.perf_counter() - started, 1), "points": len(points),
        "best": {"wave": best.wave, "score": best.score, "values": best.values, "distances": best.distances},
        "assignments": assignments, "final_verdicts": verdicts,
        "waves": [{"wave": w, "points": sum(e.wave == w for e in points),
                   "best_score": min(e.score for e in points if e.wave == w),
                   "median_score": sorted(e.score for e in points if e.wave == w)[
                       sum(e.wave == w for e in points) // 2]} for w in sorted({e.wave for e in points})]}
    (OUT / "kazakhstan-2022-calibration-best.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(json.dumps(record, indent=2, default=str))


if __name__ == "__main__":
    main()
