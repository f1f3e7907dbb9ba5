"""Mesa side of the same-start check: many runs of Mesa's example from ONE initial state.

``mesa_equivalence.py`` compares whole runs, whose spread comes mostly from the
random initial state (where the cops happen to stand), so it sees only large
rule differences.  This check removes that spread: it builds Mesa's example
(app settings, 40x40) once with ``--build-seed``, records every agent's cell,
hardship and risk aversion, and then runs ``--reps`` times ``--steps`` steps
from that same state, re-seeding the model's ``random.Random`` with
1_000_000 + rep after construction (so only the turn order, moves, arrests and
jail terms vary).  ``validation/same_start.py`` then runs qantar's ``mesa``
rule set from the same agents and compares the per-step counts.

Must run under the Mesa venv (``bench/setup_mesa.sh``); never imports qantar.

Usage::

    .venv-mesa/bin/python validation/same_start_mesa.py --build-seed 0 --reps 300 --steps 10
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import mesa_peer  # noqa: E402  (lives in bench/, found via the path above)

WIDTH = HEIGHT = 40
REP_SEED_BASE = 1_000_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-seed", type=int, default=0)
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or ROOT / "validation" / "results" / f"same-start-mesa-seed{args.build_seed}.json"

    model = mesa_peer.build_model(WIDTH, HEIGHT, args.build_seed)
    agents = []
    for agent in model.agents:
        x, y = agent.cell.coordinate
        if isinstance(agent, mesa_peer.Cop):
            agents.append({"kind": "cop", "x": x, "y": y})
        else:
            agents.append(
                {"kind": "citizen", "x": x, "y": y, "hardship": agent.hardship, "risk_aversion": agent.risk_aversion}
            )

    series = []
    for rep in range(args.reps):
        model = mesa_peer.build_model(WIDTH, HEIGHT, args.build_seed)
        model.random.seed(REP_SEED_BASE + rep)  # the grid and agent sets share this generator
        for _ in range(args.steps):
            model.step()
        series.append(mesa_peer.series(model))  # row 0: initial state
        print(f"rep {rep}: {series[-1][-1]}", file=sys.stderr)

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "description": "Mesa's example from one initial state, re-seeded per rep; "
                "series rows are [quiet, active, jailed], row 0 the initial state.",
                "mesa_version": mesa_peer.mesa.__version__,
                "python_version": platform.python_version(),
                "width": WIDTH,
                "height": HEIGHT,
                "params": mesa_peer.APP_SETTINGS,
                "build_seed": args.build_seed,
                "rep_seeds": f"model.random.seed({REP_SEED_BASE} + rep) after construction",
                "steps": args.steps,
                "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "agents": agents,
                "series": series,
            }
        )
        + "\n"
    )
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
