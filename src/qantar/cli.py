"""The command line: thin, it parses flags and calls the layers below.

    qantar run                       # Epstein's run 2 under the default (netlogo) rule set
    qantar run --rules mesa --legitimacy 0.7 --steps 1000 --out runs/l07
    qantar run --rules paper --rule arrest_ratio=floor   # override one rule setting
    qantar run --preset run4         # Epstein (2002) run 4: legitimacy 0.9 -> 0.7 at step 77
    qantar reproduce epstein2002     # the paper's claims over many seeds, per rule set: a report

Bad input ends with one line naming the field and what is accepted, exit code 2.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from qantar import api
from qantar.errors import QantarInputError
from qantar.rules import RULE_SETS
from qantar.rules.ruleset import RULE_SETTING_NAMES
from qantar.scenario import PAPER_RUNS

DEFAULT_RULES = "netlogo"
err = Console(stderr=True)


class InputError(click.ClickException):
    """A user's mistake: printed as one line, exit code 2 (as click's own usage errors)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def one_line_errors():
    """Turn the layers' ``QantarInputError`` into the CLI's one-line error (exit 2)."""
    try:
        yield
    except QantarInputError as exc:
        raise InputError(str(exc)) from None


def progress_bar(unit: str, show: bool) -> Progress:
    """A progress bar on stderr: done / total ``unit``, elapsed time and an estimate of what is left."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err, disable=not show,
                    transient=True)


class FiniteFloat(click.ParamType):
    """A number option that refuses inf and nan (``--max-jail-term inf`` is its own type)."""

    name = "float"

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            raise InputError(f"{param.opts[0] if param else 'value'}: {value} is not a finite number; give one, e.g. 0.8")
        return number


FINITE = FiniteFloat()


class ProgressView:
    """Draws the API's ``Progress`` events on stderr: a spinner with its message while the
    engine compiles, then a bar of runs or steps. Used as ``with ProgressView(...) as view:
    verb(..., on_progress=view)``."""

    def __init__(self, unit: str, quiet: bool):
        self.quiet = quiet
        self.bar = progress_bar(unit, not quiet and sys.stderr.isatty())
        self.task = None
        self.spinner = None

    def __enter__(self) -> "ProgressView":
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, event) -> None:
        if event.stage == "compiling" and event.total is None:
            if not self.quiet:  # on a terminal or not: a long silence needs saying
                err.print(event.message, highlight=False)
            self.spinner = self.bar.add_task(event.message.split(" (")[0], total=None)
            return
        if self.spinner is not None:  # the compile is over once anything else happens
            self.bar.remove_task(self.spinner)
            self.spinner = None
        if event.stage in ("compiling", "report"):
            return
        if self.task is None:
            self.task = self.bar.add_task(event.message, total=event.total)
        self.bar.update(self.task, completed=event.done, total=event.total)


def print_records(rows: list[dict], title: str | None = None, labels: dict[str, str] | None = None,
                  console: Console | None = None) -> None:
    """Dicts as a table, a column per key (in order of first appearance; ``labels`` renames
    them). Names stay whole on an 80-column terminal: a column is never narrower than its
    longest word, and only columns of several words wrap (at spaces). Booleans print as
    yes/no, None as -."""
    from rich import box

    labels = labels or {}
    keys = list(dict.fromkeys(k for r in rows for k in r))
    texts = [[cell(r.get(k)) for k in keys] for r in rows]
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for c, k in enumerate(keys):
        label = labels.get(k, k.replace("_", " "))
        words = [w for t in texts for w in t[c].split()] + label.split()
        spaced = " " in label or any(" " in t[c] for t in texts)
        table.add_column(label, overflow="fold", no_wrap=not spaced,
                         min_width=max(map(len, words), default=1) if spaced else
                         max([len(t[c]) for t in texts] + [len(label)]))
    for t in texts:
        table.add_row(*t)
    (console or Console()).print(table)


def cell(value) -> str:
    """A value as a table shows it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def parse_jail_term(value: str) -> int | None:
    """``--max-jail-term``: a whole number of steps, or ``inf`` (None: life sentences)."""
    if value.lower() in ("inf", "infinity", "life"):
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"--max-jail-term: expected a whole number of steps or 'inf' (got {value!r})") from None


def parse_rule_overrides(pairs: tuple[str, ...]) -> dict[str, object]:
    """``--rule KEY=VALUE`` pairs as rule-set overrides (true/false become booleans)."""
    overrides: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"--rule: expected KEY=VALUE (got {pair!r}); keys: {', '.join(RULE_SETTING_NAMES)}")
        overrides[key.strip()] = {"true": True, "false": False}.get(value.strip().lower(), value.strip())
    return overrides


def model_options(command):
    """``--rules`` and ``--steps``, for the commands that run Epstein's model without a SCENARIO."""
    command = click.option("--steps", type=click.IntRange(min=1), default=None,
                           help="Without SCENARIO: steps per run. [default: 500]")(command)
    return click.option("--rules", type=click.Choice(list(RULE_SETS)), default=None,
                        help=f"Without SCENARIO: the rule set. [default: {DEFAULT_RULES}]")(command)


def where_runs_run(command):
    """``--workers`` and ``--cluster``, the same on every command that runs many worlds."""
    command = click.option("--cluster", metavar="ADDRESS", default=None,
                           help="Run on the Dask scheduler at ADDRESS instead of local processes "
                                "(pip install 'qantar[dask]').")(command)
    return click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Processes. [default: the available cores]")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qantar")
@click.pass_context
def main(ctx: click.Context) -> None:
    """qantar: game out civil unrest with Epstein's civil violence model."""
    from qantar.experiments.runner import interrupts_once

    ctx.with_resource(interrupts_once())  # Ctrl-C or SIGTERM stops once; later ones wait for the saving


@main.command()
@click.argument("scenario", required=False)
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="With SCENARIO: runs in the ensemble (seeds SeedSequence(SEED).spawn(SEEDS)).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With SCENARIO: processes running the ensemble (the same runs whatever the number). "
                   "[default: the available cores]")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="With SCENARIO: run the ensemble on the Dask scheduler at ADDRESS (pip install 'qantar[dask]').")
@click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
              help="With SCENARIO: override a field, e.g. model.legitimacy=0.9 or regions.Almaty.population=2000000 "
                   "(repeatable).")
@click.option("--posterior", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
              help="With SCENARIO: each run takes a particle of this calibration's posterior (qantar calibrate), "
                   "drawn by weight.")
@click.option("--without", "without", multiple=True, metavar="EVENT",
              help="With SCENARIO: leave out the named event (repeatable), e.g. --without csto.")
@click.option("--until", metavar="DATE", default=None,
              help="With SCENARIO: run only up to DATE (YYYY-MM-DD): events from then on left out, targets "
                   "after it (or over the whole calendar) not judged.")
@click.option("--rules", type=click.Choice(list(RULE_SETS)), default=None,
              help=f"Rule set: the paper read literally, NetLogo's Rebellion, or Mesa's example (docs/model.md). "
                   f"[default: {DEFAULT_RULES}; a scenario: its own]")
@click.option("--rule", "rule_overrides", multiple=True, metavar="KEY=VALUE",
              help=f"Override one setting of the rule set (repeatable). Keys: {', '.join(RULE_SETTING_NAMES)}.")
@click.option("--width", type=int, help="Grid columns (torus). [default: 40]")
@click.option("--height", type=int, help="Grid rows (torus). [default: 40]")
@click.option("--preset", type=click.Choice(list(PAPER_RUNS)),
              help="Start from one of Epstein (2002)'s runs: its parameters, length and schedule "
                   "(docs/model.md); other flags override its values.")
@click.option("--steps", type=click.IntRange(min=0), help="Steps to run. [default: 500, or the preset's length]")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed (same seed, same run).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output folder. [default: runs/<time>-<rules>-seed<seed>]")
@click.option("--overwrite", is_flag=True, help="Replace results already in --out.")
@click.option("--format", "formats", type=click.Choice(["parquet", "csv"]), multiple=True, default=("parquet",),
              show_default=True, help="Series formats; Parquet is always written, csv adds series.csv.")
@click.option("--legitimacy", type=FINITE, help="L, the regime's legitimacy, 0..1. [default: 0.82]")
@click.option("--citizen-density", type=FINITE, help="Share of cells with a citizen. [default: 0.7]")
@click.option("--cop-density", type=FINITE, help="Share of cells with a cop. [default: 0.04]")
@click.option("--citizen-vision", type=FINITE, help="Citizens' vision radius. [default: 7]")
@click.option("--cop-vision", type=FINITE, help="Cops' vision radius. [default: 7]")
@click.option("--max-jail-term", type=str, help="J_max in steps, or 'inf' for life. [default: 30]")
@click.option("--arrest-constant", type=FINITE, help="k in P = 1 - exp(-k C/A). [default: 2.3]")
@click.option("--threshold", type=FINITE, help="T: a citizen turns active if G - N > T. [default: 0.1]")
@click.option("--movement/--no-movement", default=None, help="Rule M on or off. [default: on]")
@click.option("--outburst-threshold", "outburst_bar", type=FINITE,
              help="Actives that make an outburst. [default: 50 per 40x40, scaled by area]")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
def run(scenario, seeds, workers, cluster, assignments, posterior, without, until, rules, rule_overrides, preset, width, height, steps, seed, out_dir,
        overwrite, formats, legitimacy, citizen_density, cop_density, citizen_vision, cop_vision, max_jail_term,
        arrest_constant, threshold, movement, outburst_bar, quiet) -> None:
    """Run a SCENARIO (a built-in name such as kazakhstan-2022, or a TOML file) as an
    ensemble, or, without one, Epstein's civil violence model once.

    With SCENARIO: writes OUT/series.parquet (per run, region and step, in people),
    OUT/runs.json (provenance, each run's measures, the targets' verdicts), OUT/report.md and
    its figures, and prints simulated against reported.

    Without: a flag left out takes the rule set's default (Epstein's run 2: 40x40, L = 0.82,
    J_max = 30, cops 0.04, citizens 0.7, vision 7). Writes OUT/series.parquet (one row per
    step: step, quiet, active, jailed; provenance in its metadata), OUT/run.json
    (provenance and summary) and OUT/series.png.
    """
    if scenario is not None:
        model_flags = {"--rule": rule_overrides, "--preset": preset, "--width": width, "--height": height,
                       "--steps": steps, "--legitimacy": legitimacy, "--citizen-density": citizen_density,
                       "--cop-density": cop_density, "--citizen-vision": citizen_vision, "--cop-vision": cop_vision,
                       "--max-jail-term": max_jail_term, "--arrest-constant": arrest_constant,
                       "--threshold": threshold, "--movement": movement, "--outburst-threshold": outburst_bar}
        given = [flag for flag, value in model_flags.items() if value not in (None, ())]
        if given:
            raise InputError(f"{given[0]}: not used with a scenario; set scenario fields with --set PATH=VALUE "
                             "(e.g. --set model.legitimacy=0.9)")
        if rules is not None:
            assignments = (*assignments, f'rules="{rules}"')
        run_scenario_ensemble(scenario, seeds, seed, assignments, without, until, out_dir, overwrite, quiet, workers,
                              cluster, posterior)
        return
    rules = rules or DEFAULT_RULES
    if workers is not None or cluster is not None:
        raise InputError("--workers/--cluster: only with a SCENARIO (an ensemble); a single model run uses one core")
    if assignments or without or posterior or until:
        raise InputError("--set/--without/--posterior/--until: only with a SCENARIO "
                         "(e.g. qantar run kazakhstan-2022 --without csto)")
    values = {
        "width": width, "height": height, "legitimacy": legitimacy, "citizen_density": citizen_density,
        "cop_density": cop_density, "citizen_vision": citizen_vision, "cop_vision": cop_vision,
        "arrest_constant": arrest_constant, "threshold": threshold, "movement": movement,
    }
    values = {k: v for k, v in values.items() if v is not None}
    if max_jail_term is not None:
        values["max_jail_term"] = parse_jail_term(max_jail_term)  # None here means life
    overrides = parse_rule_overrides(rule_overrides)
    with ProgressView("steps", quiet) as view, one_line_errors():
        done = api.run_model_once(out_dir, rules=rules, rule_overrides=overrides, preset=preset, values=values,
                                  steps=steps, seed=seed, outburst_bar=outburst_bar, csv="csv" in formats,
                                  overwrite=overwrite, on_progress=view)
    if not quiet:
        click.echo(f"{done.meta['rules']['name']}: {done.steps_done} steps, {done.agents} agents at the end, "
                   f"{done.seconds:.1f} s")
        print_records([{"measure": k, "value": "-" if v is None else str(v)} for k, v in done.rows()])
        click.echo(f"wrote {done.files['parquet']}, {done.files['png']}"
                   + (f", {done.files['csv']}" if "csv" in done.files else ""))
    if done.interrupted:
        click.echo(f"interrupted after {done.steps_done} of {done.steps} steps; what was done is saved", err=True)
        sys.exit(130)


@main.command()
@click.argument("study", type=click.Choice(["epstein2002"]))
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True, help="Seeds per run and rule set.")
@click.option("--entropy", type=click.IntRange(min=0), default=2002, show_default=True,
              help="Seeds are SeedSequence(ENTROPY).spawn(SEEDS).")
@click.option("--rules", "rules_list", default="paper,netlogo,mesa", show_default=True,
              help="Rule sets, comma-separated.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder. [default: runs/<time>-epstein2002]")
@click.option("--overwrite", is_flag=True, help="Replace a report already in --out.")
@click.option("--sweep-seeds", type=click.IntRange(min=0), default=10, show_default=True,
              help="Seeds per density of the time-to-extinction sweep (Figs. 15-17); 0 skips it.")
@click.option("--sweep-step", type=click.FloatRange(min=0.001, max=0.1), default=0.01, show_default=True,
              help="Cop-density step of the sweep, from 0 to 0.1 (the paper: 0.002).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def reproduce(study, seeds, entropy, rules_list, out_dir, overwrite, sweep_seeds, sweep_step, quiet) -> None:
    """Reproduce a paper's claims: run its runs over many seeds for each rule set, then write
    OUT/epstein2002.md (claims, the paper's values, qantar's numbers, verdicts) and
    OUT/epstein2002-measures.json (every seed's measures, with provenance)."""
    with ProgressView("runs", quiet) as view, one_line_errors():
        done = api.reproduce(study, out_dir, seeds=seeds, entropy=entropy, rules=rules_list.split(","),
                             sweep_seeds=sweep_seeds, sweep_step=sweep_step, overwrite=overwrite, on_progress=view)
    if done.interrupted:  # keep what finished; a report needs every run
        click.echo(f"interrupted: the finished seeds' measures are in {done.measures_file}; no report written",
                   err=True)
        sys.exit(130)
    if not quiet:
        click.echo(done.text.split("\n## ")[0])
        click.echo(f"wrote {done.report}, {done.measures_file}")


def run_scenario_ensemble(name, seeds, entropy, assignments, without, until, out_dir, overwrite, quiet,
                          workers=None, cluster=None, posterior=None) -> None:
    """``qantar run SCENARIO``: the ensemble (resumed when OUT holds the same), its files and
    report, simulated vs reported."""
    from qantar.report import scenario as report

    with ProgressView("runs", quiet) as view, one_line_errors():
        ens = api.run_ensemble(name, out_dir, seeds=seeds, seed=entropy, overrides=assignments, without=without,
                               until=until, posterior=posterior, workers=workers, cluster=cluster,
                               overwrite=overwrite, on_progress=view)
    if not ens.runs_done:
        click.echo("interrupted before any run finished; nothing to report", err=True)
        sys.exit(130)
    if not quiet:
        click.echo(f"{ens.record['scenario']['name']}: {ens.runs_done} runs, this call {ens.record['seconds']:.1f} s")
        print_records([dict(zip(report.VERDICT_COLUMNS, row)) for row in report.verdict_rows(ens.verdicts)])
        Console().print(report.fit_caveat(ens.verdicts), highlight=False)
        if ens.record.get("until"):
            Console().print(report.until_note(ens.record["until"]), highlight=False)
        click.echo(f"wrote {ens.path / 'series.parquet'}, {ens.path / 'runs.json'}, {ens.path / 'report.md'}")
    if ens.interrupted:
        click.echo(f"interrupted after {ens.runs_done} of {ens.seeds} runs; what finished is saved, and the same "
                   "command finishes it", err=True)
        sys.exit(130)


@main.command()
@click.argument("scenario", required=False)
@click.option("--grid", "grid", multiple=True, metavar="NAME=V1,V2,...",
              help="Vary NAME over these values; several --grid make every combination.")
@click.option("--sample", "sample", multiple=True, metavar="NAME=LOW:HIGH",
              help="Vary NAME over this range by a Latin hypercube of --samples points (instead of --grid).")
@click.option("--samples", type=click.IntRange(min=1), default=None, help="Points of the --sample design.")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE", help="A value every run shares.")
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True,
              help="Runs per point (seeds SeedSequence(SEED).spawn(SEEDS), the same at every point).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="The seeds' entropy.")
@model_options
@where_runs_run
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="The experiment's folder: new, or the same experiment's to resume it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sweep(scenario, grid, sample, samples, assignments, seeds, seed, rules, steps, workers, cluster, out_dir,
          quiet) -> None:
    """Run a grid or a sample of parameters times seeds, Epstein's model (NAMEs are
    parameters: legitimacy, cop_density, ...) or a SCENARIO (NAMEs are --set paths).

    Every run is written to OUT as it ends (runs/run-N.json and .parquet); OUT/summary.parquet
    has a row per run and OUT/manifest.json what made them. Running the same command again
    resumes: finished runs are skipped, failed ones run again. Query with qantar query OUT.
    """
    from pydantic import ValidationError

    from qantar.experiments.runner import cluster_executor
    from qantar.experiments.sweep import SweepSpec, run_sweep
    from qantar.scenario.load import parse_value

    if scenario and (rules is not None or steps is not None):
        raise InputError("--rules/--steps: not used with a SCENARIO (its file sets them; change them with --set)")
    if samples is not None and not sample:
        raise InputError("--samples: only with --sample NAME=LOW:HIGH")
    try:
        ranges = {}
        for name, text in name_values(sample, "--sample").items():
            low, sep, high = text.partition(":")
            if not sep:
                raise InputError(f"--sample {name}: give LOW:HIGH, e.g. {name}=0.6:0.9")
            ranges[name] = (float(low), float(high))
        grid_values = {}
        for name, text in name_values(grid, "--grid").items():
            items = [x.strip() for x in text.split(",")]
            if not all(items):
                raise InputError(f"--grid {name}: an empty value in {text!r}")
            grid_values[name] = [parse_value(x) for x in items]
        spec = SweepSpec(name=Path(out_dir).name, scenario=scenario, rules=rules or DEFAULT_RULES, steps=steps or 500,
                         base={k: parse_value(v) for k, v in name_values(assignments, "--set").items()},
                         grid=grid_values,
                         sample=ranges, samples=samples or 0, seeds=seeds, entropy=seed)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"]))
        raise InputError(f"{where + ': ' if where else ''}{err['msg'].removeprefix('Value error, ')}") from None
    except ValueError as exc:
        raise InputError(f"--sample: {exc}") from None
    show = not quiet and sys.stderr.isatty()
    with progress_bar("runs", show) as progress:
        task = progress.add_task(spec.name, total=None)
        try:
            with cluster_executor(cluster) as executor:
                store = run_sweep(spec, out_dir, workers=workers, executor=executor,
                                  on_done=lambda done, total: progress.update(task, completed=done, total=total))
        except QantarInputError as exc:
            raise InputError(str(exc)) from None
    rows = store.rows()
    failed = [r for r in rows if r.get("status") == "failed"]
    done, total = len(rows) - len(failed), store.manifest["runs_total"]
    click.echo(f"{spec.name}: {done} runs done, {len(failed)} failed, of {total}; wrote {store.folder}/summary.parquet")
    for r in failed[:5]:
        click.echo(f"  run {r['run']} ({r['point']}): {r['error']}", err=True)
    if done < total:
        sys.exit(130 if not failed else 1)


@main.command()
@click.argument("scenario", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=LOW:HIGH", help="A parameter and its range (repeatable).")
@click.option("--output", "outputs", multiple=True, metavar="MEASURE",
              help="A run measure to explain (repeatable): e.g. peak_active, mean_jailed; with a SCENARIO "
                   "peak_participants, detained, killed, peak_day.")
@click.option("--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True)
@click.option("--n", "n", type=click.IntRange(min=2), default=64, show_default=True,
              help="sobol: base sample (n x (D + 2) points; a power of 2); morris: trajectories (n x (D + 1)).")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE", help="A value every run shares.")
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True,
              help="Runs per point; a point's output is their mean.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Entropy of the seeds and of the sample.")
@model_options
@where_runs_run
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="The study's folder (an experiment folder: resumable, queryable).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sensitivity(scenario, params, outputs, method, n, assignments, seeds, seed, rules, steps, workers, cluster,
                out_dir, quiet) -> None:
    """Global sensitivity (SALib, Sobol or Morris) of run measures to parameters of Epstein's
    model or of a SCENARIO (NAMEs are then --set paths). Writes OUT/sensitivity.md, .json
    and .png next to the runs; running it again resumes."""
    from pydantic import ValidationError

    from qantar.experiments.runner import cluster_executor
    from qantar.experiments.sensitivity import run_sensitivity
    from qantar.experiments.sweep import SweepSpec
    from qantar.scenario.load import parse_value

    if scenario and (rules is not None or steps is not None):
        raise InputError("--rules/--steps: not used with a SCENARIO (its file sets them; change them with --set)")
    ranges = {name: parse_range(name, text)[:2] for name, text in name_values(params, "--param").items()}
    base = {k: parse_value(v) for k, v in name_values(assignments, "--set").items()}
    try:
        spec = SweepSpec(name=Path(out_dir).name, scenario=scenario, rules=rules or DEFAULT_RULES, steps=steps or 500,
                         base=base, seeds=seeds, entropy=seed)
    except ValidationError as exc:
        raise InputError(exc.errors()[0]["msg"]) from None
    show = not quiet and sys.stderr.isatty()
    with progress_bar("runs", show) as progress:
        task = progress.add_task(spec.name, total=None)
        try:
            with cluster_executor(cluster) as executor:
                result = run_sensitivity(spec, method, ranges, list(outputs), n, out_dir, workers=workers,
                                         executor=executor,
                                         on_done=lambda done, total: progress.update(task, completed=done, total=total))
        except QantarInputError as exc:
            raise InputError(str(exc)) from None
    table = Table(title=f"{method}: {result['points']} points x {seeds} seeds")
    keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma")
    for col in ("output", "parameter", *keys):
        table.add_column(col)
    for output, by_param in result["indices"].items():
        for p, v in by_param.items():
            table.add_row(output, p, *[f"{v[k]:.4g}" for k in keys])
    Console().print(table)
    click.echo(f"wrote {Path(out_dir) / 'sensitivity.md'}, sensitivity.json, sensitivity.png")


def parse_range(name: str, text: str, allow_log: bool = False) -> tuple[float, float, bool]:
    """``--param NAME=LOW:HIGH`` (``:log`` after it, where allowed: a log-uniform range)."""
    parts = text.split(":")
    log = allow_log and len(parts) == 3 and parts[2] == "log"
    form = "PATH=LOW:HIGH[:log]" if allow_log else "NAME=LOW:HIGH"
    try:
        if len(parts) != 2 + log:
            raise ValueError
        low, high = float(parts[0]), float(parts[1])
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError
    except ValueError:
        raise InputError(f"--param {name}={text}: give {form} with finite numbers, e.g. "
                         f"{'model.' if allow_log else ''}legitimacy=0.6:0.9") from None
    if not low < high or (log and low <= 0):
        raise InputError(f"--param {name}={text}: give {form} with LOW < HIGH" + (" and LOW > 0 for :log" if log else ""))
    return low, high, log


@main.command()
@click.argument("scenario")
@click.option("--param", "params", multiple=True, required=True, metavar="PATH=LOW:HIGH[:log]",
              help="A --set path to fit and its prior range, uniform (or log-uniform with :log); repeatable.")
@click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE", help="A value fixed at every particle.")
@click.option("--population", type=click.IntRange(min=2), default=100, show_default=True,
              help="Particles per generation.")
@click.option("--generations", type=click.IntRange(min=1), default=6, show_default=True,
              help="Generations in the folder when it stops (the first is from the prior).")
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Stop after this many runs in this call.")
@click.option("--min-distance", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Stop once the tolerance is at or below this (0: every target met).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Entropy of every draw and run.")
@click.option("--runs-per-particle", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge each particle on this many runs (their median), for a noisy scenario; --max-runs counts "
                   "runs.")
@click.option("--target", "targets", multiple=True, metavar="NAME",
              help="Fit to this target only (repeatable; qantar describe SCENARIO lists them). [default: all]")
@where_runs_run
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="The calibration's folder; the same command again continues it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
def calibrate(scenario, params, assignments, population, generations, max_runs, min_distance, seed, runs_per_particle,
              targets, workers, cluster, out_dir, quiet) -> None:
    """Fit parameters of a SCENARIO to its [[targets]] by ABC-SMC (pyabc): a posterior,
    not a point. Writes OUT/posterior.parquet, calibration.json, calibration.md and
    posterior.png; `qantar run SCENARIO --posterior OUT` then draws a particle per run.
    Needs pip install 'qantar[calibrate]'."""
    from qantar.experiments.abc_smc import calibrate as run_calibration
    from qantar.experiments.calibration import Parameter
    from qantar.experiments.runner import cluster_executor
    from qantar.report.posterior import marginals
    from qantar.storage.posterior import read_posterior

    parameters = []
    for name, text in name_values(params, "--param").items():
        low, high, log = parse_range(name, text, allow_log=True)
        parameters.append(Parameter(name, (name,), low, high, log))
    fixed = [f"{k}={v}" for k, v in name_values(assignments, "--set").items()]
    show = not quiet and sys.stderr.isatty()
    with progress_bar("accepted", show) as progress:
        task = progress.add_task("calibrating", total=population)

        def on_progress(t, accepted, evaluated, n):
            label = "prior sample" if t < 0 else f"generation {t}"
            progress.update(task, description=f"{label} ({evaluated} runs)", completed=accepted, total=n)

        try:
            with cluster_executor(cluster) as executor:
                result = run_calibration(scenario, parameters, out_dir, fixed=fixed, population=population,
                                         generations=generations, max_simulations=max_runs or float("inf"),
                                         min_epsilon=min_distance, entropy=seed, workers=workers, executor=executor,
                                         on_progress=on_progress, runs_per_particle=runs_per_particle,
                                         targets=list(targets) or None)
        except QantarInputError as exc:
            raise InputError(str(exc)) from None
    if not result.generations:
        click.echo(f"stopped ({result.stopped}) before the first generation was complete; nothing to report",
                   err=True)
        sys.exit(130 if result.interrupted else 1)
    if not quiet:
        manifest, table = read_posterior(out_dir)
        g = result.generations[-1]
        out = Table(title=f"generation {g['generation']}: tolerance {g['epsilon']:.3f}, "
                          f"{manifest['total_evaluations'] * runs_per_particle} runs in all")
        for col in ("parameter", "prior", "median", "90% interval"):
            out.add_column(col)
        for m in marginals(manifest, table):
            out.add_row(m["name"], m["prior"], f"{m['median']:.4g}", f"{m['low']:.4g} to {m['high']:.4g}")
        Console().print(out)
        click.echo(f"wrote {Path(out_dir) / 'calibration.md'}, posterior.parquet, posterior.png")
    if result.interrupted:
        click.echo(f"interrupted: {len(result.generations)} generations kept; the same command continues", err=True)
        sys.exit(130)
    if not quiet:
        click.echo(f"stopped: {result.stopped}")


@main.command()
@click.argument("experiment", type=click.Path())
@click.argument("sql")
def query(experiment, sql) -> None:
    """SQL (DuckDB) over an experiment folder written by qantar sweep: views summary (a row
    per run) and series (every run's steps). Prints the result as a table."""
    from qantar.storage.query import query as run_query

    try:
        table = run_query(experiment, sql)
    except QantarInputError as exc:
        raise InputError(str(exc)) from None
    out = Table()
    for name in table.column_names:
        out.add_column(name)
    for row in table.slice(0, 200).to_pylist():
        out.add_row(*["" if v is None else str(v) for v in row.values()])
    Console().print(out)
    if table.num_rows > 200:
        click.echo(f"({table.num_rows} rows; the first 200 shown)")


@main.command()
@click.argument("a", type=click.Path())
@click.argument("b", type=click.Path())
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Where to write compare.json and compare.png. [default: runs/<time>-compare]")
@click.option("--overwrite", is_flag=True, help="Replace a comparison already in --out.")
def compare(a, b, out_dir, overwrite) -> None:
    """Compare two scenario ensembles (folders written by qantar run SCENARIO): each measure's
    medians, and the difference B - A with a bootstrap 90% interval (runs paired by seed when
    both ran the same seeds, as --without against its base does); writes a figure."""
    with one_line_errors():
        cmp = api.compare(a, b, out_dir, overwrite=overwrite)
    from qantar.analysis.compare import difference_rows

    print_records(difference_rows(cmp.rows), title=f"B - A: {b} minus {a} ({cmp.runs_text})")
    click.echo(f"wrote {cmp.path / 'compare.json'}, {cmp.figure}")


@main.command()
def scenarios() -> None:
    """List the built-in scenarios: name, title, regions, days (qantar describe NAME for more)."""
    print_records([{"name": i.name, "title": i.title, "regions": i.regions, "days": i.days, "start": i.start}
                   for i in api.list_scenarios()])


@main.command()
@click.argument("scenario")
@click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE", help="Describe it with a field changed.")
@click.option("--without", "without", multiple=True, metavar="EVENT", help="Describe it without the named event.")
def describe(scenario, assignments, without) -> None:
    """What SCENARIO (a built-in name or a TOML file) holds: its regions, its events in time
    order with their notes, its targets, and every --set PATH with its current value."""
    with one_line_errors():
        d = api.describe_scenario(scenario, assignments, without)
    i, out = d.info, Console()
    out.print(f"{i.name}: {i.title} ({i.days} days from {i.start}, {i.regions} regions)", highlight=False)
    if d.description:
        out.print(d.description, highlight=False)
    print_records(d.regions, title="regions")
    print_records([{k: v for k, v in e.items() if k != "note"} for e in d.events],
                  title="events (--without NAME leaves one out)")
    for e in d.events:
        if e["note"]:
            out.print(f"[bold]{e['name']}[/bold]: {e['note']}", highlight=False)
    print_records(d.targets, title="targets")
    print_records([{"--set path": k, "value": v} for k, v in d.paths.items()], title="--set PATH=VALUE")


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=5006, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--runs", "runs_dirs", multiple=True, type=click.Path(file_okay=False), default=("runs",),
              show_default=True, help="A folder of past results to show (repeatable).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def dashboard(port, host, runs_dirs, no_browser) -> None:
    """The browser dashboard: scenario map, what-ifs, Epstein's world live, past runs."""
    from qantar.dashboard.app import serve

    try:
        serve(host, port, tuple(Path(r) for r in runs_dirs), open_browser=not no_browser,
              on_ready=lambda address: click.echo(f"qantar dashboard at {address} (Ctrl-C stops it)"))
    except QantarInputError as exc:
        raise InputError(str(exc)) from None


def name_values(items, option: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict of stripped texts; a malformed or repeated one is
    refused, naming the option."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"{option}: {item!r} is not NAME=VALUE")
        if name.strip() in out:
            raise InputError(f"{option} {name.strip()}: given twice; give it once")
        out[name.strip()] = value.strip()
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
