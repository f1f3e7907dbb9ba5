"""Two ensembles compared: runs of the same seeds are paired, so the interval holds the
change's effect, not the spread between runs."""

import numpy as np

from qantar.analysis.compare import compare_records, median_difference, same_seeds


def record(entropy, values, runs=None):
    runs = range(len(values)) if runs is None else runs
    return {"entropy": entropy, "scenario": {"start": "2022-01-01T00:00:00"},
            "measures": [{"run": k, "killed": v, "peak_time": "2022-01-04T00:00:00"} for k, v in zip(runs, values)]}


def test_runs_of_the_same_seeds_pair_up_and_others_do_not():
    assert same_seeds(record(0, [1, 2, 3]), record(0, [4, 5, 6]))
    assert not same_seeds(record(0, [1, 2, 3]), record(1, [4, 5, 6]))  # other seeds
    assert not same_seeds(record(0, [1, 2, 3]), record(0, [4, 5]))  # an interrupted ensemble
    assert not same_seeds(record(None, [1, 2]), record(None, [1, 2]))  # seeds not on record
    unnumbered = {"entropy": 0, "measures": [{"killed": 1}, {"killed": 2}]}  # runs that do not say which they are
    assert not same_seeds(unnumbered, unnumbered)


def test_a_paired_interval_holds_the_effect_and_not_the_spread():
    """Runs that spread over 0-1,000 and a change that adds 10 to every one of them: paired,
    the interval is exactly +10; unpaired, it is hundreds wide and holds zero."""
    rng = np.random.default_rng(3)
    base = rng.uniform(0, 1000, 20)
    paired = median_difference(base, base + 10, paired=True)
    unpaired = median_difference(base, base + 10)
    assert paired["difference"] == unpaired["difference"] == 10
    assert paired["low"] == paired["high"] == 10
    assert unpaired["low"] < 0 < unpaired["high"] and unpaired["high"] - unpaired["low"] > 200


def test_compare_records_pairs_by_run_number_not_by_order():
    """Runs finish in any order; run k is set beside run k."""
    a = record(7, [100, 200, 300, 400], runs=[0, 1, 2, 3])
    b = record(7, [405, 105, 305, 205], runs=[3, 0, 2, 1])  # each run 5 more, stored out of order
    row = next(r for r in compare_records(a, b) if r["measure"] == "killed")
    assert row["paired"] and row["low"] == row["high"] == 5
    row = next(r for r in compare_records(a, record(8, [405, 105, 305, 205])) if r["measure"] == "killed")
    assert not row["paired"] and row["low"] < 5 < row["high"]
