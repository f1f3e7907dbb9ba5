"""The Scenario page: a built-in scenario or a TOML file run as an ensemble, shown on a map
of its country (each region at its coordinates, a circle sized by participants and
coloured by the share of its people out) with a time slider; beside it the national
series (median and spread, the reported figures as markers), the events as a timeline, and
the targets table (met or not, share of runs inside).

Settings are ``qantar run``'s: ``--set PATH=VALUE`` lines, validated by ``load_scenario``
with the same one-line messages, shown next to the field.

Example:
    >>> assignments("scale=2000\\n\\n news.gain=0 ")
    ['scale=2000', 'news.gain=0']
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from qantar.dashboard import views
from qantar.dashboard.jobs import EnsembleJob
from qantar.dashboard.progress import JobPanel
from qantar.dashboard.summary import summarize_folder
from qantar.dashboard.timeview import TimeView
from qantar.errors import QantarInputError
from qantar.scenario.load import builtin_names, load_scenario

#: Runs of an ensemble unless changed (``qantar run``'s default).
DEFAULT_RUNS = 20
FILE = "a TOML file..."


def assignments(text: str) -> list[str]:
    """``PATH=VALUE`` lines of a text box (blank lines dropped)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def new_folder(settings, name: str) -> Path:
    """A fresh folder for an ensemble the dashboard runs, in the first ``--runs`` folder
    (so the Runs page lists it): time, scenario and a token against two sessions' clash."""
    return Path(settings.runs[0]) / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{name}-{secrets.token_hex(3)}"


def result_view(session, summary, label: str):
    """A finished ensemble: map and slider, series, timeline, targets."""
    import panel as pn

    view = TimeView(session, [(label, summary, "#d62728")])
    targets = pn.pane.HTML(views.table_html(views.targets_rows(summary.targets), views.TARGET_COLUMNS),
                           css_classes=["targets-table"])
    return pn.Column(view.layout(), pn.Row(pn.pane.Bokeh(views.timeline_figure(summary.scenario)),
                                           pn.Column(pn.pane.Markdown("### Targets"), targets))), view


def page(settings, session):
    """The Scenario page of one session."""
    import panel as pn

    choice = pn.widgets.Select(name="Scenario", options=[*builtin_names(), FILE], value=builtin_names()[0], width=220)
    path = pn.widgets.TextInput(name="TOML file", placeholder="my-country.toml", width=220, visible=False)
    runs = pn.widgets.IntInput(name="Runs", value=DEFAULT_RUNS, start=1, width=100, css_classes=["runs-input"])
    seed = pn.widgets.IntInput(name="Seed", value=0, start=0, width=100)
    sets_box = pn.widgets.TextAreaInput(name="Settings (--set PATH=VALUE, one a line)", placeholder="scale=2000",
                                        width=340, height=80, css_classes=["settings-input"])
    problem = pn.pane.Markdown("", styles={"color": "#b00"}, css_classes=["field-error"])
    command = pn.pane.Markdown("", css_classes=["command"])
    result = pn.Column(pn.pane.Markdown("Press **Run** to run the ensemble."))

    def on_choice(event) -> None:
        path.visible = event.new == FILE

    def finished(jobs) -> None:
        summary = summarize_folder(jobs[0].folder.path)
        command.object = f"`{jobs[0].folder.command}`  \nfolder: `{jobs[0].folder.path}`"
        result[:] = [result_view(session, summary, summary.scenario.name)[0]]

    panel_ = JobPanel(session, finished)

    def run(_event) -> None:
        name = path.value.strip() if choice.value == FILE else choice.value
        sets = assignments(sets_box.value)
        try:
            sc = load_scenario(name, overrides=sets)
        except QantarInputError as exc:
            problem.object = f"error: {exc}"
            return
        problem.object = ""
        job = EnsembleJob(name, new_folder(settings, sc.name), runs.value, seed.value, overrides=sets)
        panel_.start(job, what=f"{sc.name}, {runs.value} runs")

    choice.param.watch(on_choice, "value")
    panel_.run_button.on_click(run)
    controls = pn.Row(pn.Column(pn.Row(choice, path), pn.Row(runs, seed)), pn.Column(sets_box, problem),
                      pn.Column(panel_.layout(), command))
    return pn.Column(controls, result, sizing_mode="stretch_width")
