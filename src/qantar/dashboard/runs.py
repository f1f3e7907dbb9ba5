"""The Runs page: the result folders under ``--runs`` (ensembles, sweeps, calibrations,
single runs, reproductions, comparisons) with their kind, command and date
(``qantar.api.list_folders``); open one to read its report with its figures; compare two
ensembles (``qantar.api.compare``).

Files are read only from inside the folders given (``inside``): a path with ``..`` or a
symbolic link that leads out of them is refused, never shown. Figures are sent inside the
page (as data), so the server serves no file at all.

Example:
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "a").mkdir(); _ = (root / "a" / "x.png").write_bytes(b"png")
    >>> inside([root], root / "a" / "x.png") is not None, inside([root], root / "a" / ".." / ".." / "etc")
    (True, None)
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

#: Reports a folder may hold, in the order looked for.
REPORTS = ("report.md", "calibration.md", "sensitivity.md", "epstein2002.md")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
FOLDER_COLUMNS = ["folder", "kind", "command", "date (UTC)"]


def inside(roots, path) -> Path | None:
    """``path`` resolved (links followed) if it is a file inside one of ``roots``; else None."""
    try:
        real = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    for root in roots:
        base = Path(root).resolve()
        if real.is_file() and real.is_relative_to(base):
            return real
    return None


def data_uri(path: Path) -> str:
    """A PNG as a data address for an ``<img>``."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def report_markdown(roots, folder: Path) -> str:
    """The folder's report with its images inlined; an image outside the folders is refused."""
    report = next((folder / name for name in REPORTS if inside(roots, folder / name)), None)
    if report is None:
        return "*(no report in this folder)*"
    text = report.read_text()

    def image(match) -> str:
        found = inside(roots, folder / match.group(2))
        if found is None or found.suffix.lower() != ".png":
            return f"*(figure {match.group(2)} refused: not a PNG inside the results folders)*"
        return f"![{match.group(1)}]({data_uri(found)})"

    return IMAGE.sub(image, text)


def figures(roots, folder: Path) -> tuple[list[Path], list[str]]:
    """The PNG figures of a folder (and its figures/ folder) inside the results folders, and
    the names of those refused (links out of them)."""
    shown, refused = [], []
    for candidate in sorted([*folder.glob("*.png"), *folder.glob("figures/*.png")]):
        found = inside(roots, candidate)
        (shown.append(found) if found else refused.append(str(candidate.relative_to(folder))))
    return shown, refused


def page(settings, session):
    """The Runs page of one session."""
    import panel as pn

    from qantar import api
    from qantar.dashboard import views
    from qantar.dashboard.scenario import new_folder
    from qantar.dashboard.whatif import COMPARE_COLUMNS, compare_rows
    from qantar.errors import QantarInputError

    roots = [Path(r) for r in settings.runs]
    listing = pn.pane.HTML("", css_classes=["folders-table"])
    chosen = pn.widgets.Select(name="Folder", options={}, width=420)
    a = pn.widgets.Select(name="A", options={}, width=300)
    b = pn.widgets.Select(name="B", options={}, width=300)
    refresh = pn.widgets.Button(name="Refresh", width=90)
    open_button = pn.widgets.Button(name="Open", button_type="primary", width=90)
    compare_button = pn.widgets.Button(name="Compare", button_type="primary", width=100)
    shown = pn.Column()
    compared = pn.Column()

    def load(_event=None) -> None:
        found = [info for root in roots for info in api.list_folders(root)]
        listing.object = views.table_html([{"folder": str(f.path), "kind": f.kind, "command": f.command or "",
                                            "date (UTC)": f"{f.modified:%Y-%m-%d %H:%M}"} for f in found],
                                          FOLDER_COLUMNS) if found else \
            f"No results yet under {', '.join(map(str, roots))}."
        chosen.options = {f"{f.path.name} ({f.kind})": str(f.path) for f in found}
        ensembles = {f.path.name: str(f.path) for f in found if f.kind == "ensemble"}
        a.options, b.options = ensembles, ensembles
        if len(ensembles) > 1:  # newest first: B the newest, A the one before it
            a.value, b.value = list(ensembles.values())[1], list(ensembles.values())[0]

    def open_folder(_event) -> None:
        if not chosen.value:
            return
        folder = Path(chosen.value)
        pngs, refused = figures(roots, folder)
        shown[:] = [pn.pane.Markdown(f"### {folder.name}"),
                    pn.pane.Markdown(report_markdown(roots, folder), css_classes=["report"], width=900),
                    pn.pane.Markdown("#### Figures" + (f" (refused, outside the results folders: "
                                                       f"{', '.join(refused)})" if refused else "")),
                    *[pn.pane.PNG(str(p), width=640) for p in pngs]]

    def compare(_event) -> None:
        try:
            result = api.compare(a.value, b.value, new_folder(settings, "compare"))
        except QantarInputError as exc:
            compared[:] = [pn.pane.Markdown(f"error: {exc}", styles={"color": "#b00"})]
            return
        compared[:] = [pn.pane.Markdown(f"### B - A: {Path(b.value).name} minus {Path(a.value).name} "
                                        f"({result.runs_text})"),
                       pn.pane.HTML(views.table_html(compare_rows(result.rows), COMPARE_COLUMNS),
                                    css_classes=["compare-table"]),
                       pn.pane.PNG(str(result.figure), width=640)]
        load()

    refresh.on_click(load)
    open_button.on_click(open_folder)
    compare_button.on_click(compare)
    load()
    return pn.Column(pn.Row(refresh, pn.pane.Markdown(f"Results under: {', '.join(map(str, roots))}")), listing,
                     pn.pane.Markdown("### Open a folder"), pn.Row(chosen, open_button), shown,
                     pn.pane.Markdown("### Compare two ensembles"), pn.Row(a, b, compare_button), compared,
                     sizing_mode="stretch_width")
