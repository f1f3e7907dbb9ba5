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
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from qantar.report.plots import day_axis, mark_events, people_axis, save_figure  # noqa: E402
from qantar.scenario.timeline import event_steps  # noqa: E402


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


def plot_band(ax, times, values: np.ndarray, colour: str, label: str | None = None, lw: float = 1.6) -> None:
    """The runs' spread (rows of ``values``) under a bold median: the middle 50% of runs
    shaded, the 90% lighter. When a few runs go far above the rest, the axis stops at 1.6
    times the highest 75th percentile (or median), so that the median stays readable; the
    legend then says how high the 90% band goes."""
    mid, lo, hi = band(values)
    q25, q75 = np.percentile(values, 25, axis=0), np.percentile(values, 75, axis=0)
    people_axis(ax)
    ax.fill_between(times, lo, hi, color=colour, alpha=0.12, lw=0)
    ax.fill_between(times, q25, q75, color=colour, alpha=0.28, lw=0)
    cap = 1.6 * max(float(q75.max()), float(mid.max()), 1.0)
    clipped = float(hi.max()) > cap
    ax.plot(times, mid, color=colour, lw=lw, label=None if label is None else
            label + (f" (90% band up to {hi.max():,.0f})" if clipped else ""))
    top = cap if clipped else 1.05 * max(float(hi.max()), 1.0)
    ax.set_ylim(0, max(top, ax.get_ylim()[1]) if len(ax.lines) > 1 else top)


def spread_note(n: int) -> str:
    """How the figures show an ensemble of ``n`` runs."""
    return f"median of {n} runs (line), middle 50% (dark), 90% (light)"


def national_figure(runs: list, path: Path) -> Path:
    """National participants, detained and killed (civilians and security apart), in people:
    the runs' spread under the median, events marked and keyed below."""
    scenario = runs[0].scenario
    fig, axes = plt.subplots(3, 1, figsize=(11, 9), dpi=110, sharex=True)
    panels = ((axes[0], (("active", "#c44e52", "participants"),), "participants (active)"),
              (axes[1], (("detained", "#555555", "detained"),), "detained (cumulative)"),
              (axes[2], (("civilians_killed", "#000000", "civilians killed"),
                         ("security_killed", "#4c72b0", "security killed")), "killed (cumulative)"))
    for ax, series, ylabel in panels:
        for column, colour, label in series:
            times, values = on_one_clock([(r.times, r.people(column).sum(axis=0)) for r in runs])
            plot_band(ax, times, values, colour, label)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    axes[0].set_xlim(scenario.start, scenario.end)
    day_axis(axes[-1], scenario.days)
    mark_events(list(axes), [(e.at, e.name) for e in sorted(scenario.events, key=lambda e: e.at)], fig)
    axes[0].set_title(f"{scenario.title or scenario.name}: national totals, {spread_note(len(runs))}", pad=30)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return save_figure(fig, path, layout=False)


def regions_figure(runs: list, path: Path) -> Path:
    """Each region's participants: the runs' spread under the median, days with the month."""
    scenario = runs[0].scenario
    n = len(runs[0].regions)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.3 * rows), dpi=110, sharex=True, squeeze=False)
    for k, name in enumerate(runs[0].regions):
        ax = axes[k // cols, k % cols]
        plot_band(ax, *on_one_clock([(r.times, r.people("active")[k]) for r in runs]), "#c44e52", lw=1.2)
        ax.set_title(name, fontsize=9)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))  # whole people, even where nobody is out
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
        if k % cols == 0:
            ax.set_ylabel("participants", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xlim(scenario.start, scenario.end)
        day_axis(ax, 2 * scenario.days)  # about 5 ticks in a small panel
        if k + cols >= n:  # no panel below: its own dates
            ax.xaxis.set_tick_params(labelbottom=True)
    for k in range(n, rows * cols):
        axes[k // cols, k % cols].axis("off")
    fig.suptitle(f"{scenario.title or scenario.name}: participants by region, {spread_note(len(runs))}")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))  # the title above the first row's
    return save_figure(fig, path, layout=False)


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


#: What each kind of target is about, for ``fit_caveat`` (a regional crowd or date is about the path).
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
        aspect = ASPECTS.get(v.get("metric"), "other targets")
        if v.get("region") and aspect in ("the national crowds", "the timing"):
            aspect = "the path city by city"  # a regional crowd or date is the path's
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


def until_note(cut: dict) -> str:
    """What ``--until`` left out (``scenario.load.cut_at``'s record), in a sentence.

    Example:
        >>> until_note({"until": "2022-01-05", "days": 4, "events_left_out": ["csto"], "events_cut_short": [],
        ...             "targets_not_judged": ["calm"]})
        'Run only up to 2022-01-05 (--until; 4 days). Events left out: csto. Targets not judged (dated after it, or about the whole calendar): calm.'
    """
    parts = [f"Run only up to {cut['until']} (--until; {cut['days']} days)."]
    for key, label in (("events_left_out", "Events left out"), ("events_cut_short", "Events ended with the run"),
                       ("targets_not_judged", "Targets not judged (dated after it, or about the whole calendar)")):
        if cut.get(key):
            parts.append(f"{label}: {', '.join(cut[key])}.")
    return " ".join(parts)


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
    if provenance.get("until"):
        lines += [until_note(provenance["until"]), ""]
    lines += ["## Simulated and reported", "", *verdict_table(verdicts), "", fit_caveat(verdicts), "",
              "## Events", ""]
    acts = {name: at for name, _, at in event_steps(s)}  # an event inside a step acts from the next one
    lines += [f"Times on the scenario's clock (UTC{s.utc_offset:+g}); an event dated inside a step acts from the "
              "next step's start, as listed; curfew hours, and the day's hours of a daytime event, act for the hours "
              "declared, in each region's own time.", ""]
    for e in sorted(s.events, key=lambda e: e.at):
        when = f"{e.at:%d %b %H:%M}" + (f", acts from {acts[e.name]:%d %b %H:%M}" if acts[e.name] != e.at else "")
        lines.append(f"- {when} `{e.name}` ({e.type}, {', '.join(e.region_names(s.region_names))}): "
                     f"{e.note or ''} [{e.source}]")
    lines += [""] + [f"![figure]({f})" for f in figures]
    lines += ["", "## Sources", ""]
    lines += [f"- [{sid}] {src.title}" + (f", {src.date}" if src.date else "") + (f", {src.url}" if src.url else "")
              for sid, src in s.sources.items()]
    return "\n".join(lines) + "\n"


def compare_figure(label_a: str, runs_a: pa.Table, label_b: str, runs_b: pa.Table, path: Path) -> Path:
    """National participants of two ensembles (``series.parquet`` tables): each one's spread
    under its median."""
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=110)
    span = []
    for label, table, colour in ((label_a, runs_a, "#4c72b0"), (label_b, runs_b, "#c44e52")):
        nat = table.filter(pc.equal(table["region"], "national")).sort_by([("run", "ascending"), ("step", "ascending")])
        runs, times, active = nat["run"].to_numpy(), nat["time"].to_pylist(), nat["active"].to_numpy()
        starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1], True])  # run numbers may have gaps
        clock, values = on_one_clock([(times[a:b], active[a:b]) for a, b in zip(starts[:-1], starts[1:])])
        plot_band(ax, clock, values, colour, f"{label} (median; middle 50% dark, 90% light)")
        span += [clock[0], clock[-1]]
    ax.set_ylabel("participants (active)")
    day_axis(ax, max(1, (max(span) - min(span)).days))
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("National participants, two ensembles")
    return save_figure(fig, path)
