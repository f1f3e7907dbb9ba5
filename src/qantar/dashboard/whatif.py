"""The What-if page: a scenario's events as switches, their main numbers editable, its key
parameters as sliders; Run makes the what-if ensemble (20 runs by default, the baseline's
seeds) beside the baseline (the scenario as it is, the same seeds): both maps on one time
slider, both series, the compare table (B - A with 90% intervals, ``qantar.api.compare``),
the what-if's targets, its folder, figures and the ``qantar`` command that remakes it.

Every change is a ``--set PATH=VALUE`` or ``--without EVENT`` of ``qantar run``; a bad value
gets ``load_scenario``'s one-line message next to its field.

Example:
    >>> from qantar.scenario.load import load_scenario
    >>> s = load_scenario("kazakhstan-2022")
    >>> [f.path for f in event_fields(s, "csto")][:2]
    ['events.csto.at', 'events.csto.until']
    >>> render(0.25), render(dt.datetime(2022, 1, 6, 12))
    ('0.25', '2022-01-06T12:00:00')
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from qantar.dashboard import views
from qantar.dashboard.jobs import EnsembleJob
from qantar.dashboard.progress import JobPanel
from qantar.dashboard.scenario import DEFAULT_RUNS, new_folder
from qantar.dashboard.summary import summarize_folder
from qantar.dashboard.timeview import TimeView
from qantar.errors import QantarInputError
from qantar.scenario.load import builtin_names, load_scenario

#: An event's numbers offered for editing (those it has), besides its dates and troops.
EVENT_NUMBERS = ("add", "set", "officers", "probability", "channel", "anger", "arrest_factor", "people",
                 "frees_police_per_troop", "legitimacy", "fear")
#: Key parameters as sliders: path, label, slider range.
KEY_PARAMETERS = (("model.legitimacy", "legitimacy L", 0.0, 1.0), ("news.gain", "news gain", 0.0, 0.1),
                  ("clashes.probability", "clash probability", 0.0, 0.2),
                  ("defection.probability", "defection probability", 0.0, 0.01),
                  ("backlash.per_share", "backlash per share killed", 0.0, 100.0))
COMPARE_COLUMNS = ["measure", "A: baseline (median)", "B: what-if (median)", "B - A", "90% interval"]

_baselines: dict[tuple, Path] = {}  # finished baselines, shared by the sessions (same call, same folder)
_baselines_lock = threading.Lock()


@dataclass(frozen=True)
class Field:
    """One editable number of the scenario: its ``--set`` path and value as the file has it."""

    path: str
    label: str
    value: object


def render(value) -> str:
    """A value as ``--set`` takes it (TOML: numbers, ISO times)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def event_fields(scenario, name: str) -> list[Field]:
    """The editable numbers of event ``name``: start, end, the numbers it has, troops."""
    event = next(e for e in scenario.events if e.name == name)
    out = [Field(f"events.{name}.at", "from", event.at)]
    if getattr(event, "until", None) is not None:
        out.append(Field(f"events.{name}.until", "until", event.until))
    out += [Field(f"events.{name}.{k}", k.replace("_", " "), getattr(event, k)) for k in EVENT_NUMBERS
            if getattr(event, k, None) is not None]
    out += [Field(f"events.{name}.troops.{region}", f"troops in {region}", n)
            for region, n in getattr(event, "troops", {}).items()]
    return out


def parameter_value(scenario, path: str):
    """The value at a dotted path of the scenario (``news.gain``)."""
    node = scenario
    for key in path.split("."):
        node = getattr(node, key)
    return node


def compare_rows(rows: list[dict]) -> list[dict]:
    """``api.compare``'s rows as the table shows them: the CLI's text
    (``analysis.compare.difference_rows``: people as whole numbers), A and B named."""
    from qantar.analysis.compare import difference_rows

    names = {"A (median)": "A: baseline (median)", "B (median)": "B: what-if (median)"}
    return [{names.get(k, k): v for k, v in r.items()} for r in difference_rows(rows)]


def page(settings, session):
    """The What-if page of one session."""
    import panel as pn

    from qantar import api

    choice = pn.widgets.Select(name="Scenario", options=builtin_names(), value=builtin_names()[0], width=220)
    runs = pn.widgets.IntInput(name="Runs", value=DEFAULT_RUNS, start=1, width=100, css_classes=["whatif-runs"])
    seed = pn.widgets.IntInput(name="Seed", value=0, start=0, width=100)
    editor = pn.Column()
    result = pn.Column(pn.pane.Markdown("Change events or parameters, then press **Run what-if**."))
    command = pn.pane.Markdown("", css_classes=["command"])
    state: dict = {"switches": {}, "fields": []}  # fields: (Field, widget, message pane)

    def check(field: Field, widget, message) -> str | None:
        """The field's override, or None when unchanged; a bad value's message beside it."""
        text = str(widget.value).strip()
        if text == render(field.value) or (isinstance(field.value, (int, float)) and _same_number(text, field.value)):
            message.object = ""
            return None
        assignment = f"{field.path}={text}"
        try:
            load_scenario(state["name"], overrides=[assignment])
        except QantarInputError as exc:
            message.object = f"error: {exc}"
            raise
        message.object = ""
        return assignment

    def build_editor(name: str) -> None:
        sc = load_scenario(name)
        state["name"], state["switches"], state["fields"] = name, {}, []

        def field_row(field: Field, width: int = 170):
            widget = pn.widgets.TextInput(name=field.label, value=render(field.value), width=width,
                                          css_classes=[f"field-{field.path.replace('.', '-')}"])
            message = pn.pane.Markdown("", styles={"color": "#b00"}, css_classes=["field-error"])
            state["fields"].append((field, widget, message))

            def on_change(_event, field=field, widget=widget, message=message):
                try:
                    check(field, widget, message)
                except QantarInputError:
                    pass

            widget.param.watch(on_change, "value")
            return pn.Column(widget, message, margin=0)

        cards = []
        for event in sorted(sc.events, key=lambda e: e.at):
            switch = pn.widgets.Checkbox(name=f"{event.name} ({event.type})", value=True,
                                         css_classes=[f"switch-{event.name}"])
            state["switches"][event.name] = switch
            fields = [field_row(f) for f in event_fields(sc, event.name)]
            cards.append(pn.Column(switch, pn.FlexBox(*fields), styles={"border-top": "1px solid #ddd"},
                                   sizing_mode="stretch_width"))
        sliders = []
        for path, label, low, high in KEY_PARAMETERS:
            value = float(parameter_value(sc, path))
            slider = pn.widgets.EditableFloatSlider(name=label, start=low, end=max(high, value), value=value,
                                                    step=(high - low) / 200, width=260)
            field = Field(path, label, value)
            message = pn.pane.Markdown("", styles={"color": "#b00"}, css_classes=["field-error"])
            state["fields"].append((field, slider, message))
            sliders.append(pn.Column(slider, message, margin=0))
        editor[:] = [pn.pane.Markdown("#### Key parameters"), pn.FlexBox(*sliders),
                     pn.pane.Markdown("#### Events (off: `--without`)"), *cards]

    def changes() -> tuple[list[str], list[str]]:
        """The what-if as ``--set`` assignments and ``--without`` events (raises on a bad one)."""
        bad = None
        sets = []
        for field, widget, message in state["fields"]:
            try:
                if (a := check(field, widget, message)) is not None:
                    sets.append(a)
            except QantarInputError as exc:
                bad = bad or exc
        if bad:
            raise bad
        without = [name for name, switch in state["switches"].items() if not switch.value]
        load_scenario(state["name"], overrides=sets, without=without)  # together, too
        return sets, without

    def finished(jobs) -> None:
        base, what = jobs[0].folder, jobs[-1].folder
        with _baselines_lock:
            _baselines[state["key"]] = base.path
        comparison = api.compare(base.path, what.path, what.path / "compare")
        a, b = summarize_folder(base.path), summarize_folder(what.path)
        view = TimeView(session, [("baseline", a, "#7f7f7f"), ("what-if", b, "#d62728")])
        figures = [what.path / "figures" / "national.png", what.path / "figures" / "regions.png",
                   comparison.figure]
        command.object = f"`{what.command}`  \nfolder: `{what.path}`"
        result[:] = [
            view.layout(side_by_side=True),
            pn.Row(pn.Column(pn.pane.Markdown(f"### B - A: what-if minus baseline ({comparison.runs_text})"),
                             pn.pane.HTML(views.table_html(compare_rows(comparison.rows), COMPARE_COLUMNS),
                                          css_classes=["compare-table"])),
                   pn.Column(pn.pane.Markdown("### What-if against the targets"),
                             pn.pane.HTML(views.table_html(views.targets_rows(b.targets), views.TARGET_COLUMNS),
                                          css_classes=["whatif-targets"]))),
            pn.pane.Markdown(f"### Folder and figures\n`{what.path}` (with `report.md`); remade by "
                             f"`{what.command}`"),
            pn.Row(*[pn.pane.PNG(str(p), width=420) for p in figures if p.is_file()]),
        ]

    panel_ = JobPanel(session, finished, label="Run what-if")

    def run(_event) -> None:
        try:
            sets, without = changes()
        except QantarInputError as exc:
            command.object = f"error: {exc}"
            return
        name, n, entropy = state["name"], runs.value, seed.value
        state["key"] = key = (name, n, entropy)
        with _baselines_lock:
            known = _baselines.get(key)
        jobs = [] if known else [EnsembleJob(name, new_folder(settings, f"{name}-baseline"), n, entropy)]
        if known:
            jobs.append(_Done(known))
        jobs.append(EnsembleJob(name, new_folder(settings, f"{name}-whatif"), n, entropy, overrides=sets,
                                without=without))
        panel_.start(*jobs, what=f"{'' if known else 'baseline and '}what-if, {n} runs each")

    choice.param.watch(lambda e: build_editor(e.new), "value")
    panel_.run_button.on_click(run)
    build_editor(choice.value)
    controls = pn.Row(choice, runs, seed, pn.Column(panel_.layout(), command))
    return pn.Column(controls, pn.Row(pn.Column(editor, width=560, height=900, scroll=True),
                                      result), sizing_mode="stretch_width")


def _same_number(text: str, value) -> bool:
    try:
        return float(text) == float(value)
    except ValueError:
        return False


class _Done:
    """A baseline already run: a job that is finished from the start."""

    def __init__(self, path: Path):
        from qantar import api

        self.folder = api.EnsembleFolder.open(path)
        self.seeds, self.done, self.state = self.folder.seeds, self.folder.seeds, "finished"
        self.active = False

    def start(self):
        return None

    def cancel(self) -> None:
        return None
