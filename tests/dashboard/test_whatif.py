"""The What-if page in a real browser: csto off with 4 runs shows the numbers
``qantar run kazakhstan-2022 --without csto --seeds 4`` prints; Cancel; two sessions at
once; a closed tab cancels its work."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

from tests.dashboard.test_live import live_status


def table(page, css: str) -> list[dict[str, str]]:
    """An HTML table of the page as rows of {header: text}."""
    heads = [h.inner_text() for h in page.tab.locator(f".{css} thead th").all()]
    return [dict(zip(heads, [c.inner_text() for c in row.locator("td").all()]))
            for row in page.tab.locator(f".{css} tbody tr").all()]


def start_whatif(page, runs: int, off: tuple[str, ...] = ()) -> None:
    page.open_tab("What if")
    page.tab.locator(".whatif-runs input").fill(str(runs))
    page.tab.keyboard.press("Tab")
    for name in off:
        page.tab.locator(f".switch-{name} input").uncheck()
    page.tab.get_by_role("button", name="Run what-if").click()


def test_csto_off_four_runs_shows_what_qantar_run_prints(dashboard, screenshots, tmp_path):
    page = dashboard
    start_whatif(page, 4, off=("csto",))
    cli = subprocess.run([sys.executable, "-m", "qantar.cli", "run", "kazakhstan-2022", "--without", "csto",
                          "--seeds", "4", "--quiet", "--out", str(tmp_path / "cli")], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    record = json.loads((tmp_path / "cli" / "runs.json").read_text())
    page.tab.get_by_text("B - A: what-if minus baseline").wait_for(timeout=300000)
    shown = {row["target"]: row for row in table(page, "whatif-targets")}
    assert len(shown) == len(record["targets"])
    for verdict in record["targets"]:  # the CLI's table: simulated (median), spread, inside
        row = shown[verdict["target"]]
        assert (row["simulated (median)"], row["spread"], row["met"]) == \
            (str(verdict["simulated"]), verdict["detail"], "yes" if verdict["met"] else "no"), row
    assert page.tab.get_by_text(record["command"]).count() > 0  # the command that remakes it
    compare = table(page, "compare-table")
    assert [r["measure"] for r in compare][:2] == ["peak_participants", "peak_day"]
    page.tab.locator(".time-slider .noUi-handle").first.focus()
    for _ in range(22):  # to 6 January, 12:00: the protest at its height
        page.tab.keyboard.press("ArrowRight")
    page.tab.get_by_text("(step 22 of", exact=False).wait_for()
    page.tab.wait_for_timeout(1500)
    page.tab.screenshot(path=str(screenshots / "dashboard-whatif.png"), full_page=True)
    assert page.errors == []


def test_cancel_two_sessions_and_a_closed_tab(open_session, dashboard_url, runs_root):
    log = runs_root.parent / "dashboard-server.log"
    first, second = open_session(), open_session()
    start_whatif(first, 20)
    first.tab.get_by_text(re.compile(r"running .*what-if")).wait_for()
    second.open_tab("Epstein live")  # the other session answers while the runs go on
    second.tab.get_by_role("button", name="Step").click()
    second.tab.get_by_text("step 1:", exact=False).wait_for(timeout=15000)
    assert first.tab.get_by_text(re.compile(r"running .*what-if")).count() == 1  # still running
    first.tab.get_by_role("button", name="Cancel").click()
    first.tab.get_by_text("cancelled", exact=True).wait_for()
    assert "cancelled: baseline and what-if, 20 runs each" in log.read_text()
    assert first.errors == [] and second.errors == []

    closed = open_session()
    before = log.read_text().count("cancelled:")
    start_whatif(closed, 20)
    closed.tab.get_by_text(re.compile(r"running .*what-if")).wait_for()
    closed.close()
    deadline = time.monotonic() + 60
    while log.read_text().count("cancelled:") == before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert log.read_text().count("cancelled:") == before + 1
