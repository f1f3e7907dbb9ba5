"""Epstein's model once into a folder: ``run_model_once`` is what ``qantar run`` (without a
scenario) does.

Example:
    >>> import tempfile
    >>> done = run_model_once(tempfile.mkdtemp(), rules="mesa", values={"legitimacy": 0.7}, steps=20, seed=3)
    >>> done.steps_done, done.summary["peak_active"] >= 0, done.series.name
    (20, True, 'series.parquet')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from pathlib import Path

from qantar.api.progress import OnProgress, check_cancel, tell
from qantar.api import warmup


@dataclasses.dataclass(frozen=True)
class ModelRun:
    """What ``run_model_once`` wrote in ``path`` (``series.parquet``, ``run.json``,
    ``series.png``, maybe ``series.csv``), its summary and provenance."""

    path: Path
    summary: dict
    meta: dict
    model: str  # "I" or "II" (two groups)
    steps_done: int
    steps: int
    seconds: float
    agents: int  # living at the end
    files: dict

    @property
    def interrupted(self) -> bool:
        return self.meta["interrupted"]

    @property
    def series(self) -> Path:
        return self.files["parquet"]

    def rows(self) -> list[tuple[str, object]]:
        """The summary as (what, value) rows for people."""
        s = self.summary
        if self.model == "II":
            return [("blue living at the end", s["final_blue"]), ("green living at the end", s["final_green"]),
                    ("a group died out at step", s["extinct_step"]), ("killed", s["killed"]),
                    ("kills per step while both live", f"{s['kills_per_step']:.2f}")]
        return [("mean actives", f"{s['mean_active']:.1f}"), ("peak actives", s["peak_active"]),
                ("outbursts", s["outbursts"]), ("calm share of steps", f"{s['calm_share']:.2f}"),
                ("jailed at the end", s["final_jailed"]), ("mean jailed", f"{s['mean_jailed']:.1f}")]


def run_model_once(out=None, *, rules: str = "netlogo", rule_overrides: dict | None = None,
                   preset: str | None = None, values: dict | None = None, steps: int | None = None, seed: int = 0,
                   outburst_bar: float | None = None, csv: bool = False, overwrite: bool = False,
                   on_progress: OnProgress | None = None, cancel: threading.Event | None = None) -> ModelRun:
    """Run Epstein's model once into ``out`` (default ``runs/<time>-<rules>-seed<seed>``).

    ``values``: parameters given (``Params`` fields; ``max_jail_term`` None is life), over
    the ``preset``'s (one of Epstein 2002's runs, with its length and schedule) or the
    defaults; ``rule_overrides``: settings of the rule set. ``on_progress`` gets 'steps'
    ``Progress``; ``cancel`` (or a Ctrl-C) ends the run early, keeping the steps done."""
    from qantar.analysis import outburst_threshold, summarize
    from qantar.analysis.paper_claims import measure_groups
    from qantar.engine.intergroup_state import COLUMNS as GROUP_COLUMNS
    from qantar.experiments import run_model
    from qantar.report.plots import plot_groups, plot_series
    from qantar.rules import InterGroupParams, Params, make_params, rule_set
    from qantar.scenario import paper_run, validate_schedule
    from qantar.storage import provenance, write_run
    from qantar.storage.series import COLUMNS, check_free

    chosen = paper_run(preset) if preset else None
    given = (dict(chosen.params) if chosen else {}) | dict(values or {})
    steps = steps if steps is not None else chosen.steps if chosen else 500
    two_groups = chosen is not None and chosen.model == "II"
    params = make_params(InterGroupParams if two_groups else Params, **given)
    schedule = chosen.schedule_for(params) if chosen else ()
    validate_schedule(schedule, steps)
    rs = rule_set(rules, **(rule_overrides or {}))
    label = f"{preset}-{rules}" if preset else rules
    out = check_free(out or Path("runs") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{label}-seed{seed}", overwrite)

    bar = outburst_threshold(params.width, params.height) if outburst_bar is None else outburst_bar
    if warmup.engine_compiled("II" if two_groups else "I") is False:  # it compiles in this run: say so
        tell(on_progress, "compiling", 0, None, warmup.compile_message())

    def step_done(done: int) -> None:
        tell(on_progress, "steps", done, steps, f"{rs.name} {params.width}x{params.height}")
        check_cancel(cancel)

    started = time.perf_counter()
    result = run_model(params, rs, seed, steps, schedule=schedule, on_progress=step_done)
    elapsed = time.perf_counter() - started
    counts = result.counts
    summary = measure_groups(counts) if two_groups else summarize(counts[:, 1], counts[:, 2], bar)
    meta = provenance(params, rs, seed, result.steps_done, steps_asked=steps, interrupted=result.interrupted,
                      outburst_threshold=bar, seconds=round(elapsed, 3), preset=preset,
                      schedule=[c.model_dump(exclude_none=True) for c in schedule],
                      model="II" if two_groups else "I")
    extra = {"legitimacy": result.legitimacy, "cops": result.cops}
    files = write_run(out, counts, meta, summary, csv=csv, overwrite=True, extra=extra,
                      names=GROUP_COLUMNS if two_groups else COLUMNS)
    title = f"{preset + ', ' if preset else ''}{rs.name}, L={params.legitimacy:g}, {params.width}x{params.height}, seed {seed}"
    if two_groups:
        plot_groups(counts, out / "series.png", title=title, legitimacy=result.legitimacy, cops=result.cops)
    else:
        plot_series(counts, out / "series.png", bar, title=title, legitimacy=result.legitimacy, cops=result.cops)
    files["png"] = out / "series.png"
    return ModelRun(out, summary, meta, "II" if two_groups else "I", result.steps_done, steps, elapsed,
                    result.world.n_citizens + result.world.n_cops, files)
