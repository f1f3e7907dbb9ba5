"""The verdicts' one renderer (the report's table and the CLI's) shows the share of runs
inside; the line under the table is computed from the verdicts, never written by hand."""

from qantar.report.scenario import VERDICT_COLUMNS, fit_caveat, verdict_rows, verdict_table


def verdict(name, metric, met, share, region=None):
    return {"target": name, "reported": "r", "simulated": "s", "detail": "d", "met": met, "share": share,
            "metric": metric, "region": region}


def test_rows_show_the_share_and_the_medians_verdict():
    rows = verdict_rows([verdict("calm", "calm_date", True, 0.6), verdict("killed", "killed", False, 0.05)])
    assert [r[-2:] for r in rows] == [("60%", "yes"), ("5%", "no")]
    table = verdict_table([verdict("calm", "calm_date", True, 0.6)])
    assert table[0] == "| " + " | ".join(VERDICT_COLUMNS) + " |" and table[2].endswith("| 60% | yes |")


def test_the_caveat_follows_the_verdicts():
    verdicts = [verdict("first", "first_region", True, 1.0), verdict("almaty", "participants_on", False, 0.0, "Almaty"),
                verdict("peak", "peak_participants", True, 0.7), verdict("dead", "killed", False, 0.1),
                verdict("sec", "security_killed", True, 0.5)]
    line = fit_caveat(verdicts)
    assert line.startswith("The fit meets 3 of 5 targets by the median")
    assert "the path city by city (1 of 2: almaty)" in line and "the dead (1 of 2: dead)" in line
    assert "speak to the national crowds, not to the path city by city, the dead" in line
    assert "every aspect" in fit_caveat(verdicts[2:3])
    assert fit_caveat([v | {"met": False} for v in verdicts]).endswith("say nothing any target supports.")


def test_event_labels_of_one_moment_share_one_label():
    import matplotlib.dates as mdates

    from qantar.report.plots import event_groups
    from qantar.scenario.load import load_scenario

    s = load_scenario("kazakhstan-2022")
    events = sorted(s.events, key=lambda e: e.at)
    groups = event_groups([(mdates.date2num(e.at), e.name) for e in events], span=s.days)
    names = [[events[i].name for i in g] for g in groups]
    assert ["csto", "national-caps"] in names and sum(len(g) for g in groups) == len(events)


def test_compare_rows_show_people_as_whole_numbers_and_the_killed_apart():
    from qantar.analysis.compare import COMPARED, difference_rows

    assert {"civilians_killed", "security_killed", "killed"} <= set(COMPARED)
    rows = difference_rows([{"measure": m, "a": 10.5, "b": 1234.5, "difference": 1224.0, "low": -0.5, "high": 2000.25}
                            for m in ("detained", "peak_day")])
    assert rows[0]["B (median)"] == "1,234" and "." not in rows[0]["90% interval"]
    assert rows[1]["B (median)"] == "1,234.5"
