"""The dashboard's speed as a person sees it, in headless Chromium (Debian's) through
Playwright: the first page's time, the Epstein live page's steps a second at 100x100 (speed
at its top, counted in the browser from the step number shown), and a warm 20-run what-if
(the baseline already run, the pool warm) from Run to the result on screen.

Usage::

    python bench/dashboard_live.py [--seconds 10] [--whatif-runs 20] [--no-whatif]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATUS = re.compile(r"^step (\d+): quiet")


def start_server(runs: Path, port: int = 5977):
    log = runs.parent / "server.log"
    proc = subprocess.Popen([sys.executable, "-m", "qantar.cli", "dashboard", "--no-browser", "--port", str(port),
                             "--runs", str(runs)], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    while "dashboard at" not in log.read_text():
        if proc.poll() is not None:
            raise SystemExit(log.read_text())
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}/"


def step_shown(page) -> int:
    return int(STATUS.match(page.get_by_text(STATUS).inner_text()).group(1))


def whatif_seconds(page, runs: int) -> float:
    """Seconds from Run to the result on screen."""
    page.get_by_text("What if", exact=True).first.click()
    page.locator(".whatif-runs input").fill(str(runs))
    page.keyboard.press("Tab")
    folder = re.compile(r"folder: \S*whatif")
    before = page.get_by_text(folder).inner_text() if page.get_by_text(folder).count() else ""
    started = time.perf_counter()
    page.get_by_role("button", name="Run what-if").click()
    while not page.get_by_text(folder).count() or page.get_by_text(folder).inner_text() == before:
        page.wait_for_timeout(100)
    page.get_by_text("B - A: what-if minus baseline").wait_for(timeout=900000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the live page plays")
    parser.add_argument("--whatif-runs", type=int, default=20)
    parser.add_argument("--no-whatif", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    runs = Path(tempfile.mkdtemp()) / "runs"
    runs.mkdir()
    proc, url = start_server(runs)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120000)
            started = time.perf_counter()
            page.goto(url)
            page.get_by_text("Press Run to run the ensemble", exact=False).wait_for()
            first_page = time.perf_counter() - started
            print(f"first page: {first_page:.2f} s")

            page.get_by_text("Epstein live", exact=True).first.click()
            page.locator("select").filter(has_text="40x40").select_option(label="100x100")
            page.wait_for_timeout(1000)  # the new size reaches the server
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("step 0: quiet 7000", exact=False).wait_for()
            page.locator(".speed-slider .noUi-handle").focus()
            page.keyboard.press("End")
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(2000)  # past the first frames
            s0, t0 = step_shown(page), time.perf_counter()
            page.wait_for_timeout(args.seconds * 1000)
            s1, t1 = step_shown(page), time.perf_counter()
            page.get_by_role("button", name="Pause").click()
            print(f"live 100x100 at full speed: {(s1 - s0) / (t1 - t0):.1f} steps a second "
                  f"({s1 - s0} steps in {t1 - t0:.1f} s)")
            if not args.no_whatif:
                cold = whatif_seconds(page, args.whatif_runs)
                warm = whatif_seconds(page, args.whatif_runs)
                print(f"what-if of {args.whatif_runs} runs: {cold:.1f} s with its baseline (cold), "
                      f"{warm:.1f} s warm (baseline kept, pool warm)")
            browser.close()
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
