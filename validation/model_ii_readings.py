"""Model II's runs 8 and 7-with-peacekeepers under the other reading of rule K.

qantar's default (``active_without_victim=False``, Ascape's reading): a citizen that rule A
makes active with nobody of the other group in vision kills nobody and turns quiet. The
other reading keeps it active, and so visible to cops. This script reruns the two runs whose
claims (a "stable, but nasty" regime; peacekeepers averting genocide) do not reproduce
under the default, with the other reading, over the report's seeds
(``SeedSequence(2002).spawn(20)``), and prints how many seeds keep both groups alive to the
end. Its output is quoted in docs/validation/epstein2002-runs.md ("Model II: the reading of
rule K").

Usage::

    python validation/model_ii_readings.py [--seeds 20]
"""

from __future__ import annotations

import argparse

import numpy as np

from qantar import rule_set
from qantar.analysis.paper_claims import measure_groups
from qantar.experiments.single import run_model
from qantar.scenario.paper_runs import paper_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--entropy", type=int, default=2002)
    args = parser.parse_args()
    for name in ("run8", "run7-peacekeepers"):
        run = paper_run(name)
        start = run.schedule[0].step if run.schedule else 0
        for rules in ("paper", "netlogo", "mesa"):
            for idle_active in (False, True):
                params = run.make_params(active_without_victim=idle_active)
                found = [measure_groups(run_model(params, rule_set(rules), child, run.steps,
                                                  schedule=run.schedule).counts, start)
                         for child in np.random.SeedSequence(args.entropy).spawn(args.seeds)]
                alive = sum(m["both_alive_at_end"] for m in found)
                steps = [m["extinct_step"] for m in found if m["extinct_step"] is not None]
                mean = f"{np.mean(steps):.0f}" if steps else "-"
                print(f"{name:18} {rules:8} active_without_victim={idle_active!s:5}  both groups alive at step "
                      f"{run.steps}: {alive:2} of {args.seeds}; mean step of extinction {mean}", flush=True)


if __name__ == "__main__":
    main()
