from qantar.analysis import find_outbursts, outburst_threshold, summarize, waiting_times


def test_threshold_scales_with_area():
    assert outburst_threshold(40, 40) == 50
    assert outburst_threshold(100, 100) == 50 * 10000 / 1600


def test_outbursts_start_above_end_below_and_equal_keeps_status():
    active = [0, 51, 50, 49, 50, 51, 50, 60]
    found = find_outbursts(active, 50)
    assert [(o.start, o.end, o.complete) for o in found] == [(1, 3, True), (5, 8, False)]
    assert found[0].peak == 51 and found[0].total == 101
    assert found[1].duration == 3


def test_waiting_times_and_summary():
    active = [60, 0, 0, 0, 70, 0, 80]
    found = find_outbursts(active, 50)
    assert waiting_times(found).tolist() == [3, 1]
    s = summarize(active, [0] * 6 + [9], 50)
    assert s["outbursts"] == 3 and s["peak_active"] == 80 and s["final_jailed"] == 9
    assert s["calm_share"] == 4 / 7 and s["mean_waiting_time"] == 2.0


def test_no_outburst():
    assert find_outbursts([], 50) == [] and find_outbursts([10, 20], 50) == []
    assert summarize([10, 20], [0, 0], 50)["outbursts"] == 0
