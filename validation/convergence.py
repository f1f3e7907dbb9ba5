"""The convergence study of issue 12.2: does kazakhstan-2022's answer in people depend on the
people per agent? The built-in scenario runs at several scales (people per agent), down to
1:1, with the same seeds (``SeedSequence(entropy).spawn(n)``, run k the k-th child at every
scale); each target's ensemble value (``scenario_measures.central``, the report's judge) is
compared with the finest scale's by ``qantar.analysis.convergence.agrees`` (numbers within
10%, days within a day, the same regions).

Each run's measures are kept as soon as it ends (``validation/results/convergence/``, one
JSON a run, with the scenario's fingerprint beside them: a folder of another version of the
scenario is refused); the same command resumes where it stopped, and a Ctrl-C keeps what
finished. The fingerprint is the scenario's, not the code's: after a change to how runs or
measures are made (as the toll's streams on 2026-12-07), delete the folder and run again.
``--stage report`` writes ``docs/validation/convergence.md`` and its figure from what is
kept, without running anything.

Usage::

    python validation/convergence.py [--scales 400 200 100 50 20 10 5 2 1] [--seeds 10]
        [--fine-seeds 5] [--fine-below 10] [--threads 1] [--entropy 0] [--stage run|report|all]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from qantar import __version__
from qantar.analysis.convergence import RELATIVE, agrees, coarsest_agreeing, gap_interval, relative_gap
from qantar.analysis.scenario_measures import central, measure_run, shown, target_values
from qantar.engine.seeds import children
from qantar.scenario.build import agents_for
from qantar.scenario.load import load_scenario
from qantar.storage.series import git_commit

SCENARIO = "kazakhstan-2022"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "validation" / "results" / "convergence"
PAGE = ROOT / "docs" / "validation" / "convergence.md"
FIGURE = ROOT / "docs" / "validation" / "figures" / "convergence.png"


def scale_folder(scale: float) -> Path:
    return RESULTS / f"scale-{scale:g}"


def use_folders(results: Path, page: Path) -> None:
    """Keep the runs in ``results`` and write ``page`` (and its figure beside it)."""
    global RESULTS, PAGE, FIGURE
    RESULTS, PAGE, FIGURE = results, page, page.parent / "figures" / FIGURE.name


def fingerprint() -> str:
    """What the kept runs were made of: the built-in's hash at scale 1 (the scale aside, the
    same scenario at every scale), so that runs of a scenario that changed since are never
    mixed with new ones."""
    from qantar.experiments.abc_smc import scenario_fingerprint

    return scenario_fingerprint(SCENARIO, ["scale=1"])


def check_kept_scenario(write: bool) -> None:
    """Refuse a results folder of another scenario (or of one from before fingerprints);
    with ``write``, claim an empty one for this scenario."""
    mark = RESULTS / "scenario-fingerprint.txt"
    now = fingerprint()
    if mark.exists():
        if mark.read_text().strip() != now:
            raise SystemExit(f"{RESULTS} holds runs of another version of {SCENARIO} (fingerprint "
                             f"{mark.read_text().strip()}, now {now}); move it away or give --results DIR")
    elif any(RESULTS.glob("scale-*/run-*.json")):
        raise SystemExit(f"{RESULTS} holds runs without a scenario fingerprint (made before 2026-12-02); move it "
                         "away or give --results DIR")
    elif write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        mark.write_text(now + "\n")


def seeds_at(scale: float, args) -> int:
    return args.fine_seeds if scale < args.fine_below else args.seeds


def run_scales(args) -> None:
    """Run every scale's missing runs, coarse to fine, keeping each run as it ends."""
    from qantar.experiments.scenario_run import run_scenario

    check_kept_scenario(write=True)
    todo = []
    for scale in sorted(args.scales, reverse=True):
        scenario = load_scenario(SCENARIO, [f"scale={scale:g}"])
        seeds = children(args.entropy, seeds_at(scale, args))
        agents = sum(agents_for(r.population, scale) for r in scenario.regions)  # citizens
        todo += [(scale, scenario, k, s, agents) for k, s in enumerate(seeds)
                 if not (scale_folder(scale) / f"run-{k:03d}.json").exists()]
    if not todo:
        print("every run is kept already; writing the page")
        return
    commit = git_commit()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("agent-runs"),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn()]
    with Progress(*columns) as progress:
        # weighted by agents: a run at 1:1 is worth hundreds of coarse ones
        task = progress.add_task("convergence", total=sum(t[4] for t in todo))
        for scale, scenario, k, seed, agents in todo:
            progress.update(task, description=f"scale {scale:g}, run {k}")
            started = time.perf_counter()
            run = run_scenario(scenario, seed, threads=args.threads)
            run.index = k
            record = {"scale": scale, "run": k, "entropy": args.entropy, "agents": agents, "commit": commit,
                      "qantar_version": __version__, "threads": args.threads,
                      "seconds": round(time.perf_counter() - started, 2),
                      "national_active": run.people("active").sum(axis=0).tolist(),
                      "times": [t.isoformat() for t in run.times], "measures": measure_run(run)}
            folder = scale_folder(scale)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".run-{k:03d}.json.tmp"
            tmp.write_text(json.dumps(record))
            tmp.replace(folder / f"run-{k:03d}.json")
            progress.advance(task, agents)


def load_kept() -> dict[float, list[dict]]:
    kept: dict[float, list[dict]] = {}
    for folder in sorted(RESULTS.glob("scale-*")):
        runs = [json.loads(p.read_text()) for p in sorted(folder.glob("run-*.json"))]
        if runs:
            kept[float(folder.name.removeprefix("scale-"))] = runs
    return kept


def figure(kept: dict[float, list[dict]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import datetime as dt

    fig, ax = plt.subplots(figsize=(10.5, 4.2))
    cmap = plt.get_cmap("viridis")
    scales = sorted(kept, reverse=True)
    for i, scale in enumerate(scales):
        runs = kept[scale]
        times = [dt.datetime.fromisoformat(t) for t in runs[0]["times"]]
        series = np.array([r["national_active"] for r in runs])
        ax.plot(times, np.median(series, axis=0), color=cmap(i / max(1, len(scales) - 1)), lw=1.6,
                label=f"{scale:g} people an agent ({len(runs)} runs)")
    ax.set_ylabel("participants, national (median of runs)")
    ax.set_title("kazakhstan-2022 at several scales")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=110)
    plt.close(fig)


def write_page(args) -> None:
    check_kept_scenario(write=False)
    kept = load_kept()
    if not kept:
        raise SystemExit("nothing kept yet: run the study first (--stage run)")
    scenario = load_scenario(SCENARIO)
    scales = sorted(kept, reverse=True)
    finest = min(scales)
    values = {s: {t.name: central(t, target_values(t, [r["measures"] for r in kept[s]])) for t in scenario.targets}
              for s in scales}
    agreement = {s: [agrees(t.metric, values[s][t.name], values[finest][t.name]) for t in scenario.targets]
                 for s in scales}
    chosen = coarsest_agreeing(scales, agreement)

    def noise(s, t) -> tuple[float, float] | None:
        """The bootstrap interval of a number's gap to the finest (None: not a number)."""
        if s == finest or isinstance(values[finest][t.name], (str, list)) or values[finest][t.name] is None:
            return None
        here = [v for v in target_values(t, [r["measures"] for r in kept[s]]) if v is not None]
        there = [v for v in target_values(t, [r["measures"] for r in kept[finest]]) if v is not None]
        return gap_interval(t.metric, here, there) if here and there else None

    def within_noise(s, t) -> bool:
        gap = noise(s, t)
        return gap is not None and gap[0] <= 0 <= gap[1]
    figure(kept)
    header = "| measure | " + " | ".join(f"{s:g}" for s in scales) + " |"
    rule = "|---|" + "---:|" * len(scales)
    rows = []
    for t in scenario.targets:
        cells = []
        for s in scales:
            v = values[s][t.name]
            gap = "" if s == finest else f" ({relative_gap(t.metric, v, values[finest][t.name])})"
            mark = "" if s == finest or agrees(t.metric, v, values[finest][t.name]) else \
                (" **x~**" if within_noise(s, t) else " **x**")
            cells.append(f"{shown(t, v)}{gap}{mark}")
        rows.append(f"| {t.name} | " + " | ".join(cells) + " |")
    timing = "| people per agent | " + " | ".join(f"{s:g}" for s in scales) + " |\n" + rule + "\n" + \
        "| agents | " + " | ".join(f"{kept[s][0]['agents']:,}" for s in scales) + " |\n" + \
        "| runs | " + " | ".join(str(len(kept[s])) for s in scales) + " |\n" + \
        "| threads a run | " + " | ".join(", ".join(str(t) for t in sorted({r.get("threads", 1) for r in kept[s]}))
                                          for s in scales) + " |\n" + \
        "| seconds a run (median) | " + " | ".join(f"{np.median([r['seconds'] for r in kept[s]]):.1f}"
                                                   for s in scales) + " |"
    names = [t.name for t in scenario.targets]
    missing = {s: [n for n, ok in zip(names, agreement[s]) if not ok] for s in scales if s != finest}
    commits = ", ".join(sorted({r.get("commit") or "?" for runs in kept.values() for r in runs}))
    kept_in = RESULTS.relative_to(ROOT) if RESULTS.is_relative_to(ROOT) else RESULTS
    lines = [
        "# kazakhstan-2022: convergence over people per agent",
        "",
        f"Made by `python validation/convergence.py {' '.join(args.command)}` (qantar {__version__}, runs made at "
        f"commit {commits}, page at {git_commit()}, Python {platform.python_version()}), from the runs kept in "
        f"`{kept_in}/` (one JSON a run: its measures and national participants).",
        "",
        "The built-in scenario as shipped, at each scale (people per agent) with the same seeds "
        f"(`SeedSequence({kept[finest][0]['entropy']}).spawn(n)`). Each cell is the ensemble's value of a target "
        "(`scenario_measures.central`: the median; the lower median day; the region most often named), then in "
        f"brackets its gap to the finest scale ({finest:g}); **x** marks a gap beyond the study's bar: "
        f"{RELATIVE:.0%} for numbers (relative to the finest's value, or one person / 1% where that is smaller), "
        "one day for dates, the same region (`qantar.analysis.convergence`); **x~** marks such a gap of a "
        "number whose bootstrap 90% interval (the runs of both scales resampled, `gap_interval`) holds 0: the "
        "runs cannot tell it from noise, so more runs, not a finer scale, would settle it.",
        "",
        "## The verdict",
        "",
        (f"The coarsest scale at which every measure agrees with the finest, and at every finer scale too, is "
         f"**{chosen:g} people an agent**." if chosen is not None and chosen != finest else
         "**No scale coarser than the finest agrees with it on every measure.**"),
        "",
    ]
    for s in scales:
        if s != finest:
            noisy = [n for n in missing[s] if within_noise(s, next(t for t in scenario.targets if t.name == n))]
            lines.append(f"- {s:g}: " + ("agrees on every measure" if not missing[s] else
                                         f"{len(missing[s])} disagree: " + ", ".join(missing[s])
                                         + (f"; of them {len(noisy)} within the runs' noise ({', '.join(noisy)})"
                                            if noisy else "")))
    lines += ["", "With few runs at the finest scales, a median carries the ensemble's own noise: where runs split "
              "between outcomes (a country that calms and one that does not), the medians of 5 runs and of 20 can "
              "differ by more than the bar without any effect of the scale. The runs column says how many stand "
              "behind each.", "", "## Every measure", "", header, rule, *rows, "", "## The runs", "", timing, "",
              f"![national participants at each scale](figures/{FIGURE.name})", ""]
    PAGE.write_text("\n".join(lines))
    print(f"wrote {PAGE} and {FIGURE}; coarsest agreeing scale: {chosen}")


def main() -> None:
    import sys

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[400, 200, 100, 50, 20, 10, 5, 2, 1])
    ap.add_argument("--seeds", type=int, default=10, help="runs at each scale of --fine-below people or more")
    ap.add_argument("--fine-seeds", type=int, default=5, help="runs at the scales under --fine-below")
    ap.add_argument("--fine-below", type=float, default=10)
    ap.add_argument("--threads", type=int, default=1, help="threads a run (regions stepped at once)")
    ap.add_argument("--entropy", type=int, default=0)
    ap.add_argument("--stage", choices=["run", "report", "all"], default="all")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where the runs are kept")
    ap.add_argument("--page", type=Path, default=PAGE, help="the page written")
    args = ap.parse_args()
    args.command = sys.argv[1:]
    use_folders(args.results.resolve(), args.page.resolve())
    if args.stage in ("run", "all"):
        try:
            run_scales(args)
        except KeyboardInterrupt:
            print("interrupted: the runs that finished are kept; the same command goes on from there")
            raise SystemExit(130) from None
    if args.stage in ("report", "all"):
        write_page(args)


if __name__ == "__main__":
    main()
