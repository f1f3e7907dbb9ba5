"""Visions wide enough to see tens of thousands of agents (issue 13, item 4).

The ``near`` caches once packed the actives seen into the top 16 bits of an int32: a vision
of 45,225 cells (radius 120 on 241x241) could see more than 32,767 actives, the count went
negative, reached rule C's draw, and the step never ended. The test runs such a world in a
child process with a time limit, so that a hang fails instead of stalling the suite.
"""

import subprocess
import sys

import pytest

from qantar import Params, World, rule_set
from qantar.engine.world import check_vision_counts, make_config
from qantar.errors import QantarInputError

WIDE = """
from qantar import Params, World, rule_set
p = Params(width=241, height=241, citizen_vision={citizen}, cop_vision=120, citizen_density=0.9,
           cop_density=0.002, legitimacy=0.0, movement=False)
w = World.build(p, rule_set("netlogo"), seed=1)
w.run(1)
near = w.agents.near_cop  # the cops' cache: the citizens' own when both visions are equal
print(int(w.counts()[1]), int(near.min()), int((near >> 16).max()))
"""


@pytest.mark.parametrize("citizen", [120, 7])  # 7: the cops' cache is an array of its own
def test_a_vision_that_sees_more_than_32767_actives_steps_and_counts_them(citizen):
    World.build(Params(width=20, height=20), rule_set("netlogo"), seed=0).run(1)  # the child loads the compiled kernels
    done = subprocess.run([sys.executable, "-c", WIDE.format(citizen=citizen)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    actives, lowest, most_seen = map(int, done.stdout.split())
    assert lowest >= 0
    assert 32767 < most_seen <= actives


def test_more_cops_than_a_vision_can_count_are_refused_before_anything_runs():
    cfg = make_config(Params(width=600, height=600, citizen_vision=200, cop_vision=200), rule_set("netlogo"))
    check_vision_counts(65535, cfg)
    with pytest.raises(QantarInputError, match="^citizen_vision: .*65535"):
        check_vision_counts(65536, cfg)
    crowded = Params(width=600, height=600, citizen_vision=200, cop_vision=200, cop_density=0.19)
    with pytest.raises(QantarInputError, match="^citizen_vision: "):
        World.build(crowded, rule_set("netlogo"), seed=0)
