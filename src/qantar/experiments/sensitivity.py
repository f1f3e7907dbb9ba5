"""Global sensitivity analysis with SALib: which parameters move which outputs, and how much.

Two methods (Saltelli et al. 2008, as SALib implements them):

- ``sobol``: Saltelli's sample of ``n`` x (D + 2) points; first-order (S1) and total (ST)
  indices with bootstrap 95% confidence intervals, no second-order terms.
- ``morris``: ``n`` elementary-effects trajectories of D + 1 points on 4 levels; mu* (the
  mean absolute effect) with its 95% interval, and sigma (non-linearity and interactions).

The points run as a sweep (``run_sweep`` with an explicit design), so a study is resumable
and its runs are queryable like any other experiment; each point's output is the mean
over its seeds. ``sensitivity.json`` and ``sensitivity.md`` (with a figure) are written
into the experiment's folder.

Example:
    >>> X = design("morris", {"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)}, 4, seed=1)
    >>> X.shape                      # 4 trajectories of 3 points
    (12, 2)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from qantar.errors import QantarInputError
from qantar.experiments.sweep import SweepSpec, run_sweep

METHODS = ("sobol", "morris")


def problem(ranges: dict[str, tuple[float, float]]) -> dict:
    """SALib's problem: the names and bounds."""
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(b) for b in ranges.values()]}


def design(method: str, ranges: dict[str, tuple[float, float]], n: int, seed: int) -> np.ndarray:
    """The method's sample: a row per point, a column per parameter."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem(ranges), n, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(ranges), n, num_levels=4, seed=seed)
    raise QantarInputError(f"method: {method!r} is not one of {', '.join(METHODS)}")


def analyze(method: str, ranges: dict[str, tuple[float, float]], X: np.ndarray, Y: np.ndarray,
            seed: int) -> dict[str, dict[str, float]]:
    """The indices of one output ``Y`` (a value per point), by parameter."""
    if method == "sobol":
        from SALib.analyze import sobol

        r = sobol.analyze(problem(ranges), Y, calc_second_order=False, seed=seed, print_to_console=False)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        from SALib.analyze import morris

        r = morris.analyze(problem(ranges), X, Y, num_levels=4, seed=seed)
        keys = ("mu_star", "mu_star_conf", "sigma")
    return {name: {k: float(np.asarray(r[k])[i]) for k in keys} for i, name in enumerate(ranges)}


def output_value(measures: dict, output: str, start: str | None) -> float:
    """One output of a run's measures; ``peak_day`` (scenarios) is days from the start."""
    if output == "peak_day":
        return (dt.datetime.fromisoformat(measures["peak_time"]) - dt.datetime.fromisoformat(start)).total_seconds() \
            / 86400
    if output not in measures or not isinstance(measures[output], int | float):
        numeric = sorted(k for k, v in measures.items() if isinstance(v, int | float) and not isinstance(v, bool))
        raise QantarInputError(f"--output {output}: not a numeric measure of these runs; known: "
                               f"{', '.join(numeric + (['peak_day'] if 'peak_time' in measures else []))}")
    return float(measures[output])


def measures_shape(spec: SweepSpec) -> tuple[dict, str | None]:
    """The measures a run of ``spec`` reports (their values taken from an empty record, no
    run made) and the scenario's start: to check the outputs asked for before any run.

    Example:
        >>> sorted(measures_shape(SweepSpec(name="m"))[0])[:3]
        ['calm_share', 'final_jailed', 'mean_activation_per_outburst']
    """
    if not spec.scenario:
        from qantar.analysis import summarize

        return summarize(np.zeros(2), np.zeros(2), threshold=1.0), None
    from qantar.analysis.scenario_measures import measure_run
    from qantar.experiments.scenario_run import COUNT_COLUMNS, ScenarioRun
    from qantar.scenario.load import load_scenario

    s = load_scenario(spec.scenario, [f"{k}={v}" for k, v in spec.base.items()])
    zeros = np.zeros((len(s.regions), s.steps + 1))
    empty = ScenarioRun(s, None, s.region_names, np.zeros((*zeros.shape, len(COUNT_COLUMNS)), np.int64), zeros, zeros,
                        zeros, zeros.astype(bool), zeros, zeros)
    return measure_run(empty), s.start.isoformat()


def run_sensitivity(base: SweepSpec, method: str, ranges: dict[str, tuple[float, float]], outputs: list[str],
                    n: int, folder, **sweep_options) -> dict:
    """Sample, run (resumably) and analyze; write ``sensitivity.json`` and ``.md``."""
    if not ranges:
        raise QantarInputError("--param: give at least one NAME=LOW:HIGH")
    if not outputs:
        raise QantarInputError("--output: give at least one measure, e.g. peak_active")
    shape, start = measures_shape(base)
    for output in outputs:  # every output checked before anything runs
        output_value(shape, output, start)
    X = design(method, ranges, n, base.entropy)
    spec = base.model_copy(update={"design": [dict(zip(ranges, map(float, row))) for row in X], "grid": {},
                                   "sample": {}, "samples": 0})
    store = run_sweep(spec, folder, **sweep_options)
    rows = store.rows()
    failed = [r for r in rows if r.get("status") != "done"]
    if failed or len(rows) < len(X) * spec.seeds:
        raise QantarInputError(f"{folder}: {len(rows) - len(failed)} of {len(X) * spec.seeds} runs finished"
                               + (f"; run {failed[0]['run']} failed: {failed[0]['error']}" if failed else "")
                               + "; the analysis needs them all (run the command again to resume)")
    by_run = {r["run"]: r["measures"] for r in rows}
    result = {"method": method, "n": n, "points": len(X), "seeds": spec.seeds, "ranges": ranges, "indices": {}}
    for output in outputs:
        Y = np.array([np.mean([output_value(by_run[p * spec.seeds + s], output, start) for s in range(spec.seeds)])
                      for p in range(len(X))])
        result["indices"][output] = analyze(method, ranges, X, Y, base.entropy)
    folder = Path(folder)
    (folder / "sensitivity.json").write_text(json.dumps(result, indent=2) + "\n")
    figure = sensitivity_figure(result, folder / "sensitivity.png")
    (folder / "sensitivity.md").write_text(render(result, spec, figure.name))
    return result


def render(result: dict, spec: SweepSpec, figure: str) -> str:
    """The report: what was run, the indices per output, the figure."""
    sobol = result["method"] == "sobol"
    what = spec.scenario or f"Epstein's model ({spec.rules}, {spec.steps} steps, {spec.base or 'defaults'})"
    lines = [f"# Sensitivity: {what}", "",
             f"{result['method']} ({'Saltelli sample, first-order and total indices' if sobol else 'elementary effects'}"
             f"), n = {result['n']}: {result['points']} points x {result['seeds']} seeds (each point's output is the "
             f"mean of its seeds), entropy {spec.entropy}. Intervals are SALib's bootstrap 95% intervals.", ""]
    for output, by_param in result["indices"].items():
        lines += [f"## {output}", ""]
        if sobol:
            lines += ["| parameter | range | S1 | 95% | ST | 95% |", "|---|---|---|---|---|---|"]
            lines += [f"| {p} | {result['ranges'][p][0]:g} to {result['ranges'][p][1]:g} | {v['S1']:.3f} | "
                      f"+-{v['S1_conf']:.3f} | {v['ST']:.3f} | +-{v['ST_conf']:.3f} |" for p, v in by_param.items()]
        else:
            lines += ["| parameter | range | mu* | 95% | sigma |", "|---|---|---|---|---|"]
            lines += [f"| {p} | {result['ranges'][p][0]:g} to {result['ranges'][p][1]:g} | {v['mu_star']:.4g} | "
                      f"+-{v['mu_star_conf']:.4g} | {v['sigma']:.4g} |" for p, v in by_param.items()]
        lines.append("")
    return "\n".join(lines + [f"![indices]({figure})", ""])


def sensitivity_figure(result: dict, path: Path) -> Path:
    """A panel per output: each parameter's index with its interval."""
    import matplotlib.pyplot as plt

    from qantar.report.plots import save_figure

    outputs = list(result["indices"])
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.5 * len(outputs), 3.5), dpi=110, squeeze=False)
    for ax, output in zip(axes[0], outputs):
        by_param = result["indices"][output]
        names, y = list(by_param), np.arange(len(by_param))
        if result["method"] == "sobol":
            for shift, key, colour in ((-0.18, "S1", "#4c72b0"), (0.18, "ST", "#c44e52")):
                ax.barh(y + shift, [by_param[p][key] for p in names], 0.36, xerr=[by_param[p][f"{key}_conf"]
                                                                               for p in names], color=colour, label=key)
            ax.legend(fontsize=8, frameon=False)
        else:
            ax.barh(y, [by_param[p]["mu_star"] for p in names], 0.6, xerr=[by_param[p]["mu_star_conf"] for p in names],
                    color="#4c72b0")
            ax.set_xlabel("mu*")
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(output, fontsize=9)
    return save_figure(fig, path)
