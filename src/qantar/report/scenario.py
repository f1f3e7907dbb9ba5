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


#: The verdict table's columns (``verdict_rows`` gives a row of text per verdict).
VERDICT_COLUMNS = ("target", "reported", "simulated (median)", "spread", "runs inside", "median inside")


def verdict_rows(verdicts: list[dict]) -> list[tuple[str, ...]]:
    """Each verdict (``judge_target``'s dict) as the text of the table's columns: the one
    renderer of verdicts, for the report's markdown table and the CLI's printed one.

    Example:
        >>> verdict_rows([{"target": "t", "reported": "1 to 2", "simulated": "2", "detail": "", "met": True,
        ...                "share": 0.75}])[0][-2:]
        ('75%', 'yes')
    """
    return [(v["target"], v["reported"], str(v["simulated"]), v["detail"],
             "-" if v.get("share") is None else f"{v['share']:.0%}", "yes" if v["met"] else "no") for v in verdicts]


def verdict_table(verdicts: list[dict]) -> list[str]:
    """Simulated against reported, a markdown row per target (``judge_target``'s verdicts)."""
    return ["| " + " | ".join(VERDICT_COLUMNS) + " |", "|" + "---|" * len(VERDICT_COLUMNS)] + [
        "| " + " | ".join(row) + " |" for row in verdict_rows(verdicts)]


#: What each kind of target is about, for ``fit_caveat`` (a regional target is about the path).
ASPECTS = {"first_region": "the path city by city", "regions_joined": "the path city by city",
           "largest_region": "the path city by city", "peak_participants": "the national crowds",
           "participants_on": "the national crowds", "peak_date": "the timing", "calm_date": "the timing",
           "detained": "the detentions", "killed": "the dead", "security_killed": "the dead",
           "killed_share": "the dead"}


def fit_caveat(verdicts: list[dict]) -> str:
    """One line under the table: what the fit misses, and so how far its counterfactuals go,
    from the verdicts alone (their ``metric`` and ``region``; the median's verdict).

    Example:
        >>> fit_caveat([{"target": "a", "metric": "killed", "region": None, "met": False, "share": 0.1},
        ...             {"target": "b", "metric": "calm_date", "region": None, "met": True, "share": 0.9}])
        'The fit meets 1 of 2 targets by the median; it misses the dead (1 of 1: a), so its counterfactuals speak to the timing, not to the dead.'
    """
    if not verdicts:
        return "No targets: nothing says how far this scenario's counterfactuals go."
    groups: dict[str, list[dict]] = {}
    for v in verdicts:
        aspect = "the path city by city" if v.get("region") else ASPECTS.get(v.get("metric"), "other targets")
        groups.setdefault(aspect, []).append(v)
    met = sum(v["met"] for v in verdicts)
    head = f"The fit meets {met} of {len(verdicts)} targets by the median"
    missed = {a: [v for v in vs if not v["met"]] for a, vs in groups.items()}
    missed = {a: vs for a, vs in missed.items() if vs}
    if not missed:
        return head + "; its counterfactuals speak to every aspect the targets cover, within the runs' spread."
    misses = "; ".join(f"{a} ({len(vs)} of {len(groups[a])}: {', '.join(v['target'] for v in vs)})"
                       for a, vs in missed.items())
    held = [a for a in groups if a not in missed]
    reach = (f"so its counterfactuals speak to {', '.join(held)}, not to {', '.join(missed)}" if held else
             "so its counterfactuals say nothing any target supports")
    return f"{head}; it misses {misses}, {reach}."


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
    lines += ["## Simulated and reported", "", *verdict_table(verdicts), "", fit_caveat(verdicts), "",
              "## Events", ""]
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
