"""The judge of the convergence study: numbers within 10% of the finest (or of the floor
below it), days within one, the same regions; never agrees only with never; a scale counts
only if every finer one agrees too."""

from qantar.analysis.convergence import agrees, coarsest_agreeing, relative_gap


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
