"""The qualitative signatures of Epstein (2002) that qantar's full reproduction finds, on a
few seeds, so that a change that breaks the dynamics fails CI.

The expectations come from the full report (docs/validation/epstein2002.md, made by
``qantar reproduce epstein2002``: 20 seeds of SeedSequence(2002) per run and rule set).
These tests rerun its first 3 seeds, with the same presets and seeds. The signatures
asserted held in all 20 seeds, and each test gives the range seen there. The exception is
run 3, which exploded in a few of the 20 seeds: its test asserts only what the report shows
for the 3 seeds rerun here. Claims that held in some seeds only (run 4's explosion:
netlogo 8/20, mesa 4/20) are not asserted. Model II's tests follow the same rule.
"""

import numpy as np
import pytest

from qantar import rule_set
from qantar.experiments.reproduce import extinction_sweep, run_paper_run
from qantar.scenario import paper_run

SEEDS, ENTROPY = 3, 2002


def measures(name, rules):
    return [s.measures for s in run_paper_run(paper_run(name), rule_set(rules), SEEDS, ENTROPY)]


def test_literal_paper_rules_never_burst():
    """Continuous C/A: in all 20 seeds of the report, run 2 had no outburst (peak actives
    13-33), and run 5 never tipped although every cop was withdrawn."""
    for m in measures("run2", "paper"):
        assert m["outbursts"] == 0 and m["peak_active"] < 50
    for m in measures("run5", "paper"):
        assert not m["tipped"]


@pytest.mark.parametrize("rules, fewest, calmest", [("netlogo", 98, 0.74), ("mesa", 8, 0.84)])
def test_floor_and_round_give_punctuated_equilibrium(rules, fewest, calmest):
    """floor (netlogo) and round (mesa) C/A: in all 20 seeds, run 2 had outbursts separated
    by calm (netlogo 98-110 outbursts in 3000 steps, calm share >= 0.74; mesa 8-130, calm
    share >= 0.84). The test asks for at least 3 outbursts and half the steps calm."""
    for m in measures("run2", rules):
        assert m["outbursts"] >= 3 and m["calm_share"] >= 0.5
        assert len(m["waiting_times"]) >= 2 and min(m["activations"]) > 50


def test_netlogo_tips_when_cops_are_withdrawn():
    """Run 5 under netlogo tipped in all 20 seeds, with 71-100 of its 118 cops left."""
    for m in measures("run5", "netlogo"):
        assert m["tipped"] and 50 <= m["cops_at_tipping"] <= 118


def test_salami_rarely_explodes():
    """Run 3 (legitimacy 0.9 to 0.2 in steps of 0.01) exploded in 0, 1 and 3 of 20 seeds
    (paper, netlogo, mesa). The first 3 seeds stay below 50 actives under every rule set."""
    for rules in ("paper", "netlogo", "mesa"):
        for m in measures("run3", rules):
            assert not m["exploded"]


@pytest.mark.parametrize("rules", ["paper", "netlogo"])
def test_run1_deception_where_cops_patrol(rules):
    """Run 1 (citizens still, cops patrol): in all 20 seeds, activations came right after a
    cop left the citizen's sight 2.5 to 4.8 times as often as cops leave quiet aggrieved
    citizens' sight. The test asks for twice, the report's rule."""
    for m in measures("run1", rules):
        assert m["share_after_cop_left"] >= 2 * m["base_share_cop_left"] > 0


@pytest.mark.parametrize("rules", ["paper", "netlogo", "mesa"])
def test_model_ii_coexistence_then_genocide(rules):
    """Run 6 (L = 0.9): in all 20 seeds nobody was killed and both groups lived to step 1000.
    Run 7 (L = 0.8, no cops): a group died out in all 20 seeds, at steps 25-243 (paper 25-163,
    netlogo 31-142, mesa 76-243)."""
    for m in measures("run6", rules):
        assert m["killed"] == 0 and m["both_alive_at_end"]
    for m in measures("run7", rules):
        assert m["extinct_step"] is not None and m["victor"] in (0, 1) and m["killed"] > 500


def test_model_ii_cops_do_not_stop_the_genocide():
    """Run 8 (cops 0.04): under paper and netlogo a group died out in all 20 seeds (steps
    41-230), so the paper's 'stable, but nasty' regime does not reproduce. Under mesa the
    peacekeepers delayed the genocide in all 20 seeds paired with run 7."""
    for rules in ("paper", "netlogo"):
        for m in measures("run8", rules):
            assert m["extinct_step"] is not None and m["kills_per_step"] > 5
    without, with_pk = measures("run7", "mesa"), measures("run7-peacekeepers", "mesa")
    for a, b in zip(without, with_pk):
        assert b["extinct_step"] is None or b["extinct_step"] > a["extinct_step"]


def test_cops_delay_extinction():
    """The sweep of Figs. 15-17: under every rule set the mean time to extinction at cop
    density 0.1 was 2.5-3.9 times that at 0 (10 seeds each; first 3 seeds: at least 2.4
    times). The test asks for 1.5 times over the first 3 seeds, at the two ends only."""
    for rules in ("paper", "netlogo", "mesa"):
        runs = extinction_sweep(rule_set(rules), [0.0, 0.1], SEEDS, ENTROPY)
        time = {d: np.mean([r.extinct_step for r in runs if r.cop_density == d]) for d in (0.0, 0.1)}
        assert time[0.1] >= 1.5 * time[0.0], (rules, time)
