"""Changes between steps: a scheduled run is the same run as one steered by hand, ramps hold
the values they promise, and the paper's presets are valid under every rule set."""

import numpy as np
import pytest
from pydantic import ValidationError

from qantar import Params, World, rule_set
from qantar.errors import QantarInputError
from qantar.experiments import run_model
from qantar.rules import make_params
from qantar.scenario import PAPER_RUNS, Change, cop_ramp, legitimacy_ramp, paper_run

RULES = ["paper", "netlogo", "mesa"]


@pytest.mark.parametrize("rules", RULES)
def test_scheduled_run_equals_hand_steered_run(rules):
    params = Params(width=20, height=20, citizen_vision=3, cop_vision=3, legitimacy=0.8)
    schedule = [Change(step=4, legitimacy=0.6), Change(step=4, cops=30), Change(step=9, arrest_constant=1.0),
                Change(step=12, cops=5, legitimacy=0.9)]
    result = run_model(params, rule_set(rules), seed=7, steps=15, chunk=6, schedule=schedule)

    world = World.build(params, rule_set(rules), seed=7)
    by_hand = [world.counts()]
    for step in range(1, 16):
        if step == 4:
            world.set_legitimacy(0.6)
            world.add_cops(30 - world.n_cops)
        if step == 9:
            world.set_arrest_constant(1.0)
        if step == 12:
            world.set_legitimacy(0.9)
            world.remove_cops(world.n_cops - 5)
        by_hand.append(world.run(1)[0])
    assert np.array_equal(result.counts, np.array(by_hand))
    assert np.array_equal(result.world.agents.pos, world.agents.pos)
    assert result.legitimacy.tolist() == [0.8] * 4 + [0.6] * 8 + [0.9] * 4
    assert result.cops[4] == 30 and result.cops[12] == 5 and result.cops[-1] == 5


def test_change_outside_the_run_is_refused_before_running():
    with pytest.raises(QantarInputError, match="schedule: a change at step 11 is outside the run of 10 steps"):
        run_model(Params(), rule_set("mesa"), seed=0, steps=10, schedule=[Change(step=11, legitimacy=0.5)])


def test_a_change_must_change_something_and_stay_in_range():
    with pytest.raises(ValidationError, match="at least one of"):
        Change(step=3)
    with pytest.raises(ValidationError):
        Change(step=0, legitimacy=0.5)
    with pytest.raises(ValidationError):
        Change(step=2, legitimacy=1.5)


def test_ramps():
    down = legitimacy_ramp(start_step=77, start=0.9, stop=0.2, per_step=0.01)
    assert len(down) == 70 and down[0].step == 77 and down[-1].step == 146
    assert down[0].legitimacy == 0.89 and down[-1].legitimacy == 0.2
    assert all(a.legitimacy > b.legitimacy for a, b in zip(down, down[1:]))
    up = legitimacy_ramp(start_step=1, start=0.5, stop=0.53, per_step=0.01)
    assert [c.legitimacy for c in up] == [0.51, 0.52, 0.53]
    short = legitimacy_ramp(start_step=1, start=0.9, stop=0.85, per_step=0.04)
    assert [c.legitimacy for c in short] == [0.86, 0.85]  # never a step larger than per_step
    assert [c.legitimacy for c in legitimacy_ramp(1, 0.9, 0.89, 0.03)] == [0.89]
    cops = cop_ramp(start_step=50, start=118, stop=0, every=4)
    assert len(cops) == 118 and (cops[0].step, cops[0].cops) == (50, 117) and (cops[-1].step, cops[-1].cops) == (518, 0)


@pytest.mark.parametrize("name", list(PAPER_RUNS))
@pytest.mark.parametrize("rules", RULES)
def test_presets_are_valid_under_every_rule_set(name, rules):
    run = paper_run(name)
    params = make_params(**run.params)
    assert (params.width, params.height, params.citizen_density) == (40, 40, 0.7)
    assert all(1 <= c.step <= run.steps for c in run.schedule)
    assert run.shows and run.reading and run.figure
    result = run_model(params, rule_set(rules), seed=1, steps=3)  # builds and steps
    assert result.counts.sum(axis=1).tolist() == [result.world.n_citizens] * 4


def test_unknown_preset_names_the_accepted_ones():
    with pytest.raises(QantarInputError, match="unknown run 'run9'; accepted: run1, run2, run3, run4, run5"):
        paper_run("run9")


def test_run5_withdraws_every_cop():
    run = paper_run("run5")
    result = run_model(make_params(**run.params), rule_set("netlogo"), seed=2, steps=run.steps, schedule=run.schedule)
    assert result.cops[0] == 118 and result.cops[49] == 118 and result.cops[50] == 117
    assert result.cops[518] == 0 and result.world.n_cops == 0
