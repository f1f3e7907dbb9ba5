"""The reproduction's runner and measures: seeds reproducible one by one, measures that
read the series the way the paper's claims are stated."""

import numpy as np

from qantar import World, rule_set
from qantar.analysis.paper_claims import measure_punctuated, measure_shift, measure_tipping, summarize_over_seeds
from qantar.experiments.reproduce import run_paper_run
from qantar.rules import make_params
from qantar.scenario import paper_run


def series(active, jailed=None):
    active = np.asarray(active)
    jailed = np.zeros_like(active) if jailed is None else np.asarray(jailed)
    return np.column_stack([100 - active - jailed, active, jailed])


def test_punctuated_counts_complete_outbursts_only_for_waits_and_sizes():
    counts = series([0, 60, 70, 10, 0, 0, 55, 40, 0, 90])  # third outburst still running at the end
    m = measure_punctuated(counts, threshold=50)
    assert m["outbursts"] == 3
    assert m["waiting_times"] == [3]  # from the end of the first (step 3) to the start of the second (6)
    assert m["activations"] == [130, 55] and m["outburst_peaks"] == [70, 55]
    assert m["peak_active"] == 90 and m["calm_share"] == 0.6


def test_shift_reads_only_the_steps_after_the_change():
    counts = series([0, 80, 0, 0, 20, 30, 10], jailed=[0, 0, 5, 5, 6, 7, 9])
    m = measure_shift(counts, from_step=3, threshold=50)
    assert (m["peak_active_after"], m["peak_step"], m["exploded"], m["final_jailed"]) == (30, 5, False, 9)


def test_tipping_reports_the_cops_at_the_first_step_above_the_threshold():
    counts = series([0, 0, 10, 30, 60, 80])
    cops = np.array([10, 10, 9, 8, 7, 6])
    m = measure_tipping(counts, cops, from_step=1, threshold=50)
    assert (m["tipped"], m["tipping_step"], m["cops_at_tipping"], m["cops_at_start"]) == (True, 4, 7, 10)
    calm = measure_tipping(series([0, 1, 2]), np.array([3, 2, 1]), from_step=1, threshold=50)
    assert calm["tipped"] is False and calm["cops_at_tipping"] is None


def test_summaries_over_seeds():
    assert summarize_over_seeds([True, False, True]) == {"true": 2, "of": 3}
    s = summarize_over_seeds([1.0, 3.0, None, float("nan")])
    assert (s["mean"], s["n"], s["min"], s["max"]) == (2.0, 2, 1.0, 3.0)
    assert summarize_over_seeds([None])["n"] == 0
    assert summarize_over_seeds([np.float32("nan"), np.float32(2.0)])["mean"] == 2.0


def test_each_seed_is_reproducible_on_its_own():
    run = paper_run("run4")
    seeds = run_paper_run(run, rule_set("mesa"), seeds=3, entropy=7)
    assert [s.seed_index for s in seeds] == [0, 1, 2]
    child = np.random.SeedSequence(7).spawn(3)[2]
    world = World.build(make_params(**run.params), rule_set("mesa"), seed=child)
    world.run(76)
    world.set_legitimacy(0.7)
    rest = world.run(run.steps - 76)
    assert np.array_equal(seeds[2].result.counts[77:], rest)
    assert seeds[2].measures["final_jailed"] == rest[-1, 2]
    again = run_paper_run(run, rule_set("mesa"), seeds=3, entropy=7)
    assert [s.measures for s in again] == [s.measures for s in seeds]


def test_every_model_i_run_has_measures():
    run1 = run_paper_run(paper_run("run1"), rule_set("netlogo"), seeds=1)[0].measures
    assert isinstance(run1["activations"], list) and isinstance(run1["turned_active"], int)  # no key clash
    for name, key in (("run1", "share_after_cop_left"), ("run2", "waiting_times"), ("run3", "exploded"), ("run5", "tipped")):
        seeds = run_paper_run(paper_run(name), rule_set("netlogo"), seeds=1)
        assert key in seeds[0].measures


def test_deception_measures_count_activations_after_a_cop_left():
    from qantar.analysis.paper_claims import measure_deception

    states = np.array([[0, 0, 0], [0, 0, 0], [1, 0, 1]])  # citizens 0 and 2 turn active at step 2
    seen = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0]])  # citizen 0's cop left; citizen 2 never saw one
    m = measure_deception(states, seen, aggrieved=[True, True, True])
    assert m["turned_active"] == 2 and m["share_after_cop_left"] == 0.5
    assert m["base_share_cop_left"] == 1 / 6  # one departure over six quiet aggrieved citizen-steps
    assert abs(m["hidden_share"] - (2 / 3 + 2 / 3 + 1 / 3) / 3) < 1e-12  # step 2: 1 hidden of 3 free


def test_watched_run_is_the_same_run_as_run_model():
    from qantar.experiments.reproduce import watched_run

    run = paper_run("run1")
    params, child = make_params(**run.params), np.random.SeedSequence(4).spawn(1)[0]
    watched, _ = watched_run(params, rule_set("paper"), child, 40)
    from qantar.experiments import run_model

    assert np.array_equal(watched.counts, run_model(params, rule_set("paper"), child, 40).counts)
