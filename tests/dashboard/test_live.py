"""The Epstein live page in a real browser: its counts after 10 steps are World.run's."""

from __future__ import annotations

import re

from qantar import Params, World, rule_set


def live_status(page) -> str:
    """The line above the grid: step, counts, L, cops."""
    return page.tab.get_by_text(re.compile(r"^step \d+: quiet")).inner_text()


def step_to(page, first: int, last: int) -> None:
    """Press Step for steps ``first`` to ``last``, each time until the page shows it."""
    button = page.tab.get_by_role("button", name="Step")
    for k in range(first, last + 1):
        button.click()
        page.tab.get_by_text(f"step {k}:", exact=False).wait_for()


def test_live_counts_after_ten_steps_equal_world_run(dashboard, screenshots):
    page = dashboard
    page.open_tab("Epstein live")
    page.tab.get_by_text("step 0", exact=False).wait_for()
    step_to(page, 1, 10)
    expected = World.build(Params(width=40, height=40), rule_set("netlogo"), seed=0).run(10)[-1]
    q, a, j = (int(x) for x in expected)
    text = live_status(page)
    assert f"step 10: quiet {q}, active {a}, jailed {j};" in text, text
    page.tab.screenshot(path=str(screenshots / "dashboard-live.png"), full_page=True)
    assert page.errors == []


def test_live_plays_and_pauses(dashboard):
    page = dashboard
    page.open_tab("Epstein live")
    page.tab.get_by_role("button", name="Play").click()
    page.tab.get_by_text(re.compile(r"step [3-9]\d*:")).wait_for(timeout=20000)
    page.tab.get_by_role("button", name="Pause").click()
    page.tab.wait_for_timeout(500)
    first = live_status(page)
    page.tab.wait_for_timeout(800)
    assert live_status(page) == first
    assert page.errors == []


def test_reset_makes_the_world_of_the_settings(dashboard):
    page = dashboard
    page.open_tab("Epstein live")
    page.tab.get_by_text("step 0: quiet", exact=False).wait_for()
    page.tab.locator("select").filter(has_text="40x40").select_option(label="100x100")
    page.tab.wait_for_timeout(1000)
    page.tab.get_by_role("button", name="Reset").click()
    page.tab.get_by_text("step 0: quiet 7000", exact=False).wait_for()  # 0.7 x 100 x 100 citizens
    page.tab.get_by_role("button", name="Step").click()
    expected = World.build(Params(width=100, height=100), rule_set("netlogo"), seed=0).run(1)[-1]
    page.tab.get_by_text(f"step 1: quiet {expected[0]}, active {expected[1]}, jailed {expected[2]}",
                         exact=False).wait_for()
    assert page.errors == []


def test_legitimacy_changed_between_steps_acts_at_the_next_step(dashboard):
    """L moved on the slider after 5 steps: the next 5 steps are World.run's after
    World.set_legitimacy with the value the page shows."""
    page = dashboard
    page.open_tab("Epstein live")
    page.tab.get_by_text("step 0: quiet", exact=False).wait_for()
    step_to(page, 1, 5)
    handle = page.tab.locator(".noUi-handle").first  # the first slider is L's
    handle.focus()
    for _ in range(10):
        handle.press("ArrowLeft")
    page.tab.wait_for_timeout(1000)
    step_to(page, 6, 6)
    shown = float(re.search(r"L = ([0-9.]+)", live_status(page)).group(1))
    assert shown < 0.8, live_status(page)  # the default is 0.82: the slider moved
    step_to(page, 7, 10)
    world = World.build(Params(width=40, height=40), rule_set("netlogo"), seed=0)
    world.run(5)
    world.set_legitimacy(shown)
    q, a, j = (int(x) for x in world.run(5)[-1])
    assert f"step 10: quiet {q}, active {a}, jailed {j};" in live_status(page), live_status(page)
    assert page.errors == []
