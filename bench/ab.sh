#!/bin/bash
# A/B speed of the engine at two git revisions, alternating, on one core.
#
#   bench/ab.sh REV_A REV_B [SIZE=40] [STEPS=1500] [ROUNDS=6] [CPU=1]
#
# Exports src/ of each revision into a scratch directory (each with its own Numba cache),
# then alternates A and B ROUNDS times. Each turn is a fresh process that times STEPS steps
# of the `mesa` rule set on SIZExSIZE after 20 warm-up steps (median of seeds 0-2). It
# prints the rates in M agent-steps/s and their medians. On a shared machine, trust only
# differences that hold across rounds.
set -euo pipefail
A=$1; B=$2; SIZE=${3:-40}; STEPS=${4:-1500}; ROUNDS=${5:-6}; CPU=${6:-1}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for v in A B; do
  mkdir -p "$WORK/$v"
  rev=$A; [ $v = B ] && rev=$B
  git -C "$REPO" archive "$rev" src | tar -x -C "$WORK/$v"
done
cat > "$WORK/one.py" <<'PY'
import sys, time
import numpy as np
from qantar import Params, World, rule_set
size, steps = int(sys.argv[1]), int(sys.argv[2])
P = dict(citizen_density=0.7, cop_density=0.04, citizen_vision=7, cop_vision=7, legitimacy=0.82,
         max_jail_term=30, arrest_constant=2.3, threshold=0.1)
World.build(Params(width=20, height=20, **P), rule_set("mesa"), seed=0).run(2)
rates = []
for seed in range(3):
    w = World.build(Params(width=size, height=size, **P), rule_set("mesa"), seed=seed)
    w.run(20)
    t = time.perf_counter(); w.run(steps); dt = time.perf_counter() - t
    rates.append(len(w.agents.kind) * steps / dt)
print(np.median(rates) / 1e6)
PY
for v in A B; do PYTHONPATH="$WORK/$v/src" python "$WORK/one.py" 20 2 > /dev/null; done  # compile
for r in $(seq "$ROUNDS"); do
  for v in A B; do
    echo "$v $(PYTHONPATH="$WORK/$v/src" taskset -c "$CPU" python "$WORK/one.py" "$SIZE" "$STEPS")"
  done
done | python -c "
import sys, statistics
rates = {}
for line in sys.stdin:
    v, x = line.split(); rates.setdefault(v, []).append(float(x))
for v, xs in sorted(rates.items()):
    print(v, 'median %.2f M/s:' % statistics.median(xs), ' '.join('%.2f' % x for x in xs))
"
