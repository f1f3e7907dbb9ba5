"""qantar side of the same-start check: qantar's ``mesa`` rule set from Mesa's initial state.

Reads a file written by ``validation/same_start_mesa.py`` (Mesa's agents and
many Mesa runs from that one state), puts the same citizens and cops on the
same cells with the same hardship and risk aversion into a qantar world, runs
it ``--reps`` times (default 3000, far more than Mesa's runs, so that qantar's
own sampling error is small; seeds ``SeedSequence(--entropy).spawn(reps)``) and
compares, step by step, the distributions of actives and jailed: means, s.d.,
z of the difference of means and the two-sample KS p-value.  With the initial
state fixed, run-to-run spread is small in the first steps, so this sees far
smaller rule differences than the whole-run comparison of
``mesa_equivalence.py``.

Mesa's cell (x, y) becomes qantar's cell y * width + x; any mapping that keeps
torus adjacency would do, since the von Neumann vision is symmetric.  Building
the world from given agents uses qantar's engine internals (``make_agents``,
``kernels.rebuild_cells``), as ``World.build`` itself does.

Usage::

    python validation/same_start.py validation/results/same-start-mesa-seed0.json [--reps 3000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

try:
    from scipy.stats import ks_2samp
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit('same_start: scipy is missing; install the validation extra:\n    pip install -e ".[validation]"')

import qantar
from qantar import Params, World, rule_set
from qantar.engine import kernels
from qantar.engine.state import CITIZEN, COP, make_agents
from qantar.engine.world import make_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mesa_equivalence import PARAMS, git_state  # noqa: E402  (the app settings, in qantar's names)


def world_from(agents: list[dict], params: Params, rules_name: str, seed) -> World:
    """A qantar world holding exactly Mesa's agents (citizens first, as World.build orders them)."""
    rules = rule_set(rules_name)
    ordered = sorted(agents, key=lambda a: a["kind"] != "citizen")
    per_agent = {
        "kind": np.array([CITIZEN if a["kind"] == "citizen" else COP for a in ordered], np.int8),
        "pos": np.array([a["y"] * params.width + a["x"] for a in ordered]),
        "hardship": np.array([a.get("hardship", 0.0) for a in ordered]),
        "risk_aversion": np.array([a.get("risk_aversion", 0.0) for a in ordered]),
    }
    state = make_agents(per_agent, params.cells, shared_near=make_config(params, rules).shared_near)
    world = World(params=params, rules=rules, rng=np.random.default_rng(seed), agents=state, seed=seed)
    kernels.rebuild_cells(state, world.config)
    return world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mesa_json", type=Path)
    parser.add_argument("--reps", type=int, default=3000, help="qantar runs (default 3000; cheap)")
    parser.add_argument("--entropy", type=int, default=2002)
    parser.add_argument("--rules", default="mesa")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    data = json.loads(args.mesa_json.read_text())
    if (data["width"], data["height"]) != (PARAMS.width, PARAMS.height):
        sys.exit("same_start: the Mesa file is not 40x40")
    mesa = np.array(data["series"])[:, 1:, :]  # steps 1..n
    steps = mesa.shape[1]
    reps = args.reps
    seeds = np.random.SeedSequence(args.entropy).spawn(reps)
    first = world_from(data["agents"], PARAMS, args.rules, seeds[0])
    if not np.array_equal(first.counts(), np.array(data["series"][0][0])):
        sys.exit("same_start: qantar's initial counts differ from Mesa's")
    ours = np.array([world_from(data["agents"], PARAMS, args.rules, s).run(steps) for s in seeds])

    print(
        f"same start (Mesa build seed {data['build_seed']}): Mesa {len(mesa)} runs vs "
        f"qantar '{args.rules}' {reps} runs; mean (s.d.), z of the difference, KS p"
    )
    rows = []
    for t in range(steps):
        row = {"step": t + 1}
        for col, name in ((1, "active"), (2, "jailed")):
            a, b = mesa[:, t, col], ours[:, t, col]
            se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            row[name] = {
                "mesa_mean": float(a.mean()),
                "mesa_sd": float(a.std(ddof=1)),
                "qantar_mean": float(b.mean()),
                "qantar_sd": float(b.std(ddof=1)),
                "z": float((a.mean() - b.mean()) / se) if se > 0 else 0.0,
                "ks_pvalue": float(ks_2samp(a, b).pvalue),
            }
        rows.append(row)
        print(
            f"{t + 1:>4}  "
            + "  |  ".join(
                f"{n:<6} {r['mesa_mean']:7.2f} ({r['mesa_sd']:5.2f}) {r['qantar_mean']:7.2f} "
                f"({r['qantar_sd']:5.2f}) z={r['z']:5.2f} p={r['ks_pvalue']:.3f}"
                for n, r in ((n, row[n]) for n in ("active", "jailed"))
            )
        )
    out = args.out or args.mesa_json.with_name(args.mesa_json.stem.replace("-mesa-", "-compare-") + ".json")
    out.write_text(
        json.dumps(
            {
                "mesa_file": args.mesa_json.name,
                "qantar_version": qantar.__version__,
                "qantar_git": git_state(),
                "rules": args.rules,
                "qantar_seeds": {"entropy": args.entropy, "n": reps, "scheme": "SeedSequence(entropy).spawn(n)"},
                "mesa_runs": len(mesa),
                "steps": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
