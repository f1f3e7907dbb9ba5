"""Almaty alone at 1:1 (one agent per person): time and peak memory of one scenario run.

Issue 4 asks that a 1:1 run of Almaty (2.03 million people) be possible and measured. This
takes the built-in ``kazakhstan-2022`` scenario, keeps the Almaty region and the events that
touch it, sets the scale to 1 person per agent, and runs it once. It prints the grid, the
agents, the build and run times, the agent-steps per second and the peak resident memory.

Usage::

    python bench/almaty_1to1.py [--days 19] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time

from qantar.experiments.scenario_run import build_regions, run_scenario
from qantar.scenario.load import load_scenario
from qantar.scenario.schema import Scenario


def almaty_only(days: int) -> Scenario:
    """The built-in scenario cut to Almaty, 1 person per agent, ``days`` long: the events
    that touch Almaty and start inside the shortened run (those lasting past it last to its
    end), and the national targets other than the first region."""
    full = load_scenario("kazakhstan-2022")
    end = full.start + dt.timedelta(days=days)
    raw = full.model_dump(mode="json")
    events = []
    for e, data in zip(full.events, raw["events"]):
        if "Almaty" not in e.region_names(full.region_names) or e.at >= end:
            continue
        if data.get("regions") not in (None, "all") and e.type != "foreign-troops":
            data["regions"] = ["Almaty"]
        data.pop("by_region", None)
        if data.get("until") and getattr(e, "until") >= end:
            data["until"] = None
        events.append(data)
    raw |= {"regions": [r for r in raw["regions"] if r["name"] == "Almaty"], "links": [], "events": events,
            "targets": [t for t in raw["targets"] if t["metric"] != "first_region"], "scale": 1.0, "days": days}
    raw["defection"]["regions"] = "all"
    raw["casualties"] = {}  # one agent, one person: each killing is one death
    return Scenario.model_validate(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=19)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    s = almaty_only(args.days)
    t0 = time.perf_counter()
    regions = build_regions(s, args.seed)
    built = time.perf_counter() - t0
    w = regions[0].world
    agents, cells = len(w.agents.kind), w.params.cells
    del regions
    t0 = time.perf_counter()
    run = run_scenario(s, args.seed)
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "grid": f"{w.params.width}x{w.params.height}", "cells": cells, "agents": agents, "steps": s.steps,
        "build_seconds": round(built, 2), "run_seconds_incl_build": round(total, 1),
        "agent_steps_per_second_M": round(agents * s.steps / total / 1e6, 2), "peak_rss_MB": round(peak_mb),
        "bytes_per_cell_peak_rss": round(peak_mb * 2**20 / cells, 1),
        "peak_participants": int(run.people("active").sum(axis=0).max()),
    }, indent=1))


if __name__ == "__main__":
    main()
