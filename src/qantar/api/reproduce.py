"""A paper's claims over many seeds: ``reproduce`` is what ``qantar reproduce`` does.

Example:
    >>> rep = reproduce("epstein2002", "runs/rep", seeds=2, rules=["netlogo"], sweep_seeds=0)  # doctest: +SKIP
    >>> rep.report, rep.interrupted                                                            # doctest: +SKIP
    (PosixPath('runs/rep/epstein2002.md'), False)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path

import numpy as np

from qantar.api.progress import OnProgress, check_cancel, tell

#: The studies ``reproduce`` knows.
STUDIES = ("epstein2002",)


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """What ``reproduce`` wrote in ``path``: ``<study>-measures.json`` (every seed's
    measures, with provenance) and, when complete, ``<study>.md`` and its figures."""

    path: Path
    study: str
    record: dict
    text: str | None  # the report's markdown (None when interrupted)

    @property
    def interrupted(self) -> bool:
        return self.record["interrupted"]

    @property
    def measures_file(self) -> Path:
        return self.path / f"{self.study}-measures.json"

    @property
    def report(self) -> Path | None:
        return None if self.text is None else self.path / f"{self.study}.md"


def reproduce(study: str = "epstein2002", out=None, *, seeds: int = 20, entropy: int = 2002,
              rules=("paper", "netlogo", "mesa"), sweep_seeds: int = 10, sweep_step: float = 0.01,
              overwrite: bool = False, on_progress: OnProgress | None = None,
              cancel: threading.Event | None = None) -> Reproduction:
    """Run the study's runs over ``seeds`` seeds for each rule set of ``rules``, then the
    time-to-extinction sweep (``sweep_seeds`` per cop density, every ``sweep_step``; 0
    skips it), into ``out`` (default ``runs/<time>-<study>``). Interrupted (``cancel`` or
    Ctrl-C), it keeps the finished seeds' measures and writes no report."""
    from qantar import __version__
    from qantar.errors import QantarInputError
    from qantar.experiments.reproduce import EXTINCTION_CAP, extinction_sweep, run_paper_run, snapshot
    from qantar.report.epstein2002 import CLAIMS, make_figures, render_markdown
    from qantar.rules import RULE_SETS, rule_set
    from qantar.scenario import PAPER_RUNS, paper_run
    from qantar.storage.series import check_free, git_commit, write_json

    if study not in STUDIES:
        raise QantarInputError(f"study: {study!r} is not one of {', '.join(STUDIES)}")
    names = [r.strip() for r in rules if r.strip()]
    if not names:
        raise QantarInputError(f"--rules: give at least one rule set of {', '.join(RULE_SETS)}")
    rule_sets = [rule_set(r) for r in names]
    out = check_free(out or Path("runs") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{study}", overwrite,
                     marker=f"{study}-measures.json", kind="reproduction")
    runs = sorted({r for c in CLAIMS for r in c.runs if r in PAPER_RUNS})
    densities = np.round(np.arange(0, 0.1 + 1e-9, sweep_step), 6) if sweep_seeds else np.array([])
    total = len(rule_sets) * (len(runs) * seeds + len(densities) * sweep_seeds)
    measures: dict[str, dict[str, list[dict]]] = {}
    firsts: dict[str, dict[str, object]] = {}  # the first seed's run, for the figures
    count = [0]

    def advance(_k: int) -> None:
        count[0] += 1
        tell(on_progress, "runs", count[0], total, study)
        check_cancel(cancel)

    complete = True
    try:
        check_cancel(cancel)
        for rs in rule_sets:
            measures[rs.name], firsts[rs.name] = {}, {}
            for name in runs:
                done = run_paper_run(paper_run(name), rs, seeds, entropy, on_seed_done=advance)
                measures[rs.name][name] = [d.measures for d in done]
                firsts[rs.name][name] = done[0].result if done else None
                if len(done) < seeds:
                    raise KeyboardInterrupt
        for rs in rule_sets:  # the long part last, so that an interruption keeps the runs above
            if sweep_seeds:
                swept = extinction_sweep(rs, densities, sweep_seeds, entropy, on_run_done=advance)
                measures[rs.name] |= {"sweep": [vars(r) for r in swept], "sweep_cap": EXTINCTION_CAP,
                                      "sweep_seeds": sweep_seeds, "sweep_step": sweep_step}
                if len(swept) < len(densities) * sweep_seeds:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        complete = False
    command = (f"qantar reproduce {study} --seeds {seeds} --entropy {entropy} --rules {','.join(names)} "
               f"--sweep-seeds {sweep_seeds} --sweep-step {sweep_step:g}")
    record = {"study": study, "command": command, "qantar_version": __version__, "git_commit": git_commit(),
              "seeds": seeds, "entropy": entropy, "interrupted": not complete, "measures": measures}
    write_json(out / f"{study}-measures.json", record)  # first: the figures and report are made from it
    if not complete:  # keep what finished; a report needs every run
        return Reproduction(out, study, record, None)
    tell(on_progress, "report", 0, None, "drawing the figures")
    first_seed = np.random.SeedSequence(entropy).spawn(seeds)[0]
    run1_worlds = {rs.name: (snapshot(paper_run("run1"), rs, first_seed, 100), 100) for rs in rule_sets}
    run7_worlds = [(snapshot(paper_run("run7"), rule_sets[0], first_seed, t), t) for t in (0, 5, 15, 40)]
    figures = make_figures(out, measures, firsts, run1_worlds, run7_worlds)
    text = render_markdown(measures, seeds, entropy, command, __version__, figures)
    (out / f"{study}.md").write_text(text)
    tell(on_progress, "report", 1, 1, f"wrote {out / (study + '.md')}")
    return Reproduction(out, study, record, text)
