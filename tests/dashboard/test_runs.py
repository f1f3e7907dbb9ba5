"""The Runs page: folders listed with kind, command and date; a report opened with its
figures; two ensembles compared; no file served from outside the folders given."""

from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from qantar import api  # noqa: E402
from qantar.analysis.compare import compare_records, difference_rows  # noqa: E402
from qantar.dashboard.runs import figures, inside, report_markdown  # noqa: E402

#: Every image source in the page, shadow roots included (Panel renders panes inside them).
IMAGES = """() => {
  const out = [];
  const walk = (root) => {
    root.querySelectorAll("*").forEach((el) => {
      if (el.tagName === "IMG") out.push(el.getAttribute("src") || "");
      if (el.shadowRoot) walk(el.shadowRoot);
    });
  };
  walk(document);
  return out;
}"""


def a_png(path, colour: str) -> None:
    fig = plt.figure(figsize=(1, 1))
    fig.patch.set_facecolor(colour)
    fig.savefig(path)
    plt.close(fig)


def test_inside_refuses_dot_dot_and_links_out(tmp_path):
    root, outside = tmp_path / "runs", tmp_path / "elsewhere"
    (root / "a" / "figures").mkdir(parents=True)
    outside.mkdir()
    a_png(root / "a" / "figures" / "ok.png", "white")
    a_png(outside / "secret.png", "red")
    os.symlink(outside / "secret.png", root / "a" / "figures" / "escape.png")
    os.symlink(root / "a" / "figures" / "ok.png", root / "a" / "alias.png")  # a link that stays inside
    assert inside([root], root / "a" / "figures" / "ok.png") == (root / "a" / "figures" / "ok.png").resolve()
    assert inside([root], root / "a" / ".." / ".." / "elsewhere" / "secret.png") is None
    assert inside([root], root / "a" / "figures" / "escape.png") is None
    assert inside([root], root / "a" / "alias.png") is not None
    assert inside([root], root / "a" / "missing.png") is None
    shown, refused = figures([root], root / "a")
    assert refused == ["figures/escape.png"] and len(shown) == 2
    (root / "a" / "report.md").write_text("# r\n![ok](figures/ok.png)\n![s](../../elsewhere/secret.png)\n"
                                          "![e](figures/escape.png)\n")
    text = report_markdown([root], root / "a")
    assert text.count("data:image/png;base64,") == 1 and text.count("refused") == 2


def test_runs_page_lists_opens_and_compares(dashboard, runs_root, tmp_path, screenshots):
    one = api.run_ensemble("kazakhstan-2022", runs_root / "kz-a", seeds=2, overrides=["scale=4000"], workers=1)
    two = api.run_ensemble("kazakhstan-2022", runs_root / "kz-b", seeds=2, overrides=["scale=4000"],
                           without=["csto"], workers=1)
    model = api.run_model_once(runs_root / "model", steps=10, seed=1)
    a_png(tmp_path / "secret.png", "red")
    (model.path / "figures").mkdir(exist_ok=True)
    os.symlink(tmp_path / "secret.png", model.path / "figures" / "escape.png")

    page = dashboard
    page.open_tab("Runs")
    page.tab.get_by_role("button", name="Refresh").click()
    page.tab.get_by_text(one.command, exact=True).wait_for()
    assert page.tab.get_by_text(two.command, exact=True).count() == 1

    page.tab.locator("select").filter(has_text="model (run)").select_option(label="model (run)")
    page.tab.get_by_role("button", name="Open").click()
    page.tab.get_by_text("refused, outside the results folders: figures/escape.png", exact=False).wait_for()
    secret = __import__("base64").b64encode((tmp_path / "secret.png").read_bytes()).decode()
    images = page.tab.evaluate(IMAGES)
    assert images and not any(secret in src for src in images)

    page.tab.locator("select").filter(has_text="model (run)").select_option(label="kz-a (ensemble)")
    page.tab.get_by_role("button", name="Open").click()
    page.tab.locator(".report").get_by_text("kazakhstan-2022", exact=False).first.wait_for()
    page.tab.wait_for_timeout(500)
    assert sum(src.startswith("data:image/png") for src in page.tab.evaluate(IMAGES)) >= 2  # report figures

    page.tab.get_by_role("button", name="Compare").click()
    page.tab.get_by_text("B - A: kz-b minus kz-a", exact=False).wait_for()
    assert page.tab.get_by_text("(2 and 2 runs, paired by seed)", exact=False).count() == 1  # the same seeds
    rows = compare_records(json.loads((one.path / "runs.json").read_text()),
                           json.loads((two.path / "runs.json").read_text()))
    cells = page.tab.locator(".compare-table tbody tr").first.locator("td").all_inner_texts()
    shown = difference_rows(rows)[0]  # the CLI's text of the same comparison
    assert cells[0] == shown["measure"] and cells[3] == shown["B - A"]
    page.tab.screenshot(path=str(screenshots / "dashboard-runs.png"))
    assert page.errors == []
