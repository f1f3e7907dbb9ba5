"""The reproduction report of Epstein (2002), Model I runs 1-5: each claim, the paper's value,
qantar's numbers per rule set, and a verdict by a rule stated with the claim.

Verdict rules are fixed here, before the numbers, and printed in the report. They are not
tuned to the results: a claim that does not reproduce says so, with its numbers.
Runs 6-8 (Model II) are listed as not yet run until the Model II engine exists.

Example:
    >>> [c.id for c in CLAIMS][:3]
    ['deception', 'punctuated', 'waiting_times']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qantar.analysis.outbursts import BASE_THRESHOLD
from qantar.analysis.paper_claims import summarize_over_seeds
from qantar.scenario.paper_runs import paper_run

#: The paper's outburst bar (its runs are all 40x40) and the step where runs 3 and 4 part.
BAR = BASE_THRESHOLD
SPLIT = paper_run("run4").schedule[0].step
#: The paper's run 2 figures: waiting time between outbursts (Fig. 5) and total activation
#: per outburst (Fig. 7), mean and s.d.
PAPER_WAIT, PAPER_ACTIVATION = (60.0, 55.0), (708.0, 230.0)

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly", "not reproduced"


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, how qantar measures it, and how it decides."""

    id: str
    runs: tuple[str, ...]
    claim: str
    paper: str
    rule: str  # the verdict rule, in words
    judge: Callable[[dict], tuple[str, str]]  # measures by run -> (verdict, numbers in words)


def _share(values) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def _by_share(shows) -> str:
    """The common rule: reproduced if at least 80% of seeds show it, partly if at least half."""
    return REPRODUCED if _share(shows) >= 0.8 else PARTLY if _share(shows) >= 0.5 else NOT_REPRODUCED


def _num(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"


def _stat(runs: list[dict], key: str) -> str:
    """``key`` over seeds, formatted: mean (s.d., range, n)."""
    return _fmt(summarize_over_seeds([r[key] for r in runs]))


def _fmt(s: dict) -> str:
    if s.get("n", 0) == 0:
        return "none"
    return f"{_num(s['mean'])} (s.d. {_num(s['sd'])}, {_num(s['min'])}-{_num(s['max'])}, n = {s['n']})"


def _judge_punctuated(m: dict) -> tuple[str, str]:
    runs = m["run2"]
    shows = [r["outbursts"] >= 3 and r["calm_share"] >= 0.5 for r in runs]
    some = [r["outbursts"] >= 1 for r in runs]
    outbursts = summarize_over_seeds([r["outbursts"] for r in runs])
    calm = summarize_over_seeds([r["calm_share"] for r in runs])
    words = (f"{sum(shows)} of {len(runs)} seeds show it; outbursts per run {_fmt(outbursts)}; "
             f"calm share {calm['mean']:.2f}; peak actives {_stat(runs, 'peak_active')}")
    verdict = REPRODUCED if _share(shows) >= 0.8 else PARTLY if _share(some) >= 0.5 else NOT_REPRODUCED
    return verdict, words


def _judge_pooled(key: str, paper_mean: float) -> Callable[[dict], tuple[str, str]]:
    def judge(m: dict) -> tuple[str, str]:
        pooled = [v for r in m["run2"] for v in r[key]]
        s = summarize_over_seeds(pooled)
        if s["n"] == 0:
            return NOT_REPRODUCED, "no complete outbursts to measure"
        off = abs(s["mean"] - paper_mean) / paper_mean
        verdict = REPRODUCED if off <= 0.25 else PARTLY if off <= 0.5 else NOT_REPRODUCED
        return verdict, f"{_fmt(s)} pooled over seeds; {off:.0%} from the paper's mean"

    return judge


def _judge_salami_vs_jump(m: dict) -> tuple[str, str]:
    salami, jump = m["run3"], m["run4"]
    s_exp = sum(r["exploded"] for r in salami)
    j_exp = sum(r["exploded"] for r in jump)
    words = (f"explosions (actives > {BAR} from step {SPLIT}): run 3 in {s_exp} of {len(salami)} seeds, run 4 in "
             f"{j_exp} of {len(jump)}; peak actives run 3 {_stat(salami, 'peak_active_after')}, "
             f"run 4 {_stat(jump, 'peak_active_after')}")
    if s_exp <= 0.2 * len(salami) and j_exp >= 0.8 * len(jump):
        return REPRODUCED, words
    return (PARTLY if j_exp > s_exp else NOT_REPRODUCED), words


def _judge_jail(m: dict) -> tuple[str, str]:
    salami, jump = m["run3"], m["run4"]  # same seed index: the same world until the runs part
    more = [j["final_jailed"] > s["final_jailed"] for s, j in zip(salami, jump)]
    words = (f"run 4 ends with more jailed than run 3 in {sum(more)} of {len(more)} paired seeds; final jailed run 3 "
             f"{_stat(salami, 'final_jailed')}, run 4 {_stat(jump, 'final_jailed')}")
    return _by_share(more), words


def _judge_tipping(m: dict) -> tuple[str, str]:
    runs = m["run5"]
    if not runs:
        return NOT_REPRODUCED, "no seeds"
    tipped = [r["tipped"] for r in runs]
    words = (f"tips in {sum(tipped)} of {len(runs)} seeds; cops left when actives first pass {BAR}: "
             f"{_stat(runs, 'cops_at_tipping')} (of {runs[0]['cops_at_start']} at the start); peak actives "
             f"{_stat(runs, 'peak_active')}")
    return _by_share(tipped), words


def _judge_deception(m: dict) -> tuple[str, str]:
    runs = m["run1"]
    ratio = [r["share_after_cop_left"] / r["base_share_cop_left"] if r["base_share_cop_left"] else 0.0
             for r in runs]
    shows = [x >= 2 for x in ratio]
    words = (f"in {sum(shows)} of {len(runs)} seeds activations follow a cop leaving sight at least twice as often "
             f"as cops leave the sight of quiet aggrieved citizens; share of activations right after a cop left "
             f"{_stat(runs, 'share_after_cop_left')}, base rate {_stat(runs, 'base_share_cop_left')}; aggrieved "
             f"but quiet with a cop in sight {_stat(runs, 'hidden_share')}")
    if all(r["base_share_cop_left"] == 0 for r in runs):
        words += ("; no cop ever left a citizen's sight: under this rule set cops stay still when movement is off "
                  "(cops_move_when_movement_off)")
    return _by_share(shows), words


CLAIMS: tuple[Claim, ...] = (
    Claim("deception", ("run1",), "Deceptive behaviour: aggrieved citizens stay quiet while a cop is in sight "
          "and turn active when it moves on.", "Figs. 1-2",
          "reproduced if in at least 80% of seeds the share of activations that come right after a cop left the "
          "citizen's sight is at least twice the base rate at which cops leave quiet aggrieved citizens' sight; "
          "partly in at least half", _judge_deception),
    Claim("punctuated", ("run2",), "Punctuated equilibrium: outbursts separated by calm.",
          "Figs. 3-4", f"reproduced if at least 80% of seeds have 3 or more outbursts (actives above {BAR}) and "
          "spend at least half their steps calm; partly if at least half have an outburst", _judge_punctuated),
    Claim("waiting_times", ("run2",), "Waiting times between outbursts.",
          f"mean {PAPER_WAIT[0]:g}, s.d. {PAPER_WAIT[1]:g} (Fig. 5)",
          f"reproduced if the pooled mean is within 25% of {PAPER_WAIT[0]:g}, partly within 50%",
          _judge_pooled("waiting_times", PAPER_WAIT[0])),
    Claim("activation", ("run2",), "Total activation per outburst (sum of actives over its steps).",
          f"mean {PAPER_ACTIVATION[0]:g}, s.d. {PAPER_ACTIVATION[1]:g} (Fig. 7)",
          f"reproduced if the pooled mean is within 25% of {PAPER_ACTIVATION[0]:g}, partly within 50%",
          _judge_pooled("activations", PAPER_ACTIVATION[0])),
    Claim("salami", ("run3", "run4"), "A large legitimacy loss in small steps brings no outburst; a smaller one "
          "in one jump brings an explosion.", "Figs. 9-10",
          "reproduced if run 3 explodes in at most 20% of seeds and run 4 in at least 80%; partly if run 4 "
          "explodes in more seeds than run 3", _judge_salami_vs_jump),
    Claim("jail", ("run3", "run4"), "More end up in jail after the jump than after the gradual loss.", "Figs. 9-10",
          "reproduced if run 4's final jailed exceeds run 3's in at least 80% of seeds (paired by seed), "
          "partly in at least half", _judge_jail),
    Claim("tipping", ("run5",), "Withdrawing cops tips the society into rebellion.", "Fig. 11",
          f"reproduced if actives pass {BAR} in at least 80% of seeds, partly in at least half", _judge_tipping),
)

#: Claims not yet measured, and why (listed in the report so that the gap stays visible).
NOT_YET = (
    ("run6-8", "Model II: coexistence, genocide with a random victor, peacekeepers, time to extinction "
     "(Figs. 12-17).", "needs the Model II engine; not built yet"),
)


def judge_all(measures: dict[str, dict[str, list[dict]]]) -> list[dict]:
    """Verdicts of every claim for every rule set: ``measures[rules][run]`` is the list of
    per-seed measures. Claims whose runs are missing for a rule set are skipped there."""
    rows = []
    for claim in CLAIMS:
        for rules, by_run in measures.items():
            if all(r in by_run for r in claim.runs):
                verdict, words = claim.judge(by_run)
                rows.append({"claim": claim.id, "rules": rules, "verdict": verdict, "numbers": words})
    return rows


def make_figures(out_dir, measures: dict[str, dict[str, list[dict]]], firsts: dict[str, dict[str, object]],
                 run1_worlds: dict[str, tuple[object, int]]) -> dict[str, list[str]]:
    """Write the report's figures into ``out_dir``/figures; return their paths (relative to
    ``out_dir``) by claim id. ``firsts[rules][run]`` is the first seed's ``RunResult``;
    ``run1_worlds[rules]`` is (world, step) for run 1's screens."""
    from pathlib import Path

    from qantar.report import epstein2002_figures as fig

    out = Path(out_dir)
    made: dict[str, list[str]] = {}

    def add(claim: str, path) -> None:
        made.setdefault(claim, []).append(str(Path(path).relative_to(out)))

    for rules, (world, step) in run1_worlds.items():
        add("deception", fig.screens(world, out / "figures" / f"run1-screens-{rules}.png", step))
    if all("run2" in f for f in firsts.values()):
        add("punctuated", fig.actives_over_time({r: f["run2"].counts for r, f in firsts.items()}, BAR,
                                                out / "figures" / "run2-actives.png"))
        for claim, key, (mean, sd), label in (("waiting_times", "waiting_times", PAPER_WAIT, "waiting time (steps)"),
                                              ("activation", "activations", PAPER_ACTIVATION, "total activation")):
            pooled = {r: [v for m in by_run["run2"] for v in m[key]] for r, by_run in measures.items()}
            add(claim, fig.distributions(pooled, mean, sd, label, f"Run 2: {label}, pooled over seeds",
                                         out / "figures" / f"run2-{key.replace('_', '-')}.png"))
    if all("run3" in f and "run4" in f for f in firsts.values()):
        path = fig.salami_and_jump(firsts, out / "figures" / "run3-run4.png")
        add("salami", path)
        add("jail", path)
    return made


def render_markdown(measures: dict[str, dict[str, list[dict]]], seeds: int, entropy: int, command: str,
                    version: str, figures: dict[str, list[str]] | None = None) -> str:
    """The report as markdown: method, one section per claim (with its figures), then what is
    not measured yet."""
    rows = judge_all(measures)
    lines = [
        "# Reproducing Epstein (2002), Model I",
        "",
        f"Made by `{command}` (qantar {version}): {seeds} seeds per run and rule set, seeds "
        f"`SeedSequence({entropy}).spawn({seeds})`. Presets and their readings: `docs/model.md` "
        "(\"Changes between steps, and the paper's runs\"); sources: `docs/validation/epstein2002-runs.md`.",
        "Verdict rules are fixed in `src/qantar/report/epstein2002.py` and were not tuned to these numbers.",
        "",
        "| claim | " + " | ".join(measures) + " |",
        "|---|" + "---|" * len(measures),
    ]
    for claim in CLAIMS:
        cells = [next((r["verdict"] for r in rows if r["claim"] == claim.id and r["rules"] == rules), "-")
                 for rules in measures]
        lines.append(f"| {claim.id} | " + " | ".join(cells) + " |")
    for claim in CLAIMS:
        lines += ["", f"## {claim.id}: {claim.claim}", "", f"- Paper: {claim.paper}.", f"- Verdict rule: {claim.rule}."]
        for r in rows:
            if r["claim"] == claim.id:
                lines.append(f"- `{r['rules']}`: **{r['verdict']}**. {r['numbers']}.")
        for path in (figures or {}).get(claim.id, []):
            lines += ["", f"![{claim.id}]({path})"]
    lines += ["", "## Not measured yet", ""]
    lines += [f"- {run}: {what} ({why})." for run, what, why in NOT_YET]
    return "\n".join(lines) + "\n"
