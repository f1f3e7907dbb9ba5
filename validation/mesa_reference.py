"""Reference series from Mesa's Epstein example, for qantar's equivalence test.

Runs Mesa's example with its app settings on a 40x40 torus for 200 steps,
once per seed 0..N-1, and writes the per-step citizen counts to
``validation/data/mesa-<version>_app_40x40_200steps.csv`` (columns
``seed,step,quiet,active,jailed``; step 0 is the state right after
construction) plus a ``.json`` sidecar recording provenance.  The CSV stays
plain so any tool can read it.

The run itself is ``bench/mesa_peer.run`` (imported, not copied), so the
benchmark and the reference data come from one and the same Mesa setup.
Must run under the Mesa venv; never imports qantar.

Usage::

    .venv-mesa/bin/python validation/mesa_reference.py [--seeds 50]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import mesa_peer  # noqa: E402  (lives in bench/, found via the path above)

WIDTH = HEIGHT = 40
STEPS = 200


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="run seeds 0..N-1")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "validation" / "data")
    args = parser.parse_args(argv)

    stem = f"mesa-{mesa_peer.mesa.__version__}_app_{WIDTH}x{HEIGHT}_{STEPS}steps"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.out_dir / f"{stem}.csv"
    started = time.perf_counter()
    last = {}
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["seed", "step", *mesa_peer.COUNTS])
        for seed in range(args.seeds):
            last = mesa_peer.run(WIDTH, HEIGHT, STEPS, seed)
            for step, counts in enumerate(last["series"]):
                writer.writerow([seed, step, *counts])
            print(f"seed {seed}: final {last['series'][-1]}", file=sys.stderr)

    provenance = {
        "description": "Mesa's Epstein civil violence example with the app "
        "settings; per-step counts of quiet/active/jailed (state ARRESTED) "
        "citizens; step 0 is the state after construction.",
        "model": "mesa.examples.advanced.epstein_civil_violence (unmodified "
        "agents and model; DataCollector reduced to the three counts)",
        "mesa_version": last.get("mesa_version"),
        "python_version": last.get("python_version"),
        "width": WIDTH,
        "height": HEIGHT,
        "steps": STEPS,
        "seeds": list(range(args.seeds)),
        "seeding": "EpsteinScenario(rng=seed): seeds the model's random.Random",
        "params": last.get("params", mesa_peer.APP_SETTINGS),
        "citizen_vision_effective": last.get("citizen_vision_effective"),
        "csv": csv_path.name,
        "columns": ["seed", "step", *mesa_peer.COUNTS],
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    json_path = csv_path.with_suffix(".json")
    json_path.write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"wrote {csv_path} and {json_path.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
