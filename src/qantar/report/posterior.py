"""A calibration's report: how the tolerance fell, and what the posterior says of each parameter.

``calibration.md`` in the calibration's folder, with ``posterior.png`` (each parameter's
weighted histogram over its prior range). Summaries are weighted: the median and the 5% and
95% quantiles of each marginal, and the share of the prior range the 90% interval spans (a
small share: the targets pin the parameter down; near 1: they say little about it).

Example:
    >>> weighted_quantiles(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), [0.5])
    [2.0]
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from qantar.report.plots import save_figure  # noqa: E402


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> list[float]:
    """The lower weighted quantiles: the smallest value whose cumulative weight reaches q."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    return [float(values[order][min(len(values) - 1, int(np.searchsorted(cum, q - 1e-12)))]) for q in qs]


def marginals(manifest: dict, table) -> list[dict]:
    """Per parameter: prior range, weighted median and 90% interval, and its share of the range."""
    w = table.column("weight").to_numpy()
    out = []
    for p in manifest["settings"]["parameters"]:
        values = np.asarray(table.column(p["name"]).to_numpy(), dtype=float)
        lo, med, hi = weighted_quantiles(values, w, [0.05, 0.5, 0.95])
        if p["choices"]:
            prior, share = ", ".join(f"{c:g}" for c in p["choices"]), float("nan")
        else:
            prior = f"{p['low']:g} to {p['high']:g}" + (" (log)" if p["log"] else "")
            span = (np.log(hi / lo) / np.log(p["high"] / p["low"])) if p["log"] else (hi - lo) / (p["high"] - p["low"])
            share = float(span)
        out.append({"name": p["name"], "prior": prior, "median": med, "low": lo, "high": hi, "share": share})
    return out


def generations_table(generations: list[dict]) -> list[str]:
    """A markdown row per generation: tolerance, runs, acceptance, effective sample size."""
    return ["| generation | tolerance | runs | acceptance | effective sample size |", "|---|---|---|---|---|"] + [
        f"| {g['generation']} | {g['epsilon']:.3f} | {g['evaluations']} | {g['acceptance_rate']:.2f} | "
        f"{g['effective_sample_size']:.0f} |" for g in generations]


def marginals_table(manifest: dict, table, chosen: dict | None = None) -> list[str]:
    """A markdown row per parameter (``marginals``), with a ``chosen`` point's values if given."""
    extra = ("", "") if chosen is None else (" chosen |", "---|")
    rows = [f"| parameter | prior | median | 90% interval | share |{extra[0]}", f"|---|---|---|---|---|{extra[1]}"]
    for m in marginals(manifest, table):
        share = "" if np.isnan(m["share"]) else f"{m['share']:.2f}"
        rows.append(f"| {m['name']} | {m['prior']} | {m['median']:.4g} | {m['low']:.4g} to {m['high']:.4g} | {share} |"
                    + ("" if chosen is None else f" {chosen[m['name']]:.4g} |"))
    return rows


def render(manifest: dict, table, figure: str) -> str:
    """The markdown report of a calibration folder."""
    s = manifest["settings"]
    sessions = manifest.get("sessions", [])
    lines = [f"# Calibration of {s.get('scenario_name', s['scenario'])} by ABC-SMC", "",
             f"{len(s['parameters'])} parameters, a population of {s['population']}, entropy {s['entropy']}; "
             f"{manifest.get('runs_executed', 0)} runs in {manifest.get('seconds_total', 0):.0f} s, in "
             f"{len(sessions)} session(s). The distance is the root mean square of the targets' distances in one "
             "run (0 inside every reported range; see `docs/experiments.md`).", ""]
    if s.get("targets") is not None:
        lines += ["Fitted to these targets only: " + ", ".join(f"`{t}`" for t in s["targets"]), ""]
    if s["fixed"]:
        lines += ["Fixed at every particle: " + ", ".join(f"`{a}`" for a in s["fixed"]), ""]
    lines += ["| session | started | qantar, commit | runs | failed | stopped |", "|---|---|---|---|---|---|"]
    lines += [f"| {k + 1} | {x['started']} | {x['qantar_version']}, {str(x['git_commit'])[:10]} | {x['runs_executed']} | "
              f"{'not counted' if x['failed_runs'] is None else x['failed_runs']} | {x['stopped']} |"
              for k, x in enumerate(sessions)]
    errors = [x["first_error"] for x in sessions if x.get("first_error")]
    lines += [""] + ([f"Failed runs count as rejected; the first error: `{errors[0]}`", ""] if errors else [])
    if sessions and "refused" in sessions[-1]["stopped"]:
        lines += ["**The last generation failed**: the posterior is the last complete generation's.", ""]
    if sessions and sessions[-1]["stopped"] == "interrupted":
        lines += ["**Interrupted**: the posterior is the last complete generation's.", ""]
    lines += ["## Generations", "",
              "Generation 0 is the prior, cut at the median distance of a first prior sample of the population's "
              "size; each later one is cut at the median distance of the one before. *Runs*: up to the last "
              "accepted candidate.", "",
              *generations_table(manifest.get("generations", []))]
    lines += ["", "## Posterior", "", "Weighted median and 90% interval of each marginal; *share*: the interval's "
              "part of the prior range.", "", *marginals_table(manifest, table)]
    d = [c for c in table.column_names if c.startswith("d.")]
    w = table.column("weight").to_numpy()
    if d:
        lines += ["", "## Targets in the last generation", "",
                  "Weighted share of particles whose run met each target, and the weighted mean distance.", "",
                  "| target | met | mean distance |", "|---|---|---|"]
        for c in d:
            x = np.asarray(table.column(c).to_numpy(), dtype=float)
            lines.append(f"| {c[2:]} | {float(np.sum(w * (x == 0)) / w.sum()):.2f} | {float(np.sum(w * x) / w.sum()):.3f} |")
    lines += ["", f"![posterior marginals]({figure})", ""]
    return "\n".join(lines)


def posterior_figure(manifest: dict, table, path: Path) -> Path:
    """Each parameter's weighted histogram over its prior range."""
    params = manifest["settings"]["parameters"]
    w = table.column("weight").to_numpy()
    cols = min(4, len(params))
    rows = -(-len(params) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, p in zip(axes.flat, params):
        values = np.asarray(table.column(p["name"]).to_numpy(), dtype=float)
        if p["choices"]:
            choices = np.asarray(p["choices"], dtype=float)
            ax.bar([f"{c:g}" for c in choices], [float(w[values == c].sum()) for c in choices], color="#4c72b0")
        else:
            bins = (np.geomspace(p["low"], p["high"], 21) if p["log"] else np.linspace(p["low"], p["high"], 21))
            ax.hist(values, bins=bins, weights=w, color="#4c72b0")
            if p["log"]:
                ax.set_xscale("log")
        ax.set_title(p["name"], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(params):]:
        ax.axis("off")
    return save_figure(fig, path)


def write_report(folder) -> Path:
    """``calibration.md`` and ``posterior.png`` for a calibration folder."""
    from qantar.storage.posterior import read_posterior

    folder = Path(folder)
    manifest, table = read_posterior(folder)
    figure = posterior_figure(manifest, table, folder / "posterior.png")
    (folder / "calibration.md").write_text(render(manifest, table, figure.name))
    return folder / "calibration.md"
