"""Bokeh views shared by the Scenario and What-if pages: the map, the national series, the
events' timeline, and the tables (targets, regions at a step, B - A).

The map's circles are one ``ColumnDataSource``: moving the time slider patches its columns,
so the browser redraws the circles, never the country.

Example:
    >>> circle_size(0.0, 100.0), circle_size(100.0, 100.0)
    (6.0, 46.0)
    >>> place_labels(["A", "B"], [50, 50], [50, 50], (100, 100), [2, 1])  # one point: a label each side
    [(0, 55.0, 50.0, 'left'), (1, 45.0, 50.0, 'right')]
    >>> "Almaty" in table_html([{"region": "Almaty", "participants": 1200.0}], ["region", "participants"])
    True
"""

from __future__ import annotations

import datetime as dt
import html
import json
from functools import lru_cache
from importlib import resources

import numpy as np

from qantar.dashboard.summary import NATIONAL, EnsembleSummary

#: Outlines shipped in ``dashboard/data`` (data/SOURCE.md says where each comes from).
OUTLINES = ("kazakhstan.geojson",)
SERIES_COLOURS = {"participants": "#d62728", "detained": "#636363", "killed": "#000000"}
#: Target metrics drawn on the national series, and the series each belongs to.
TARGET_SERIES = {"peak_participants": "participants", "participants_on": "participants", "detained": "detained",
                 "killed": "killed"}


def circle_size(participants: float, largest: float) -> float:
    """A circle's diameter in screen pixels: its area grows with participants."""
    return 6.0 + 40.0 * float(np.sqrt(participants / largest)) if largest > 0 else 6.0


@lru_cache(maxsize=None)
def outline_rings(name: str) -> tuple[tuple[list[float], list[float]], ...]:
    """The outer rings of a shipped outline, as (longitudes, latitudes)."""
    data = json.loads((resources.files("qantar.dashboard") / "data" / name).read_text())
    rings = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            ring = np.asarray(polygon[0])
            rings.append((ring[:, 0].tolist(), ring[:, 1].tolist()))
    return tuple(rings)


def outline_for(lons: list[float], lats: list[float]):
    """The shipped outline whose box holds every region (None: no outline)."""
    for name in OUTLINES:
        rings = outline_rings(name)
        xs = np.concatenate([r[0] for r in rings])
        ys = np.concatenate([r[1] for r in rings])
        if all(xs.min() <= x <= xs.max() for x in lons) and all(ys.min() <= y <= ys.max() for y in lats):
            return rings
    return None


#: A label's box in screen pixels: per character at 9pt, its height, the gap to its point.
LABEL_CHAR_PX, LABEL_HEIGHT_PX, LABEL_GAP_PX = 6.5, 12.0, 5.0
#: Where a label may sit beside its point: (dx, dy) in gaps, and the text's alignment.
LABEL_SPOTS = ((1, 0, "left"), (-1, 0, "right"), (0, 1.6, "center"), (0, -1.6, "center"),
               (1, 1.6, "left"), (-1, 1.6, "right"), (1, -1.6, "left"), (-1, -1.6, "right"))


def label_box(text: str, x: float, y: float, align: str) -> tuple[float, float, float, float]:
    """The pixels a label at (x, y) with ``align`` covers: left, bottom, right, top."""
    width = LABEL_CHAR_PX * len(text)
    left = x if align == "left" else x - width if align == "right" else x - width / 2
    return left, y - LABEL_HEIGHT_PX / 2, left + width, y + LABEL_HEIGHT_PX / 2


def place_labels(names: list[str], xs: list[float], ys: list[float], frame: tuple[float, float],
                 priority: list) -> list[tuple[int, float, float, str]]:
    """Labels that do not overlap each other or another region's point, most important
    first (``priority``, high first), inside the ``frame`` (width, height): each as (region's
    index, x, y, align) at one of LABEL_SPOTS, all in screen pixels from the frame's lower
    left (``xs``, ``ys`` are the points'); a region whose label finds no free spot keeps
    only its hover. Greedy, so that 26 regions stay readable."""
    taken: list[tuple[float, float, float, float]] = []
    placed = []
    for k in sorted(range(len(names)), key=lambda k: priority[k], reverse=True):
        for dx, dy, align in LABEL_SPOTS:
            x, y = xs[k] + dx * LABEL_GAP_PX, ys[k] + dy * LABEL_GAP_PX
            box = label_box(names[k], x, y, align)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= frame[0] and box[3] <= frame[1]
            clear = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in taken)
            near = any(box[0] - 2 < xs[j] < box[2] + 2 and box[1] - 2 < ys[j] < box[3] + 2
                       for j in range(len(names)) if j != k)
            if inside and clear and not near:
                taken.append(box)
                placed.append((k, x, y, align))
                break
    return placed


def map_frame(lons: list[float], lats: list[float], frame: tuple[int, int]):
    """The map's ranges holding every point with a degree to spare, a degree of longitude
    drawn cos(latitude) as wide as one of latitude at the middle latitude (so the country
    has its shape), and the pixels a degree of each."""
    x0, x1, y0, y1 = min(lons) - 1, max(lons) + 1, min(lats) - 1, max(lats) + 1
    squeeze = float(np.cos(np.radians((y0 + y1) / 2)))
    per_lat = min(frame[0] / ((x1 - x0) * squeeze), frame[1] / (y1 - y0))
    per_lon = per_lat * squeeze
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_x, half_y = frame[0] / per_lon / 2, frame[1] / per_lat / 2
    return (cx - half_x, cx + half_x), (cy - half_y, cy + half_y), per_lon, per_lat


#: The figure's pixels that are not the map's frame: the axes, the colour bar, the toolbar.
MAP_MARGIN_PX = (170, 90)


def map_layout(regions, rings, priority: list, width: int, height: int) -> dict:
    """What the map draws, for a figure ``width`` x ``height``: its frame in pixels, the
    ranges (``map_frame`` over the regions and the outline ``rings``), each region's point
    in the frame's pixels, and the labels ``place_labels`` keeps (by ``priority``)."""
    frame = (width - MAP_MARGIN_PX[0], height - MAP_MARGIN_PX[1])
    lons, lats = [r.lon for r in regions], [r.lat for r in regions]
    outline_x = [x for ring in rings or () for x in ring[0]]
    outline_y = [y for ring in rings or () for y in ring[1]]
    x_range, y_range, per_lon, per_lat = map_frame(lons + outline_x, lats + outline_y, frame)
    xs = [(x - x_range[0]) * per_lon for x in lons]
    ys = [(y - y_range[0]) * per_lat for y in lats]
    labels = place_labels([r.name for r in regions], xs, ys, frame, priority)
    return {"frame": frame, "x_range": x_range, "y_range": y_range, "xs": xs, "ys": ys, "labels": labels,
            "label_lon": [x_range[0] + x / per_lon for _, x, _, _ in labels],
            "label_lat": [y_range[0] + y / per_lat for _, _, y, _ in labels]}


def located(summary: EnsembleSummary) -> bool:
    """Whether every region of the scenario has coordinates."""
    return all(getattr(r, "lat", None) is not None for r in summary.scenario.regions)


def map_data(summary: EnsembleSummary, step: int) -> dict[str, list]:
    """The circles' columns at ``step``."""
    rows = summary.at(step)
    largest = float(summary.columns["participants"].max())
    return {
        "region": [r["region"] for r in rows],
        "participants": [r["participants"] for r in rows],
        "share": [r["participants"] / r["population"] for r in rows],
        "detained": [r["detained"] for r in rows],
        "killed": [r["killed"] for r in rows],
        "police": [r["police"] for r in rows],
        "curfew": ["yes" if r["curfew"] else "no" for r in rows],
        "size": [circle_size(r["participants"], largest) for r in rows],
    }


def map_figure(summary: EnsembleSummary, title: str, width: int = 600, height: int = 380):
    """The map (outline and circles) at step 0, and the circles' source; or a message when
    regions have no coordinates."""
    from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper
    from bokeh.palettes import OrRd9
    from bokeh.plotting import figure

    regions = summary.scenario.regions
    lons, lats = [r.lon for r in regions], [r.lat for r in regions]
    source = ColumnDataSource({"lon": lons, "lat": lats, **map_data(summary, 0)})
    rings = outline_for(lons, lats)
    peaks = summary.columns["participants"].max(axis=1)  # label first where most people are out
    layout = map_layout(regions, rings, [(float(peaks[k]), r.population) for k, r in enumerate(regions)],
                        width, height)
    fig = figure(frame_width=layout["frame"][0], frame_height=layout["frame"][1], title=title,
                 tools="pan,wheel_zoom,reset", toolbar_location="right", x_range=layout["x_range"],
                 y_range=layout["y_range"], x_axis_label="longitude", y_axis_label="latitude")
    if rings:
        fig.patches([r[0] for r in rings], [r[1] for r in rings], fill_color="#f2f0e6", line_color="#777")
    mapper = LinearColorMapper(palette=list(reversed(OrRd9)), low=0,
                               high=max(1e-6, float((summary.columns["participants"] / summary.population[:, None]).max())))
    circles = fig.scatter("lon", "lat", size="size", source=source, fill_alpha=0.8, line_color="#333",
                          fill_color={"field": "share", "transform": mapper})
    labels = layout["labels"]
    fig.text(layout["label_lon"], layout["label_lat"], text=[regions[k].name for k, *_ in labels],
             text_align=[a for *_, a in labels], text_baseline="middle", text_font_size="9pt")
    fig.add_tools(HoverTool(renderers=[circles], tooltips=[
        ("region", "@region"), ("participants", "@participants{0,0}"), ("share out", "@share{0.00%}"),
        ("detained", "@detained{0,0}"), ("killed", "@killed{0,0}"), ("police", "@police{0,0}"),
        ("curfew", "@curfew")]))
    fig.add_layout(ColorBar(color_mapper=mapper, title="share of its people out", width=8), "right")
    fig.grid.visible = False
    return fig, source


def series_figures(summaries: list[tuple[str, EnsembleSummary, str]], width: int = 560):
    """National participants, detained and killed over time: for each (label, summary,
    colour) the median and its 90% band; the reported figures as markers. Returns the
    figures and their time markers (``Span``, moved with the slider)."""
    from bokeh.models import BoxAnnotation, NumeralTickFormatter, Span
    from bokeh.plotting import figure

    figs, spans = [], []
    first = summaries[0][1]
    for name in NATIONAL:
        fig = figure(width=width, height=190, x_axis_type="datetime", title=f"national {name} (median, 90% of runs)",
                     tools="", toolbar_location=None)
        for label, summary, colour in summaries:
            s = summary.national[name]
            fig.varea(x=summary.times, y1=s["p05"], y2=s["p95"], fill_color=colour, fill_alpha=0.15)
            fig.line(summary.times, s["median"], color=colour, line_width=2, legend_label=label)
        for target in first.scenario.targets:
            if TARGET_SERIES.get(target.metric) != name or target.region is not None:
                continue
            low, high = target.low or 0.0, target.high if target.high is not None else target.low or 0.0
            if target.metric == "peak_participants":  # a level, not a date: a band over the run
                fig.add_layout(BoxAnnotation(bottom=low, top=high, fill_color="#1f77b4", fill_alpha=0.12))
                continue
            if target.on:  # on a day: its middle; by a day: its hour (default its end); else the run's end
                when = dt.datetime.combine(target.on, dt.time(12))
            elif target.by:
                when = dt.datetime.combine(target.by, dt.time()) + dt.timedelta(hours=target.hour or 24)
            else:
                when = first.times[-1]
            fig.segment(x0=[when], x1=[when], y0=[low], y1=[high], line_width=4, color="#1f77b4")
            fig.scatter([when], [(low + high) / 2], size=9, marker="diamond", color="#1f77b4",
                        legend_label="reported")
        fig.yaxis.formatter = NumeralTickFormatter(format="0,0")  # people, never 6.000e+5
        fig.yaxis.axis_label = "people"
        fig.legend.location = "top_left"
        fig.legend.label_text_font_size = "8pt"
        span = Span(location=first.times[0], dimension="height", line_color="#444", line_dash="dashed")
        fig.add_layout(span)
        figs.append(fig)
        spans.append(span)
    return figs, spans


def timeline_figure(scenario, width: int = 560):
    """The scenario's events on its calendar: a bar from start to end (a dot when it has no
    end), labelled, with its type, regions and note on hover."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    events = sorted(scenario.events, key=lambda e: e.at)
    end = scenario.end if hasattr(scenario, "end") else None
    rows = {"name": [], "type": [], "start": [], "stop": [], "y": [], "regions": [], "note": []}
    for k, e in enumerate(events):
        rows["name"].append(e.name)
        rows["type"].append(e.type)
        rows["start"].append(e.at)
        rows["stop"].append(getattr(e, "until", None) or e.at + dt.timedelta(hours=6))
        rows["y"].append(len(events) - k)
        rows["regions"].append(e.regions if isinstance(e.regions, str) else ", ".join(e.regions))
        rows["note"].append(e.note or "")
    source = ColumnDataSource(rows)
    fig = figure(width=width, height=max(160, 24 * len(events) + 50), x_axis_type="datetime",
                 title="events", tools="", toolbar_location=None, x_range=(scenario.start, end) if end else None)
    bars = fig.hbar(y="y", left="start", right="stop", height=0.6, source=source, color="#9467bd", alpha=0.7)
    fig.text(x="start", y="y", text="name", source=source, x_offset=4, y_offset=6, text_font_size="8pt")
    fig.yaxis.visible = False
    fig.ygrid.visible = False
    fig.add_tools(HoverTool(renderers=[bars], tooltips=[("event", "@name (@type)"), ("from", "@start{%F %H:%M}"),
                                                         ("to", "@stop{%F %H:%M}"), ("regions", "@regions"),
                                                         ("note", "@note")],
                            formatters={"@start": "datetime", "@stop": "datetime"}))
    return fig


def number(value) -> str:
    """A count as shown: thousands separated, no decimals."""
    return f"{value:,.0f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def table_html(rows: list[dict], columns: list[str], css: str = "qantar-table") -> str:
    """Rows as a small HTML table (numbers as ``number`` shows them)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(number(row.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for row in rows)
    return (f'<table class="{css}" style="border-collapse:collapse;font-size:13px">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "<style>.qantar-table td,.qantar-table th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
            ".qantar-table td:first-child{text-align:left}</style>")


def targets_rows(targets: list[dict]) -> list[dict]:
    """The targets' verdicts as table rows: met, and the share of runs inside."""
    return [{"target": t["target"], "reported": t["reported"], "simulated (median)": str(t["simulated"]),
             "spread": t["detail"], "met": "yes" if t["met"] else "no",
             "runs inside": f"{t.get('share', 0.0):.0%}"} for t in targets]


TARGET_COLUMNS = ["target", "reported", "simulated (median)", "spread", "met", "runs inside"]
REGION_TABLE_COLUMNS = ["region", "participants", "detained", "killed", "police", "curfew"]


def region_rows(summary: EnsembleSummary, step: int) -> list[dict]:
    """The regions at ``step`` as table rows."""
    return [{**r, "curfew": "yes" if r["curfew"] else "no"} for r in summary.at(step)]


def when(summary: EnsembleSummary, step: int) -> str:
    """The time of ``step`` as shown beside the slider."""
    return f"{summary.times[step]:%a %d %b %Y %H:%M} (step {step} of {summary.steps})"
