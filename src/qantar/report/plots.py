"""Figures of a run: the time series of quiet, active and jailed citizens, outbursts shaded
(Model I), or of the two groups and the killing (Model II); and the pieces every dated
figure shares: events marked without piled-up labels, day ticks with the month.

Example:
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "s.png")
    >>> plot_series(np.array([[10, 0, 0], [5, 5, 0], [8, 0, 2]]), path, threshold=3, title="demo")
    >>> os.path.getsize(path) > 0
    True
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from qantar.analysis import find_outbursts  # noqa: E402


def plot_series(counts, path, threshold: float, title: str = "", legitimacy=None, cops=None) -> None:
    """Save a PNG of citizens quiet / active / jailed per step, outbursts shaded.

    ``legitimacy`` and ``cops`` (one value per row of ``counts``) are drawn on a second
    axis when they change during the run (the paper's runs 3-5 and any schedule)."""
    counts = np.asarray(counts)
    steps = np.arange(len(counts))
    fig, ax = _start(steps, legitimacy, cops)
    for k, (label, colour) in enumerate((("quiet", "#4c72b0"), ("active", "#c44e52"), ("jailed", "#555555"))):
        ax.plot(steps, counts[:, k], label=label, color=colour, lw=1.2)
    for o in find_outbursts(counts[:, 1], threshold):
        ax.axvspan(o.start, o.end, color="#c44e52", alpha=0.08, lw=0)
    ax.axhline(threshold, color="#c44e52", lw=0.6, ls=":", label=f"outburst threshold ({threshold:g})")
    _finish(fig, ax, path, title)


def plot_groups(counts, path, title: str = "", legitimacy=None, cops=None) -> None:
    """Save a PNG of Model II's living blue and green citizens, the actives of both, and the
    kills per step (counts in the columns of ``engine.intergroup_state.COLUMNS``)."""
    counts = np.asarray(counts)
    steps = np.arange(len(counts))
    fig, ax = _start(steps, legitimacy, cops)
    ax.plot(steps, counts[:, 0:3].sum(axis=1), label="blue (living)", color="#4c72b0", lw=1.2)
    ax.plot(steps, counts[:, 3:6].sum(axis=1), label="green (living)", color="#55a868", lw=1.2)
    ax.plot(steps, counts[:, 1] + counts[:, 4], label="active (killers)", color="#c44e52", lw=0.8)
    ax.plot(steps, counts[:, 6], label="killed per step", color="#555555", lw=0.8)
    _finish(fig, ax, path, title)


def _start(steps, legitimacy, cops):
    """A figure for a run's series, with its changing controls on a second axis."""
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    _plot_controls(ax, steps, legitimacy, cops)
    return fig, ax


def _finish(fig, ax, path, title: str) -> None:
    """Label a run's series figure and save it."""
    ax.set_xlabel("step")
    ax.set_ylabel("citizens")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.margins(x=0)
    save_figure(fig, path)


def save_figure(fig, path, layout: bool = True) -> Path:
    """Lay out (unless the caller did), save (making the folder) and close a figure; return
    its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout:
        fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _plot_controls(ax, steps, legitimacy, cops) -> None:
    """Legitimacy (0..1) and cops (as a share of their largest number) on a right-hand axis,
    each only if it varies."""
    series = []
    if legitimacy is not None and np.ptp(legitimacy) > 0:
        series.append(("legitimacy", np.asarray(legitimacy, float), "#2a9d8f"))
    if cops is not None and np.ptp(cops) > 0:
        top = max(1, int(np.max(cops)))
        series.append((f"cops (share of {top})", np.asarray(cops, float) / top, "#e9a03b"))
    if not series:
        return
    right = ax.twinx()
    for label, values, colour in series:
        right.plot(steps, values, color=colour, lw=1.0, ls="--", label=label)
    right.set_ylim(0, 1.05)
    right.set_ylabel("legitimacy / cops (share)")
    right.legend(loc="upper left", fontsize=8, frameon=False)


def event_groups(events: list[tuple[object, str]], span: float, gap: float = 1 / 60) -> list[list[int]]:
    """Events (``(time, name)``, times as numbers, e.g. days) grouped so that their labels do
    not pile up: an event within ``gap`` x ``span`` of the group before joins it. Returns
    each group's indices into ``events`` sorted by time.

    Example:
        >>> event_groups([(0.0, "a"), (5.0, "csto"), (5.0, "caps"), (5.1, "b"), (9.0, "c")], span=10.0)
        [[0], [1, 2, 3], [4]]
    """
    order = sorted(range(len(events)), key=lambda i: events[i][0])
    groups: list[list[int]] = []
    for i in order:
        if groups and events[i][0] - events[groups[-1][-1]][0] <= gap * span:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def mark_events(axes, events: list[tuple[object, str]], fig=None) -> None:
    """Events on a time axis without piled-up labels: a dotted line at each on every axis in
    ``axes``, a number above the first axis for each group of nearby events (staggered in
    height when groups are close), and, when ``fig`` is given, a key of numbers, times and
    names under the figure."""
    if not events:
        return
    to_num = mdates.date2num
    nums = [(float(to_num(t)), name) for t, name in events]
    lo, hi = axes[0].get_xlim()
    groups = event_groups(nums, max(hi - lo, 1e-9))
    top = axes[0]
    last_x, level = None, 0
    for g in groups:
        x = nums[g[0]][0]
        level = (level + 1) % 3 if last_x is not None and x - last_x < (hi - lo) / 25 else 0
        last_x = x
        label = ",".join(str(i + 1) for i in g)
        top.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2 + 8 * level),
                     textcoords="offset points", ha="center", va="bottom", fontsize=7, color="#444444")
    for ax in axes:
        for x, _ in nums:
            ax.axvline(x, color="#aaaaaa", lw=0.6, ls=":", zorder=0)
    if fig is not None:
        key = "   ".join(f"{i + 1} {t:%d %b %H:%M} {name}" for i, (t, name) in enumerate(events))
        fig.text(0.01, 0.005, "Events: " + key, fontsize=7, color="#444444", wrap=True, va="bottom", ha="left")


def people_axis(ax) -> None:
    """Whole people on the y axis, with thousands separators."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))


def day_axis(ax, days: int) -> None:
    """Ticks on days, labelled with the day and month (every day up to 10 days, then
    spaced so that about 10 fit)."""
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, round(days / 10))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    ax.xaxis.set_minor_locator(mdates.DayLocator())
