"""Kazakhstan at 1:1 (one agent per person): wall time and memory of one scenario run.

Issue 15 asks for the whole country at 1:1, its first simulated day in under 60 s on this
2-core machine and under 6 GB, build included. The built-in ``kazakhstan-2022`` is the
whole country since 2026-12-02 (26 regions, 19,186,015 people: every first-level unit,
``scenario.units``); this sets one person an agent and runs the scenario once up to
``--until`` (``scenario.load.cut_at``) with the regions on ``--threads`` threads, and prints
the agents, the build and run times, the agent-steps per second, and the peak resident
memory, per agent.

Usage::

    python bench/kazakhstan_1to1.py [--until 2022-01-02] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from qantar.experiments.runner import available_cores
from qantar.experiments.scenario_run import build_regions, run_scenario
from qantar.scenario.load import cut_at, load_scenario
from qantar.scenario.schema import Scenario


def one_to_one(until: str) -> Scenario:
    """The built-in at one person an agent (each killing one death), cut at ``until``."""
    raw = load_scenario("kazakhstan-2022").model_dump(mode="json")
    raw |= {"scale": 1.0, "casualties": {}}  # one agent, one person: each killing is one death
    return cut_at(Scenario.model_validate(raw), until)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", default="2022-01-02")
    parser.add_argument("--threads", type=int, default=available_cores())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    s = one_to_one(args.until)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    regions = build_regions(s, args.seed, args.threads)
    built = time.perf_counter() - t0
    agents = sum(len(r.world.agents.kind) for r in regions)
    cells = sum(r.world.params.cells for r in regions)
    del regions
    t0 = time.perf_counter()
    run = run_scenario(s, args.seed, threads=args.threads)
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "regions": len(s.regions), "people": sum(r.population for r in s.regions), "agents": agents,
        "cells": cells, "steps": s.steps, "until": args.until, "threads": args.threads,
        "build_seconds": round(built, 1), "run_seconds_incl_build": round(total, 1),
        "agent_steps_per_second_M": round(agents * s.steps / (total - built) / 1e6, 2),
        "peak_rss_MB": round(peak_mb), "peak_rss_above_imports_bytes_per_agent":
            round((peak_mb - baseline_mb) * 2**20 / agents, 1),
        "peak_participants": int(run.people("active").sum(axis=0).max()),
    }, indent=1))


if __name__ == "__main__":
    main()
