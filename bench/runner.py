"""The runner's cost and scaling (issue 5): per-run overhead through each executor, and an
ensemble of real runs on 1 and 2 workers, locally and on a Dask LocalCluster.

- Overhead: ``--trivial`` tasks that return at once, through ``run_tasks`` in this process,
  on a started local pool (2 spawned processes) and on a started Dask cluster (2 worker
  processes), per run; and the seconds to start each (a sweep pays that once).
- Scaling: ``--runs`` Model I runs (``--size`` square, ``--steps`` steps, netlogo) on a
  started pool or cluster of 1 and of 2 workers; speed-up = time on 1 / time on 2. Rounds
  alternate the four.

Usage::

    python bench/runner.py [--trivial 200] [--runs 16] [--size 200] [--steps 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np


def nothing(k: int) -> int:
    return k


def model_run(size: int, steps: int, seed: int) -> int:
    from qantar import World, rule_set
    from qantar.rules import make_params

    world = World.build(make_params(width=size, height=size), rule_set("netlogo"), seed=seed)
    return int(world.run(steps)[:, 1].max())


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    from distributed import Client, LocalCluster

    from qantar.experiments.runner import local_pool, run_tasks

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trivial", type=int, default=200)
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    trivial = [(k,) for k in range(args.trivial)]
    real = [(args.size, args.steps, k) for k in range(args.runs)]
    model_run(20, 2, 0)  # compile here first
    out: dict = {"args": vars(args), "overhead_ms_per_run": {}, "ensemble_seconds": {}}

    def per_run(seconds: float) -> float:
        return round(1000 * seconds / args.trivial, 3)

    over = {"in process": [], "local pool, started": [], "dask, started": []}
    start = {"local pool of 2": [], "dask cluster of 2": []}
    ens = {"local 1": [], "local 2": [], "dask 1": [], "dask 2": []}
    for _ in range(args.rounds):
        over["in process"].append(per_run(timed(lambda: run_tasks(nothing, trivial, workers=1))))
        for w in (1, 2):
            t0 = time.perf_counter()
            with local_pool(w) as pool:
                run_tasks(model_run, [(20, 2, 0)] * w, executor=pool)  # workers up and compiled
                if w == 2:
                    start["local pool of 2"].append(round(time.perf_counter() - t0, 2))
                    over["local pool, started"].append(per_run(timed(lambda: run_tasks(nothing, trivial,
                                                                                       executor=pool))))
                ens[f"local {w}"].append(timed(lambda: run_tasks(model_run, real, executor=pool)))
            t0 = time.perf_counter()
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                    Client(c) as client:
                ex = client.get_executor()
                run_tasks(model_run, [(20, 2, 0)] * w, executor=ex)  # workers up and compiled
                if w == 2:
                    start["dask cluster of 2"].append(round(time.perf_counter() - t0, 2))
                    over["dask, started"].append(per_run(timed(lambda: run_tasks(nothing, trivial, executor=ex))))
                ens[f"dask {w}"].append(timed(lambda: run_tasks(model_run, real, executor=ex)))
    out["start_seconds"] = {k: statistics.median(v) for k, v in start.items()}
    out["overhead_ms_per_run"] = {k: round(statistics.median(v), 3) for k, v in over.items()}
    out["ensemble_seconds"] = {k: round(statistics.median(v), 2) for k, v in ens.items()}
    out["speedup_1_to_2"] = {kind: round(out["ensemble_seconds"][f"{kind} 1"] / out["ensemble_seconds"][f"{kind} 2"], 2)
                             for kind in ("local", "dask")}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
