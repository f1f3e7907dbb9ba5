"""The Scenario page in a real browser: the map has the cities at their coordinates, and
moving the time slider shows the library's numbers for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from qantar.errors import QantarInputError
from qantar.experiments.scenario_run import run_ensemble
from qantar.scenario.load import load_scenario

#: Reads the map's circles from the browser's Bokeh document.
MAP_DATA = """() => {
  for (const doc of Bokeh.documents) {
    for (const m of doc._all_models.values()) {
      if (m.data && m.data.lat && m.data.region) {
        return {region: Array.from(m.data.region), lat: Array.from(m.data.lat), lon: Array.from(m.data.lon),
                participants: Array.from(m.data.participants)};
      }
    }
  }
  return null;
}"""

SETTINGS = ["scale=2000"]


def run_scenario_page(page, runs: int, settings: list[str]) -> None:
    page.open_tab("Scenario")
    page.tab.locator(".settings-input textarea").fill("\n".join(settings))
    page.tab.locator(".runs-input input").fill(str(runs))
    page.tab.keyboard.press("Tab")
    page.tab.get_by_role("button", name="Run", exact=True).click()
    page.tab.get_by_text("regions at this time").wait_for(timeout=90000)


def region_table(page) -> dict[str, list[str]]:
    rows = page.tab.locator(".region-table tbody tr").all()
    return {r.locator("td").first.inner_text(): [c.inner_text() for c in r.locator("td").all()[1:]] for r in rows}


def test_map_shows_the_cities_and_the_slider_the_library_numbers(dashboard, screenshots):
    page = dashboard
    run_scenario_page(page, 1, SETTINGS)
    scenario = load_scenario("kazakhstan-2022", overrides=SETTINGS)
    shown = page.tab.evaluate(MAP_DATA)
    assert shown["region"] == [r.name for r in scenario.regions]
    assert shown["lat"] == [r.lat for r in scenario.regions] and shown["lon"] == [r.lon for r in scenario.regions]

    (run,) = run_ensemble(scenario, 1, 0, workers=1)
    handle = page.tab.locator(".time-slider .noUi-handle").first
    handle.focus()
    step = 16  # 5 January 00:00, four steps a day
    for _ in range(step):
        page.tab.keyboard.press("ArrowRight")
    page.tab.get_by_text(f"(step {step} of", exact=False).wait_for()
    page.tab.wait_for_timeout(500)
    active = run.people("active")[:, step]
    detained = run.people("detained")[:, step]
    table = region_table(page)
    for r, name in enumerate(run.regions):
        assert table[name][:2] == [f"{active[r]:,.0f}", f"{detained[r]:,.0f}"], (name, table[name])
    assert np.allclose(page.tab.evaluate(MAP_DATA)["participants"], active)
    assert active.sum() > 0  # the protest is under way: a real check of the numbers
    page.tab.screenshot(path=str(screenshots / "dashboard-scenario.png"), full_page=True)
    assert page.errors == []


def test_bad_setting_gets_the_cli_message_next_to_the_field(dashboard):
    page = dashboard
    page.open_tab("Scenario")
    page.tab.locator(".settings-input textarea").fill("model.legitimacy=2")
    page.tab.keyboard.press("Tab")
    page.tab.get_by_role("button", name="Run", exact=True).click()
    with pytest.raises(QantarInputError) as refused:  # what the CLI prints after "error: "
        load_scenario("kazakhstan-2022", overrides=["model.legitimacy=2"])
    page.tab.get_by_text(f"error: {refused.value}").wait_for()
    assert page.errors == []
