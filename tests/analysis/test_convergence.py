"""The judge of the convergence study: numbers within 10% of the finest (or of the floor
below it), days within one, the same regions; never agrees only with never; a scale counts
only if every finer one agrees too."""

from qantar.analysis.convergence import agrees, coarsest_agreeing, gap_interval, relative_gap


def test_numbers_agree_within_ten_percent_of_the_finest_or_of_the_floor():
    assert agrees("detained", 9_000.0, 10_000.0) and not agrees("detained", 8_999.0, 10_000.0)
    assert agrees("killed", 0.1, 0.0) and not agrees("killed", 0.2, 0.0)  # one person's floor
    assert agrees("killed_share", 0.001, 0.0) and not agrees("killed_share", 0.002, 0.0)  # 1% for a share
    assert relative_gap("detained", 12_000.0, 10_000.0) == "+20%"


def test_dates_regions_and_never():
    assert agrees("peak_date", "2022-01-05T18:00:00", "2022-01-06") and not agrees("peak_date", "2022-01-04",
                                                                                   "2022-01-06")
    assert agrees("calm_date", None, None) and not agrees("calm_date", "2022-01-09", None)
    assert agrees("largest_region", "Almaty", "Almaty") and not agrees("largest_region", "Aktau", "Almaty")
    assert not agrees("largest_region", None, "Almaty")
    assert not agrees("first_region", ["Aktau", "2022-01-02"], ["Zhanaozen", "2022-01-02"])
    assert not agrees("first_region", ["Zhanaozen", "2022-01-04"], ["Zhanaozen", "2022-01-02"])
    assert relative_gap("calm_date", "2022-01-08", "2022-01-10") == "2 d"


def test_the_coarsest_scale_needs_every_finer_one_to_agree():
    scales = [400, 200, 100, 10, 1]
    ok = {400: [True, True], 200: [True, False], 100: [True, True], 10: [True, True], 1: [True, True]}
    assert coarsest_agreeing(scales, ok) == 100
    ok[10] = [False, True]
    assert coarsest_agreeing(scales, ok) == 1  # only the finest itself


def test_the_gap_interval_tells_a_shift_from_noise():
    rng = __import__("numpy").random.default_rng(1)
    noisy = list(rng.normal(50, 20, 10))
    lo, hi = gap_interval("killed", noisy[::-1], noisy)
    assert lo < 0 < hi and hi - lo > 0.2  # the same runs, no shift: the interval holds 0, and is wide
    lo, hi = gap_interval("detained", [12_000.0 + k for k in range(10)], [10_000.0 + k for k in range(10)])
    assert 0.19 < lo <= hi < 0.21  # a clear shift of +20%
    assert gap_interval("killed", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], seed=3) == gap_interval(
        "killed", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], seed=3)
