"""A scenario run's regions stepped on threads (issue 15, item 1): the same run, seed for
seed, as stepping them one after another."""

import numpy as np

from qantar.experiments.runner import available_cores, threads_per_run
from qantar.experiments.scenario_run import run_scenario
from qantar.scenario.load import load_scenario

ARRAYS = ("counts", "cops", "legitimacy", "arrest_constant", "curfew", "troops", "grievance", "dead")


def test_regions_on_threads_give_the_run_of_regions_in_turn():
    scenario = load_scenario("kazakhstan-2022", ["scale=400"])  # the whole country, coarse: a test of threads
    assert len(scenario.regions) > 2
    for seed in (1, 2):
        apart = run_scenario(scenario, np.random.SeedSequence(seed), threads=1)
        together = run_scenario(scenario, np.random.SeedSequence(seed), threads=3)
        for name in ARRAYS:
            assert np.array_equal(getattr(apart, name), getattr(together, name)), name


def test_processes_times_threads_never_exceed_the_cores():
    cores = available_cores()
    for workers in range(1, cores + 3):
        assert threads_per_run(50, workers) >= 1
        assert min(workers, 50) * threads_per_run(50, workers) <= max(cores, min(workers, 50))
    assert threads_per_run(1, workers=4) == cores
