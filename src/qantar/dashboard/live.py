"""The Epstein live page: one Model I world drawn as a grid (quiet, active, jailed, cops),
played, paused, stepped and reset; rule set, preset and sliders for its parameters.

The grid is a Bokeh image whose one array is patched in place each frame
(``ColumnDataSource.patch``), and the counts plot grows by ``stream``: the browser gets what
changed, never a new figure. Legitimacy moved while the world plays takes effect at the next
step (``World.set_legitimacy``); the other sliders, the rule set, the preset, the size and
the seed make a new world at the next reset. A Model I preset's schedule (the paper's runs
3-5) changes the world between steps as ``qantar run --preset`` does.

Example:
    >>> from qantar import Params, rule_set
    >>> live = LiveWorld.start(Params(width=20, height=20), rule_set("netlogo"), seed=1)
    >>> live.step(3).tolist() == live.history[-1]
    True
    >>> cell_image(live.world).shape
    (20, 20)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qantar.engine import World
from qantar.engine.state import ACTIVE, CITIZEN, COP, DEAD, JAILED, QUIET
from qantar.rules import RULE_SETS, Params, make_params, rule_set
from qantar.scenario import PAPER_RUNS
from qantar.scenario.schedule import Change, apply_change

#: What a cell of the grid image holds, and its colour.
EMPTY, SHOWN_QUIET, SHOWN_ACTIVE, SHOWN_JAILED, SHOWN_COP = range(5)
CELL_COLOURS = ("#ffffff", "#9ecae1", "#d62728", "#636363", "#08306b")
CELL_NAMES = ("empty", "quiet", "active", "jailed", "cop")

#: Presets offered: the paper's runs of Model I (Model II's two groups are another model).
LIVE_PRESETS = tuple(name for name, run in PAPER_RUNS.items() if run.model == "I")


def cell_image(world: World) -> np.ndarray:
    """The grid as (height, width) uint8 codes: a free citizen quiet or active, a cop, a
    jailed citizen where no free agent stands on the cell, else empty."""
    a = world.agents
    image = np.zeros(world.params.cells, np.uint8)
    living = a.state != DEAD
    citizen = (a.kind == CITIZEN) & living
    image[a.pos[citizen & (a.state == JAILED)]] = SHOWN_JAILED
    image[a.pos[citizen & (a.state == QUIET)]] = SHOWN_QUIET
    image[a.pos[citizen & (a.state == ACTIVE)]] = SHOWN_ACTIVE
    image[a.pos[(a.kind == COP) & living]] = SHOWN_COP
    return image.reshape(world.params.height, world.params.width)


@dataclass
class LiveWorld:
    """A world being watched: its counts so far, and the preset's changes still to come."""

    world: World
    schedule: list[Change] = field(default_factory=list)
    history: list[list[int]] = field(default_factory=list)

    @classmethod
    def start(cls, params: Params, rules, seed: int, schedule=()) -> "LiveWorld":
        """A new world from ``seed`` (as ``World.build``), with the counts of step 0."""
        world = World.build(params, rules, seed=seed)
        return cls(world, sorted(schedule, key=lambda c: c.step), [world.counts().tolist()])

    @property
    def steps_done(self) -> int:
        """Steps run so far."""
        return self.world.steps_done

    def step(self, n: int = 1) -> np.ndarray:
        """Run ``n`` steps, one at a time so that scheduled changes fall between them;
        returns the last counts (quiet, active, jailed)."""
        for _ in range(n):
            while self.schedule and self.schedule[0].step == self.world.steps_done + 1:
                apply_change(self.world, self.schedule.pop(0))
            counts = self.world.run(1)[0]
            self.history.append(counts.tolist())
        return counts


#: The shortest time between two frames (ms): faster speeds run several steps a frame.
MIN_FRAME_MS = 25


def frame_timing(steps_per_second: int) -> tuple[int, int]:
    """Milliseconds between frames and steps a frame for a speed in steps a second.

    Example:
        >>> frame_timing(10), frame_timing(200)
        ((100, 1), (25, 5))
    """
    period = max(MIN_FRAME_MS, round(1000 / steps_per_second))
    return period, max(1, round(steps_per_second * period / 1000))


def preset_values(name: str) -> dict:
    """A preset's parameter values, over the model's defaults (J_max None: for life)."""
    return Params().model_dump() | PAPER_RUNS[name].params


def page(session):
    """The Epstein live page of one session."""
    import panel as pn
    from bokeh.models import ColumnDataSource, LinearColorMapper
    from bokeh.plotting import figure

    defaults = Params()
    w = {
        "rules": pn.widgets.Select(name="Rule set", options=list(RULE_SETS), value="netlogo", width=140),
        "preset": pn.widgets.Select(name="Preset", options=["none", *LIVE_PRESETS], value="none", width=140),
        "size": pn.widgets.Select(name="Grid", options={"40x40": 40, "100x100": 100, "200x200": 200}, value=40,
                                  width=140),
        "seed": pn.widgets.IntInput(name="Seed", value=0, start=0, width=140),
        "legitimacy": pn.widgets.FloatSlider(name="Legitimacy L (at the next step)", start=0, end=1, step=0.01,
                                             value=defaults.legitimacy),
        "max_jail_term": pn.widgets.IntSlider(name="J_max (steps; 0: for life)", start=0, end=100,
                                              value=defaults.max_jail_term),
        "citizen_density": pn.widgets.FloatSlider(name="Citizen density", start=0, end=1, step=0.01,
                                                  value=defaults.citizen_density),
        "cop_density": pn.widgets.FloatSlider(name="Cop density", start=0, end=0.3, step=0.002,
                                              value=defaults.cop_density),
        "citizen_vision": pn.widgets.FloatSlider(name="Citizen vision", start=1, end=12, step=0.1,
                                                 value=defaults.citizen_vision),
        "cop_vision": pn.widgets.FloatSlider(name="Cop vision", start=1, end=12, step=0.1, value=defaults.cop_vision),
        "speed": pn.widgets.IntSlider(name="Speed (steps a second)", start=1, end=200, value=10,
                                      css_classes=["speed-slider"]),
    }
    play = pn.widgets.Toggle(name="Play", button_type="primary", width=80)
    step_button = pn.widgets.Button(name="Step", width=80)
    reset = pn.widgets.Button(name="Reset", width=80)
    status = pn.pane.Markdown("", css_classes=["live-status"], sizing_mode="stretch_width")
    problem = pn.pane.Markdown("", styles={"color": "#b00"})

    state: dict = {}
    image_source = ColumnDataSource({"image": [np.zeros((1, 1), np.uint8)], "dw": [1], "dh": [1]})
    counts_source = ColumnDataSource({"step": [], "quiet": [], "active": [], "jailed": []})
    grid = figure(width=520, height=520, match_aspect=True, tools="", toolbar_location=None,
                  x_range=(0, 40), y_range=(0, 40), title="quiet, active, jailed, cops")
    grid.image(image="image", x=0, y=0, dw="dw", dh="dh", source=image_source,
               color_mapper=LinearColorMapper(palette=list(CELL_COLOURS), low=-0.5, high=4.5))
    grid.axis.visible = False
    grid.grid.visible = False
    plot = figure(width=520, height=260, title="citizens", x_axis_label="step", tools="", toolbar_location=None)
    for name, colour in zip(("quiet", "active", "jailed"), CELL_COLOURS[1:4]):
        plot.line("step", name, source=counts_source, color=colour, line_width=2, legend_label=name)
    plot.legend.location = "top_left"
    legend = pn.pane.HTML("".join(f'<span style="background:{c};border:1px solid #999;padding:0 8px;'
                                  f'margin:0 4px 0 10px"></span>{n}' for c, n in zip(CELL_COLOURS, CELL_NAMES)))

    def show_status() -> None:
        live: LiveWorld = state["live"]
        q, a, j = live.history[-1]
        status.object = f"step {live.steps_done}: quiet {q}, active {a}, jailed {j}; L = " \
                        f"{live.world.params.legitimacy:.2f}, cops {live.world.n_cops}"

    def new_world(*_events) -> None:
        values = {k: w[k].value for k in ("legitimacy", "max_jail_term", "citizen_density", "cop_density",
                                          "citizen_vision", "cop_vision")}
        values["max_jail_term"] = values["max_jail_term"] or None
        side = w["size"].value
        preset = PAPER_RUNS.get(w["preset"].value)
        try:
            params = make_params(Params, width=side, height=side, **values)
        except Exception as exc:  # QantarInputError: a one-line message
            problem.object = f"error: {exc}"
            return
        problem.object = ""
        state["live"] = live = LiveWorld.start(params, rule_set(w["rules"].value), w["seed"].value,
                                               preset.schedule if preset else ())
        grid.x_range.end, grid.y_range.end = side, side
        image_source.data = {"image": [cell_image(live.world)], "dw": [side], "dh": [side]}
        counts_source.data = {"step": [0], **{n: [v] for n, v in zip(("quiet", "active", "jailed"), live.history[0])}}
        show_status()

    def advance(n: int = 1) -> None:
        live: LiveWorld = state["live"]
        before = live.steps_done
        live.step(n)
        image_source.patch({"image": [((0, slice(None), slice(None)), cell_image(live.world).ravel())]})
        rows = live.history[-n:]
        counts_source.stream({"step": list(range(before + 1, before + n + 1)),
                              **{name: [r[c] for r in rows] for c, name in enumerate(("quiet", "active", "jailed"))}},
                             rollover=5000)
        show_status()

    def tick() -> None:
        advance(state["per_tick"])

    def on_play(event) -> None:
        play.name = "Pause" if event.new else "Play"
        if event.new:
            period, state["per_tick"] = frame_timing(w["speed"].value)
            state["callback"] = pn.state.add_periodic_callback(tick, period=period)
        elif state.get("callback"):
            state.pop("callback").stop()

    def on_speed(event) -> None:
        if state.get("callback"):
            state["callback"].period, state["per_tick"] = frame_timing(event.new)

    def on_legitimacy(event) -> None:
        state["live"].world.set_legitimacy(event.new)
        show_status()

    def on_preset(event) -> None:
        if event.new in PAPER_RUNS:
            values = preset_values(event.new)
            for k in ("legitimacy", "citizen_density", "cop_density", "citizen_vision", "cop_vision"):
                w[k].value = values[k]
            w["max_jail_term"].value = values["max_jail_term"] or 0
            w["size"].value = values["width"] if values["width"] in w["size"].options.values() else 40
        pn.state.curdoc.add_next_tick_callback(new_world)

    def stop() -> None:
        if state.get("callback"):
            state.pop("callback").stop()

    play.param.watch(on_play, "value")
    w["speed"].param.watch(on_speed, "value")
    w["legitimacy"].param.watch(on_legitimacy, "value")
    w["preset"].param.watch(on_preset, "value")
    step_button.on_click(lambda _e: advance(1))
    # a new world replaces the figures' data: done on the document's next tick, which holds its lock
    # (from the button's own callback Bokeh refuses the change: "_pending_writes should be non-None")
    reset.on_click(lambda _e: pn.state.curdoc.add_next_tick_callback(new_world))
    session.on_close(stop)
    new_world()
    controls = pn.Column(pn.Row(w["rules"], w["preset"]), pn.Row(w["size"], w["seed"]),
                         *[w[k] for k in ("legitimacy", "max_jail_term", "citizen_density", "cop_density",
                                          "citizen_vision", "cop_vision", "speed")],
                         pn.Row(play, step_button, reset), problem,
                         pn.pane.Markdown("L acts at the next step; the other settings at **Reset**."), width=340)
    return pn.Row(controls, pn.Column(status, pn.pane.Bokeh(grid), legend, pn.pane.Bokeh(plot)))
