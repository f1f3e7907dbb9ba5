"""A scenario ensemble's report: simulated beside reported, the national series with the
events marked on the time axis (median and 90% band over runs), and each region's.

Example:
    >>> band(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))[0].tolist()    # median per step
    [3.0, 4.0]
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from qantar.report.plots import save_figure  # noqa: E402


def band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, 5th and 95th percentiles over runs (axis 0)."""
    return np.median(values, axis=0), np.percentile(values, 5, axis=0), np.percentile(values, 95, axis=0)


def on_one_clock(series: list[tuple[list, np.ndarray]]) -> tuple[list, np.ndarray]:
    """Runs' series (``(times, values)`` each) as rows on one time axis, the finest run's.
    Runs of an ensemble share their times, except when each takes a posterior particle
    with its own steps a day; a coarser run then shows, at each time, its last value
    recorded at or before it (counts hold between steps)."""
    times = max((t for t, _ in series), key=len)
    grid = np.array([t.timestamp() for t in times])
    rows = []
    for t, v in series:
        if len(t) == len(times):
            rows.append(np.asarray(v))
            continue
        own = np.array([x.timestamp() for x in t])
        rows.append(np.asarray(v)[np.clip(np.searchsorted(own, grid, side="right") - 1, 0, len(own) - 1)])
    return list(times), np.array(rows)


def plot_band(ax, times, values: np.ndarray, colour: str, label: str | None = None, lw: float = 1.3) -> None:
    """Median over runs (rows of ``values``) as a line, their 5-95% band shaded."""
    mid, lo, hi = band(values)
    ax.fill_between(times, lo, hi, color=colour, alpha=0.2, lw=0)
    ax.plot(times, mid, color=colour, lw=lw, label=label)


def _mark_events(ax, scenario) -> None:
    """Vertical lines at each event's time, labelled by name."""
    top = ax.get_ylim()[1]
    for e in scenario.events:
        ax.axvline(e.at, color="#999999", lw=0.6, ls=":")
        ax.text(e.at, top, e.name, rotation=90, fontsize=6, va="top", ha="right", color="#555555")


def national_figure(runs: list, path: Path) -> Path:
    """National participants and detained (people): median and 90% band over runs, events marked."""
    scenario = runs[0].scenario
    fig, axes = plt.subplots(3, 1, figsize=(11, 8.5), dpi=110, sharex=True)
    top, bottom = axes[0], axes[-1]
    panels = ((axes[0], ("active",), "#c44e52", "participants (active)"),
              (axes[1], ("detained",), "#555555", "detained (cumulative)"),
              (axes[2], ("civilians_killed", "security_killed"), "#000000", "killed (cumulative)"))
    for ax, columns, colour, label in panels:
        times, values = on_one_clock([(r.times, sum(r.people(c) for c in columns).sum(axis=0)) for r in runs])
        plot_band(ax, times, values, colour, f"median of {len(runs)} runs, 90% band")
        ax.set_ylabel(label)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        _mark_events(ax, scenario)
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    top.set_title(f"{scenario.title or scenario.name}: national totals")
    return save_figure(fig, path)


def regions_figure(runs: list, path: Path) -> Path:
    """Each region's participants: median and 90% band over runs."""
    scenario = runs[0].scenario
    n = len(runs[0].regions)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.2 * rows), dpi=110, sharex=True, squeeze=False)
    for k, name in enumerate(runs[0].regions):
        ax = axes[k // cols, k % cols]
        plot_band(ax, *on_one_clock([(r.times, r.people("active")[k]) for r in runs]), "#c44e52", lw=1.0)
        ax.set_title(name, fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d"))
    for k in range(n, rows * cols):
        axes[k // cols, k % cols].axis("off")
    fig.suptitle(f"{scenario.title or scenario.name}: participants by region (median, 90% band)")
    return save_figure(fig, path)


def verdict_table(verdicts: list[dict]) -> list[str]:
    """Simulated against reported, a markdown row per target (``judge_target``'s verdicts)."""
    return ["| target | reported | simulated (median) | spread | inside |", "|---|---|---|---|---|"] + [
        f"| {v['target']} | {v['reported']} | {v['simulated']} | {v['detail']} | {'yes' if v['met'] else 'no'} |"
        for v in verdicts]


def render_markdown(runs: list, verdicts: list[dict], command: str, provenance: dict, figures: list[str]) -> str:
    """The report: what was run, simulated against reported (``verdicts``, from
    ``analysis.scenario_measures.judge_target``), the events, the figures."""
    s = runs[0].scenario
    lines = [
        f"# {s.title or s.name}",
        "",
        f"Made by `{command}` (qantar {provenance.get('qantar_version')}, commit {provenance.get('git_commit')}): "
        f"{len(runs)} runs, seeds `SeedSequence({provenance.get('entropy')}).spawn({len(runs)})`, rule set "
        f"`{s.rules}`, {s.steps_per_day} steps a day, {s.scale:g} people per agent.",
        "",
    ]
    if provenance.get("posterior"):
        lines += [f"Each run took a particle of the posterior in `{provenance['posterior']['folder']}` "
                  f"(generation {provenance['posterior']['generation']}), drawn by weight: its values, which may "
                  "include the steps a day above, are in `runs.json`.", ""]
    lines += ["## Simulated and reported", "", *verdict_table(verdicts), "", "## Events", ""]
    for e in sorted(s.events, key=lambda e: e.at):
        lines.append(f"- {e.at:%d %b %H:%M} `{e.name}` ({e.type}, {', '.join(e.region_names(s.region_names))}): "
                     f"{e.note or ''} [{e.source}]")
    lines += [""] + [f"![figure]({f})" for f in figures]
    lines += ["", "## Sources", ""]
    lines += [f"- [{sid}] {src.title}" + (f", {src.date}" if src.date else "") + (f", {src.url}" if src.url else "")
              for sid, src in s.sources.items()]
    return "\n".join(lines) + "\n"


def compare_figure(label_a: str, runs_a: pa.Table, label_b: str, runs_b: pa.Table, path: Path) -> Path:
    """National participants of two ensembles (``series.parquet`` tables): median and 90% band."""
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=110)
    for label, table, colour in ((label_a, runs_a, "#4c72b0"), (label_b, runs_b, "#c44e52")):
        nat = table.filter(pc.equal(table["region"], "national")).sort_by([("run", "ascending"), ("step", "ascending")])
        runs, times, active = nat["run"].to_numpy(), nat["time"].to_pylist(), nat["active"].to_numpy()
        starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1], True])  # run numbers may have gaps
        plot_band(ax, *on_one_clock([(times[a:b], active[a:b]) for a, b in zip(starts[:-1], starts[1:])]), colour,
                  f"{label} (median, 90% band)")
    ax.set_ylabel("participants (active)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("National participants, two ensembles")
    return save_figure(fig, path)
