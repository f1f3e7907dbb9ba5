"""The report's verdict rules decide as they say, on made-up measures."""

from qantar.report.epstein2002 import CLAIMS, NOT_REPRODUCED, PARTLY, REPRODUCED, judge_all, render_markdown


def run2(outbursts, calm, waits, acts):
    return {"outbursts": outbursts, "calm_share": calm, "peak_active": 100, "waiting_times": waits,
            "activations": acts, "outburst_peaks": []}


def shift(exploded, jailed):
    return {"exploded": exploded, "peak_active_after": 100 if exploded else 5, "final_jailed": jailed}


def tip(tipped):
    return {"tipped": tipped, "cops_at_tipping": 80 if tipped else None, "cops_at_start": 118, "peak_active": 60}


def watch(after, base):
    return {"share_after_cop_left": after, "base_share_cop_left": base, "hidden_share": 0.3, "turned_active": 100}


def verdicts(by_run):
    return {r["claim"]: r["verdict"] for r in judge_all({"x": by_run})}


def test_a_world_like_the_papers_is_judged_reproduced():
    by_run = {
        "run1": [watch(0.4, 0.1)] * 5,
        "run2": [run2(10, 0.8, [55, 65], [700, 720])] * 5,
        "run3": [shift(False, 100)] * 5,
        "run4": [shift(True, 300)] * 5,
        "run5": [tip(True)] * 5,
    }
    assert set(verdicts(by_run).values()) == {REPRODUCED}


def test_a_quiet_world_is_judged_not_reproduced():
    by_run = {
        "run1": [watch(0.0, 0.0)] * 5,
        "run2": [run2(0, 1.0, [], [])] * 5,
        "run3": [shift(False, 300)] * 5,
        "run4": [shift(False, 100)] * 5,
        "run5": [tip(False)] * 5,
    }
    assert set(verdicts(by_run).values()) == {NOT_REPRODUCED}


def test_in_between_is_partly():
    by_run = {
        "run1": [watch(0.4, 0.1)] * 3 + [watch(0.15, 0.1)] * 2,
        "run2": [run2(1, 0.9, [90], [1000])] * 5,  # outbursts but rare; waits and sizes 40-50% off
        "run3": [shift(False, 100)] * 5,
        "run4": [shift(True, 300)] * 3 + [shift(False, 50)] * 2,
        "run5": [tip(True)] * 3 + [tip(False)] * 2,
    }
    assert verdicts(by_run) == {"deception": PARTLY, "punctuated": PARTLY, "waiting_times": PARTLY, "activation": PARTLY,
                                "salami": PARTLY, "jail": PARTLY, "tipping": PARTLY}


def test_markdown_lists_every_claim_and_the_gaps():
    by_run = {"run1": [watch(0.4, 0.1)], "run2": [run2(3, 0.9, [60], [700])], "run3": [shift(False, 1)], "run4": [shift(True, 2)],
              "run5": [tip(True)]}
    text = render_markdown({"netlogo": by_run}, seeds=1, entropy=2002, command="qantar reproduce", version="0")
    for claim in CLAIMS:
        assert f"## {claim.id}:" in text and claim.rule in text
    assert "Model II" in text and "SeedSequence(2002).spawn(1)" in text
