"""One or more ensembles on one clock: a map for each, one time slider with play/pause, the
regions' numbers at that time, and the national series with a marker at that time. The
Scenario page shows one ensemble; the What-if page the baseline and the what-if.

A view is built once per result; the slider moves it by patching the maps' sources and
moving the series' markers.
"""

from __future__ import annotations

from qantar.dashboard import views
from qantar.dashboard.summary import EnsembleSummary

#: Milliseconds between two frames while the slider plays.
PLAY_MS = 250


class TimeView:
    """Maps, slider, tables and series for ``(label, summary, colour)`` ensembles that share
    a calendar (the first one's steps)."""

    def __init__(self, session, ensembles: list[tuple[str, EnsembleSummary, str]]):
        import panel as pn

        self.ensembles = ensembles
        first = ensembles[0][1]
        steps = min(s.steps for _, s, _ in ensembles)
        self.slider = pn.widgets.IntSlider(name="time (step)", start=0, end=steps, value=0, width=460,
                                           css_classes=["time-slider"])
        self.play = pn.widgets.Toggle(name="Play", width=80, button_type="primary")
        self.clock = pn.pane.Markdown(views.when(first, 0), css_classes=["scenario-clock"])
        self.maps, self.tables = [], []
        for label, summary, _ in ensembles:
            if views.located(summary):
                fig, source = views.map_figure(summary, f"{label}: participants by region")
                self.maps.append((summary, source, pn.pane.Bokeh(fig)))
            else:
                self.maps.append((summary, None, pn.pane.Markdown(
                    f"**{label}**: no map; the scenario's regions have no coordinates (give each region "
                    "`lat` and `lon` in its file).")))
            self.tables.append(pn.pane.HTML(self._table(summary, 0), css_classes=["region-table"]))
        figs, self.spans = views.series_figures(ensembles)
        self.series = [pn.pane.Bokeh(f) for f in figs]
        self._callback = None
        self.slider.param.watch(lambda e: self.show(e.new), "value")
        self.play.param.watch(self._on_play, "value")
        session.on_close(self.stop)

    @staticmethod
    def _table(summary: EnsembleSummary, step: int) -> str:
        return views.table_html(views.region_rows(summary, step), views.REGION_TABLE_COLUMNS)

    def show(self, step: int) -> None:
        """Move every view to ``step``."""
        first = self.ensembles[0][1]
        self.clock.object = views.when(first, step)
        for (summary, source, _), table in zip(self.maps, self.tables):
            if source is not None:
                data = views.map_data(summary, step)
                source.patch({k: [(slice(0, len(v)), v)] for k, v in data.items()})
            table.object = self._table(summary, step)
        for span in self.spans:
            span.location = first.times[step]

    def _tick(self) -> None:
        self.slider.value = self.slider.value + 1 if self.slider.value < self.slider.end else 0

    def _on_play(self, event) -> None:
        import panel as pn

        self.play.name = "Pause" if event.new else "Play"
        if event.new:
            self._callback = pn.state.add_periodic_callback(self._tick, period=PLAY_MS)
        else:
            self.stop()

    def stop(self) -> None:
        """Stop playing."""
        if self._callback is not None:
            self._callback.stop()
            self._callback = None

    def layout(self, side_by_side: bool = False):
        """The maps with the slider, the tables, and the series."""
        import panel as pn

        controls = pn.Row(self.play, self.slider, self.clock)
        maps = [m for _, _, m in self.maps]
        labelled = [pn.Column(pn.pane.Markdown(f"**{label}**: regions at this time"), t)
                    for (label, _, _), t in zip(self.ensembles, self.tables)]
        if side_by_side:
            return pn.Column(controls, pn.Row(*maps), pn.Row(*labelled), pn.Row(*self.series[:2]),
                             self.series[2])
        return pn.Column(controls, pn.Row(pn.Column(*maps, *labelled), pn.Column(*self.series)))
