"""Model I claims that no rule set reproduces, under single changes of reading.

Two claims of Epstein (2002) fail under all three rule sets in the reproduction report
(docs/validation/epstein2002.md): total activation per outburst (paper: mean 708) and run
4 ending with more jailed than run 3. This script measures, over the report's seeds
(``SeedSequence(2002).spawn(20)``):

1. run 2's pooled activation per outburst and waiting time under each rule set and under
   one-setting variants of ``netlogo`` and ``mesa``, to show which reading moves them;
2. runs 3 and 4's jailed at several steps (paired by seed), since run 3's legitimacy keeps
   falling (to 0.2 at step 146) while run 4's stops at 0.7, so the comparison depends on
   when it is made.

Its output is quoted in docs/validation/epstein2002-runs.md ("Model I: readings that move the
claims no rule set reproduces").

Usage::

    python validation/model_i_readings.py [--seeds 20]
"""

from __future__ import annotations

import argparse

import numpy as np

from qantar import rule_set
from qantar.analysis import outburst_threshold
from qantar.analysis.paper_claims import measure_punctuated
from qantar.experiments.single import run_model
from qantar.scenario.paper_runs import paper_run

VARIANTS = (
    ("paper", {}),
    ("netlogo", {}),
    ("netlogo", {"vision_includes_centre": False}),
    ("netlogo", {"cop_after_arrest": "stay"}),
    ("netlogo", {"arrest_ratio": "round_half_even"}),
    ("mesa", {}),
    ("mesa", {"arrest_ratio": "floor"}),
    ("mesa", {"turn_order": "move_then_act"}),
)
JAIL_STEPS = (100, 146, 200, 300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--entropy", type=int, default=2002)
    args = parser.parse_args()
    seeds = np.random.SeedSequence(args.entropy).spawn(args.seeds)

    run2 = paper_run("run2")
    params = run2.make_params()
    bar = outburst_threshold(params.width, params.height)
    print("run 2: pooled total activation per outburst (paper 708) and waiting time (paper 60)")
    for name, overrides in VARIANTS:
        rules = rule_set(name, **overrides)
        found = [measure_punctuated(run_model(params, rules, s, run2.steps).counts, bar) for s in seeds]
        act = [v for m in found for v in m["activations"]]
        wait = [v for m in found for v in m["waiting_times"]]
        label = name + "".join(f" {k}={v}" for k, v in overrides.items())
        print(f"  {label:45} activation {np.mean(act) if act else float('nan'):7.0f} (n {len(act):5})   "
              f"wait {np.mean(wait) if wait else float('nan'):5.1f}", flush=True)

    print("runs 3 and 4: seeds where run 4 has more jailed than run 3, at each step")
    run3, run4 = paper_run("run3"), paper_run("run4")
    for name in ("paper", "netlogo", "mesa"):
        rules = rule_set(name)
        j3 = [run_model(run3.make_params(), rules, s, run3.steps, schedule=run3.schedule).counts[:, 2] for s in seeds]
        j4 = [run_model(run4.make_params(), rules, s, run4.steps, schedule=run4.schedule).counts[:, 2] for s in seeds]
        cells = [f"step {t}: {sum(b[t] > a[t] for a, b in zip(j3, j4)):2} of {len(seeds)}" for t in JAIL_STEPS]
        print(f"  {name:8} " + "; ".join(cells), flush=True)


if __name__ == "__main__":
    main()
