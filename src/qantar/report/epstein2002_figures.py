"""Figures of the Epstein (2002) reproduction, in the style of the paper's: actives over time
with outbursts marked, the distributions of waiting times and of activation per outburst,
legitimacy, actives and jailed for runs 3 and 4, and run 1's two screens (grievance and
action) at one step; for Model II, the two groups over time in runs 6-8 and with
peacekeepers, run 7's grid at chosen steps, and time to extinction against cop density.

Each function writes one PNG and returns its path; ``qantar reproduce`` calls them and links
them from the report.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from qantar.analysis import find_outbursts  # noqa: E402
from qantar.report.plots import save_figure  # noqa: E402
from qantar.engine.state import ACTIVE, CITIZEN, COP, JAILED  # noqa: E402
from qantar.rules.formulas import grievance  # noqa: E402

COLOURS = {"paper": "#4c72b0", "netlogo": "#dd8452", "mesa": "#55a868"}


def actives_over_time(series: dict[str, np.ndarray], threshold: float, path: Path) -> Path:
    """Run 2: actives per step for one seed of each rule set, outbursts shaded (Figs. 3-4)."""
    fig, axes = plt.subplots(len(series), 1, figsize=(10, 2.2 * len(series)), dpi=110, sharex=True, squeeze=False)
    for ax, (rules, counts) in zip(axes[:, 0], series.items()):
        active = np.asarray(counts)[:, 1]
        ax.plot(active, color=COLOURS.get(rules, "k"), lw=0.8)
        for o in find_outbursts(active, threshold):
            ax.axvspan(o.start, o.end, color="#c44e52", alpha=0.12, lw=0)
        ax.axhline(threshold, color="#c44e52", lw=0.6, ls=":")
        ax.set_ylabel(f"{rules}\nactives")
        ax.margins(x=0)
    axes[-1, 0].set_xlabel("step")
    axes[0, 0].set_title(f"Run 2: actives per step (first seed); outbursts (above {threshold:g}) shaded")
    return save_figure(fig, path)


def distributions(values: dict[str, list[float]], paper_mean: float, paper_sd: float, xlabel: str, title: str,
                  path: Path) -> Path:
    """Histograms of a pooled measure per rule set, with the paper's mean and s.d. marked (Figs. 5, 7)."""
    fig, ax = plt.subplots(figsize=(8, 4), dpi=110)
    top = max([max(v) for v in values.values() if v] + [paper_mean + 2 * paper_sd])
    bins = np.linspace(0, top, 40)
    for rules, v in values.items():
        if v:
            ax.hist(v, bins=bins, density=True, histtype="step", lw=1.4, color=COLOURS.get(rules, "k"),
                    label=f"{rules} (n = {len(v)}, mean {np.mean(v):.0f})")
    ax.axvline(paper_mean, color="k", lw=1.2, label=f"paper: mean {paper_mean:g}, s.d. {paper_sd:g}")
    ax.axvspan(max(0, paper_mean - paper_sd), paper_mean + paper_sd, color="k", alpha=0.07, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    return save_figure(fig, path)


def salami_and_jump(runs: dict[str, dict[str, object]], path: Path) -> Path:
    """Runs 3 and 4 (first seed of each rule set): legitimacy, actives and jailed (Figs. 9-10)."""
    fig, axes = plt.subplots(3, len(runs), figsize=(4 * len(runs), 7), dpi=110, sharex=True, squeeze=False)
    for col, (rules, by_run) in enumerate(runs.items()):
        for name, style in (("run3", "-"), ("run4", "--")):
            result = by_run[name]
            counts = np.asarray(result.counts)
            label = {"run3": "run 3 (small steps)", "run4": "run 4 (one jump)"}[name]
            axes[0, col].plot(result.legitimacy, ls=style, color="k", lw=1, label=label)
            axes[1, col].plot(counts[:, 1], ls=style, color="#c44e52", lw=1, label=label)
            axes[2, col].plot(counts[:, 2], ls=style, color="#555555", lw=1, label=label)
        axes[0, col].set_title(rules)
        for row, ylabel in enumerate(("legitimacy", "actives", "jailed")):
            axes[row, col].set_ylabel(ylabel)
            axes[row, col].margins(x=0)
        axes[2, col].set_xlabel("step")
    axes[1, 0].legend(fontsize=8, frameon=False)
    return save_figure(fig, path)


def screens(world, path: Path, step: int) -> Path:
    """Run 1 at one step: the grievance screen (citizens shaded by G) beside the action
    screen (quiet, active, jailed, cops), as the paper's Fig. 1."""
    a, p = world.agents, world.params
    g_grid = np.full(p.cells, np.nan)
    action = np.zeros(p.cells)  # 0 empty, 1 quiet, 2 active, 3 jailed, 4 cop
    citizens = np.flatnonzero(a.kind == CITIZEN)
    free = citizens[a.state[citizens] != JAILED]
    g_grid[a.pos[free]] = grievance(a.hardship[free], p.legitimacy)
    action[a.pos[citizens]] = np.where(a.state[citizens] == ACTIVE, 2, np.where(a.state[citizens] == JAILED, 3, 1))
    action[a.pos[a.kind == COP]] = 4
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5), dpi=110)
    im = left.imshow(g_grid.reshape(p.height, p.width), cmap="Reds", vmin=0, vmax=1 - p.legitimacy)
    left.set_title(f"grievance G = H(1 - L), step {step}")
    fig.colorbar(im, ax=left, fraction=0.046)
    cmap = ListedColormap(["white", "#4c72b0", "#c44e52", "#bbbbbb", "black"])
    right.imshow(action.reshape(p.height, p.width), cmap=cmap, vmin=0, vmax=4)
    right.set_title("action: quiet blue, active red, jailed grey, cops black")
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    return save_figure(fig, path)


GROUP_COLOURS = ("#4c72b0", "#55a868")  # blue, green


def groups_over_time(runs: dict[str, dict[str, object]], names: tuple[str, ...], path: Path) -> Path:
    """Model II (first seed of each rule set): living blue and green citizens and kills per
    step, one column per run (Figs. 12-14)."""
    fig, axes = plt.subplots(len(runs), len(names), figsize=(3.6 * len(names), 2.4 * len(runs)), dpi=110,
                             sharex=True, sharey=True, squeeze=False)
    for row, (rules, by_run) in enumerate(runs.items()):
        for col, name in enumerate(names):
            ax = axes[row, col]
            counts = np.asarray(by_run[name].counts)
            for g, label in enumerate(("blue", "green")):
                ax.plot(counts[:, 3 * g: 3 * g + 3].sum(axis=1), color=GROUP_COLOURS[g], lw=1, label=label)
            ax.plot(counts[:, 6], color="#c44e52", lw=0.6, label="killed per step")
            if row == 0:
                ax.set_title(name)
            if col == 0:
                ax.set_ylabel(f"{rules}\ncitizens")
            ax.margins(x=0)
    for ax in axes[-1]:
        ax.set_xlabel("step")
    axes[0, 0].legend(fontsize=7, frameon=False)
    return save_figure(fig, path)


def group_screens(worlds: list[tuple[object, int]], path: Path) -> Path:
    """Model II's grid at chosen steps: blue and green citizens, actives (killers) red,
    jailed grey, cops black (Fig. 13)."""
    from qantar.engine.intergroup_state import DEAD

    fig, axes = plt.subplots(1, len(worlds), figsize=(3.4 * len(worlds), 3.6), dpi=110, squeeze=False)
    cmap = ListedColormap(["white", GROUP_COLOURS[0], GROUP_COLOURS[1], "#c44e52", "#bbbbbb", "black"])
    for ax, (world, step) in zip(axes[0], worlds):
        a, p = world.agents, world.params
        grid = np.zeros(p.cells)
        live = np.flatnonzero(a.state != DEAD)
        cit = live[a.kind[live] == CITIZEN]
        grid[a.pos[cit]] = np.where(a.state[cit] == ACTIVE, 3, np.where(a.state[cit] == JAILED, 4, 1 + a.group[cit]))
        grid[a.pos[live[a.kind[live] == COP]]] = 5
        ax.imshow(grid.reshape(p.height, p.width), cmap=cmap, vmin=0, vmax=5)
        ax.set_title(f"step {step}")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Run 7: blue, green, active red, jailed grey, cops black")
    return save_figure(fig, path)


def extinction_by_density(sweeps: dict[str, list], cap: int, path: Path) -> Path:
    """Figs. 15-17: time to extinction of each run against initial cop density (runs that
    reach the cap drawn at it, hollow), with the mean and s.d. per density."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    for rules, runs in sweeps.items():
        colour = COLOURS.get(rules, "k")
        dens = np.array([r.cop_density for r in runs])
        time = np.array([cap if r.extinct_step is None else r.extinct_step for r in runs], float)
        censored = np.array([r.extinct_step is None for r in runs])
        left.scatter(dens[~censored], time[~censored], s=8, color=colour, alpha=0.5)
        left.scatter(dens[censored], time[censored], s=14, facecolors="none", edgecolors=colour)
        xs = np.unique(dens)
        means = [time[dens == x].mean() for x in xs]
        sds = [time[dens == x].std(ddof=1) if (dens == x).sum() > 1 else 0.0 for x in xs]
        left.plot(xs, means, color=colour, lw=1.2, label=f"{rules}: mean")
        right.plot(xs, sds, color=colour, lw=1.2, label=rules)
    left.set_yscale("log")
    left.set_xlabel("initial cop density")
    left.set_ylabel(f"steps to extinction (hollow: none by {cap})")
    left.legend(fontsize=8, frameon=False)
    right.set_xlabel("initial cop density")
    right.set_ylabel("s.d. of steps to extinction")
    right.legend(fontsize=8, frameon=False)
    fig.suptitle("Time to extinction against initial cop density (Figs. 15-17)")
    return save_figure(fig, path)
