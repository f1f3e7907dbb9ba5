"""Every page of the dashboard loads with no console error."""

from __future__ import annotations

#: Each page, and a text it shows once drawn.
PAGES = {"Scenario": "Press Run to run the ensemble", "What if": "Key parameters",
         "Epstein live": "step 0: quiet", "Runs": "Compare two ensembles"}


def test_every_page_loads_without_console_errors(dashboard):
    page = dashboard
    for name, text in PAGES.items():
        page.open_tab(name)
        page.tab.get_by_text(text, exact=False).first.wait_for()
    page.tab.wait_for_timeout(1000)
    assert page.errors == []
