"""Calibrate the built-in kazakhstan-2022 scenario by ABC-SMC (``qantar calibrate``'s method,
``qantar.experiments.abc_smc``) over the 23 parameters of ``calibrate_kazakhstan.PARAMETERS``,
with the same ranges, reasons and calm-start constraint.

Stages:

1. **Calibrate** into ``docs/validation/kazakhstan-2022-abc/`` (resumable: the same
   command continues it; pyabc's ``abc.db`` stays out of git, see its ``.gitignore``).
2. **Choose the built-in point.** The ``--top`` particles of the last generation with the
   smallest distance run again with ``--top-seeds`` fresh seeds; the best on those is the
   point the built-in TOML carries (a particle of the posterior, not a mean of marginals,
   which need not be a good parameter set as a whole). Then that point runs as the default
   ensemble, and the posterior itself runs as ``qantar run kazakhstan-2022 --posterior``
   would (a particle a run).
3. **Write** ``kazakhstan-2022-abc-best.json`` and ``kazakhstan-2022-abc.md``.

Usage::

    python validation/calibrate_kazakhstan_abc.py [--population 200] [--generations 10]
        [--max-runs 12000] [--entropy 2022] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cloudpickle
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibrate_kazakhstan as lhs  # noqa: E402  (PARAMETERS, final_check, OUT, SCENARIO)

cloudpickle.register_pickle_by_value(lhs)  # the workers need calm_ceiling, not this folder on their path

FOLDER = lhs.OUT / "kazakhstan-2022-abc"
BEST = lhs.OUT / "kazakhstan-2022-abc-best.json"


def run_calibration(args) -> None:
    from qantar.experiments.abc_smc import calibrate

    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("calibrating", total=args.population)

        def on_progress(t, accepted, evaluated, n):
            progress.update(task, description=f"generation {t} ({evaluated} runs)", completed=accepted, total=n)

        result = calibrate(lhs.SCENARIO, lhs.PARAMETERS, args.out, population=args.population,
                           generations=args.generations, max_simulations=args.max_runs, entropy=args.entropy,
                           on_progress=on_progress)
    print(f"{len(result.generations)} generations, {time.perf_counter() - started:.0f} s"
          + (" (interrupted)" if result.interrupted else ""))
    if result.interrupted:
        raise SystemExit(130)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--population", type=int, default=200)
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--max-runs", type=int, default=12000)
    ap.add_argument("--entropy", type=int, default=2022)
    ap.add_argument("--out", type=Path, default=FOLDER, help="the calibration's folder")
    ap.add_argument("--stage", choices=["calibrate", "choose", "all"], default="all")
    args = ap.parse_args()
    if args.stage in ("calibrate", "all"):
        run_calibration(args)


if __name__ == "__main__":
    main()
