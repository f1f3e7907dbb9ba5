"""The reproduction report of Epstein (2002), runs 1-8 and the time-to-extinction sweep:
each claim, the paper's value, qantar's numbers per rule set, and a verdict by a rule stated
with the claim.

Verdict rules are fixed here, before the numbers, and printed in the report. They are not
tuned to the results: a claim that does not reproduce says so, with its numbers.

Example:
    >>> [c.id for c in CLAIMS][:3]
    ['deception', 'punctuated', 'waiting_times']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from qantar.analysis.outbursts import BASE_THRESHOLD
from qantar.analysis.paper_claims import summarize_over_seeds
from qantar.scenario.paper_runs import PEACEKEEPERS_STEP, paper_run

#: The paper's outburst bar (its runs are all 40x40) and the step where runs 3 and 4 part.
BAR = BASE_THRESHOLD
SPLIT = paper_run("run4").schedule[0].step
#: Where Model II's other reading of rule K is measured.
RULE_K_NOTE = ("An active citizen with nobody to kill turns quiet here (Ascape's reading). The other reading, where "
               "it stays active and open to arrest (`active_without_victim=True`), is measured for this claim in "
               "`docs/validation/epstein2002-runs.md`, \"Model II: the reading of rule K\"")
#: Where single changes of reading are measured for the Model I claims no rule set reproduces.
READINGS_NOTE = ("No rule set reproduces this. Single changes of reading that move it are measured in "
                 "`docs/validation/epstein2002-runs.md`, \"Model I: readings that move the claims no rule set "
                 "reproduces\"")
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
    note: str = ""  # where to read more, e.g. a reading of an ambiguous rule that bears on it


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


def binomial_two_sided(k: int, n: int) -> float:
    """Exact two-sided p-value of k successes in n fair trials (probability 1/2).

    Example:
        >>> round(binomial_two_sided(15, 20), 4), binomial_two_sided(10, 20)
        (0.0414, 1.0)
    """
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2 * tail)


def spearman(x, y) -> float:
    """Spearman's rank correlation (ties get their average rank); 0 if either is constant.

    Example:
        >>> round(spearman([1, 2, 3, 4], [10, 20, 20, 40]), 4)
        0.9487
    """
    def ranks(v):
        v = np.asarray(v, float)
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for value in np.unique(v):  # ties: their average rank
            r[v == value] = r[v == value].mean()
        return r

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def _extinct_words(runs: list[dict]) -> str:
    gone = [r["extinct_step"] for r in runs if r["extinct_step"] is not None]
    return (f"a group dies out in {len(gone)} of {len(runs)} seeds, at step "
            f"{_fmt(summarize_over_seeds(gone))}")


def _judge_coexistence(m: dict) -> tuple[str, str]:
    runs = m["run6"]
    shows = [r["killed"] == 0 and r["both_alive_at_end"] for r in runs]
    words = (f"{sum(shows)} of {len(runs)} seeds have no killing and both groups alive at the end; kills "
             f"{_stat(runs, 'killed')}; living at the end: blue {_stat(runs, 'final_blue')}, green "
             f"{_stat(runs, 'final_green')}")
    return _by_share(shows), words


def _judge_genocide(m: dict) -> tuple[str, str]:
    runs = m["run7"]
    gone = [r for r in runs if r["extinct_step"] is not None]
    won = [r for r in gone if r["victor"] is not None]  # both groups can die out in one step
    greens = sum(r["victor"] == 1 for r in won)
    p = binomial_two_sided(greens, len(won))
    words = (f"{_extinct_words(runs)}; green wins {greens} of {len(won)}, blue {len(won) - greens} "
             f"(two-sided binomial test of a fair victor: p = {p:.2f})"
             + (f"; both died out together in {len(gone) - len(won)}" if len(won) < len(gone) else "")
             + f"; kills {_stat(runs, 'killed')}")
    share = len(gone) / len(runs) if runs else 0.0
    if share >= 0.8 and p >= 0.05:
        return REPRODUCED, words
    return (PARTLY if share >= 0.5 else NOT_REPRODUCED), words


def _judge_stable_nasty(m: dict) -> tuple[str, str]:
    runs = m["run8"]
    shows = [r["both_alive_at_end"] and r["kills_per_step"] > 0 for r in runs]
    words = (f"both groups alive at the end with killing going on in {sum(shows)} of {len(runs)} seeds; "
             f"{_extinct_words(runs)}; kills per step while both live {_stat(runs, 'kills_per_step')}")
    return _by_share(shows), words


def _judge_peacekeepers(m: dict) -> tuple[str, str]:
    without, pk = m["run7"], m["run7-peacekeepers"]  # same seed index: the same world until step 50
    saved = [r["both_alive_at_end"] for r in pk]
    too_late = sum(r["extinct_step"] is not None and r["extinct_step"] < PEACEKEEPERS_STEP for r in without)

    def later(a: dict, b: dict) -> bool:
        return b["extinct_step"] is None or (a["extinct_step"] is not None and b["extinct_step"] > a["extinct_step"])

    delayed = [later(a, b) for a, b in zip(without, pk)]
    words = (f"both groups alive at the end in {sum(saved)} of {len(pk)} seeds; the genocide comes later or not at "
             f"all in {sum(delayed)} of {len(delayed)} seeds paired with run 7 (in {too_late} a group had died out before the "
             f"peacekeepers arrived at step {PEACEKEEPERS_STEP}); with peacekeepers {_extinct_words(pk)}")
    if _share(saved) >= 0.8:
        return REPRODUCED, words
    return (PARTLY if _share(delayed) >= 0.5 else NOT_REPRODUCED), words


def _judge_extinction_sweep(m: dict) -> tuple[str, str]:
    runs, cap = m["sweep"], m["sweep_cap"]
    if not runs:
        return NOT_REPRODUCED, "no runs"
    dens = np.array([r["cop_density"] for r in runs])
    time = np.array([cap if r["extinct_step"] is None else r["extinct_step"] for r in runs], float)
    rho = spearman(dens, time)
    lo, hi = dens.min(), dens.max()
    mean_lo, mean_hi = time[dens == lo].mean(), time[dens == hi].mean()
    sd_lo, sd_hi = time[dens == lo].std(ddof=1), time[dens == hi].std(ddof=1)
    capped = int(np.sum(time >= cap))
    per = int(np.sum(dens == lo))
    words = (f"{len(np.unique(dens))} densities from {lo:g} to {hi:g}, {per} seeds each; Spearman rho {rho:.2f}; "
             f"mean steps to extinction {mean_lo:.0f} at {lo:g} and {mean_hi:.0f} at {hi:g}, s.d. {sd_lo:.0f} and "
             f"{sd_hi:.0f}; {capped} of {len(runs)} runs reach the cap of {cap} steps with both groups alive")
    if rho >= 0.5 and mean_hi >= 2 * mean_lo and sd_hi >= 2 * sd_lo:
        return REPRODUCED, words
    return (PARTLY if rho > 0.2 else NOT_REPRODUCED), words


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
          _judge_pooled("activations", PAPER_ACTIVATION[0]), READINGS_NOTE),
    Claim("salami", ("run3", "run4"), "A large legitimacy loss in small steps brings no outburst; a smaller one "
          "in one jump brings an explosion.", "Figs. 9-10",
          "reproduced if run 3 explodes in at most 20% of seeds and run 4 in at least 80%; partly if run 4 "
          "explodes in more seeds than run 3", _judge_salami_vs_jump),
    Claim("jail", ("run3", "run4"), "More end up in jail after the jump than after the gradual loss.", "Figs. 9-10",
          "reproduced if run 4's final jailed exceeds run 3's in at least 80% of seeds (paired by seed), "
          "partly in at least half", _judge_jail, READINGS_NOTE),
    Claim("tipping", ("run5",), "Withdrawing cops tips the society into rebellion.", "Fig. 11",
          f"reproduced if actives pass {BAR} in at least 80% of seeds, partly in at least half", _judge_tipping),
    Claim("coexistence", ("run6",), "Model II, L = 0.9, no cops: peaceful coexistence; nobody kills and both "
          "groups live on.", "Fig. 12", "reproduced if in at least 80% of seeds nobody is killed and both groups "
          "are alive at the end; partly in at least half", _judge_coexistence),
    Claim("genocide", ("run7",), "Model II, L = 0.8, no cops: local ethnic cleansing grows into genocide, and "
          "the victor is random.", "Fig. 13; genocide in every one of 30 runs",
          "reproduced if a group dies out within the run in at least 80% of seeds and a two-sided binomial test "
          "does not reject a fair victor (p >= 0.05); partly if a group dies out in at least half",
          _judge_genocide),
    Claim("stable_nasty", ("run8",), "Model II, L = 0.8, cops 0.04: a 'stable, but nasty' regime; both groups "
          "survive while killing goes on.", "text with Figs. 13-14",
          "reproduced if in at least 80% of seeds both groups are alive at the end and kills go on (more than 0 "
          "per step while both live); partly in at least half", _judge_stable_nasty, RULE_K_NOTE),
    Claim("peacekeepers", ("run7", "run7-peacekeepers"), "Peacekeepers deployed at t = 50 into run 7's world: "
          "safe havens emerge and the genocide is averted.", "Fig. 14",
          "reproduced if both groups are alive at the end in at least 80% of seeds; partly if in at least half "
          "of the seeds (paired with run 7 by seed) the genocide comes later or not at all", _judge_peacekeepers,
          RULE_K_NOTE),
    Claim("extinction_sweep", ("sweep",), "Time to extinction rises with the initial cop density, in mean and "
          "in spread.", "Figs. 15-17: densities 0 to 0.1 in steps of 0.002, 50 runs each, capped at 15,000 "
          "cycles (the figures' values were not available here)",
          "reproduced if Spearman's rank correlation between density and time to extinction (runs reaching the "
          "cap counted at the cap) is at least 0.5 and both the mean and the s.d. at the highest density are at "
          "least twice those at density 0; partly if the correlation is above 0.2", _judge_extinction_sweep),
)

#: Claims not yet measured, and why (listed in the report so that the gap stays visible).
NOT_YET: tuple[tuple[str, str, str], ...] = ()


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
                 run1_worlds: dict[str, tuple[object, int]],
                 run7_worlds: list[tuple[object, int]] = ()) -> dict[str, list[str]]:
    """Write the report's figures into ``out_dir``/figures; return their paths (relative to
    ``out_dir``) by claim id. ``firsts[rules][run]`` is the first seed's ``RunResult``;
    ``run1_worlds[rules]`` is (world, step) for run 1's screens; ``run7_worlds`` are
    (world, step) pairs of run 7's grid."""
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
    model_ii = ("run6", "run7", "run8", "run7-peacekeepers")
    if all(all(n in f for n in model_ii) for f in firsts.values()):
        path = fig.groups_over_time(firsts, model_ii, out / "figures" / "model-ii-groups.png")
        for claim in ("coexistence", "genocide", "stable_nasty", "peacekeepers"):
            add(claim, path)
    if run7_worlds:
        add("genocide", fig.group_screens(run7_worlds, out / "figures" / "run7-screens.png"))
    sweeps = {r: by_run["sweep"] for r, by_run in measures.items() if by_run.get("sweep")}
    if sweeps:
        cap = next(by_run["sweep_cap"] for by_run in measures.values() if by_run.get("sweep"))
        runs = {r: [SimpleNamespace(**x) for x in v] for r, v in sweeps.items()}
        add("extinction_sweep", fig.extinction_by_density(runs, cap, out / "figures" / "extinction-by-density.png"))
    return made


def render_markdown(measures: dict[str, dict[str, list[dict]]], seeds: int, entropy: int, command: str,
                    version: str, figures: dict[str, list[str]] | None = None) -> str:
    """The report as markdown: method, one section per claim (with its figures), then what is
    not measured yet."""
    rows = judge_all(measures)
    lines: list[str] = [
        "# Reproducing Epstein (2002), Models I and II",
        "",
        f"Made by `{command}` (qantar {version}): {seeds} seeds per run and rule set, seeds "
        f"`SeedSequence({entropy}).spawn({seeds})`. Presets and their readings: `docs/model.md` "
        "(\"Changes between steps, and the paper's runs\"); sources: `docs/validation/epstein2002-runs.md`.",
        "Verdict rules are fixed in `src/qantar/report/epstein2002.py` and were not tuned to these numbers.",
    ]
    sweep = next((by_run for by_run in measures.values() if by_run.get("sweep")), None)
    if sweep:
        lines.append(f"The time-to-extinction sweep (Figs. 15-17) uses {sweep['sweep_seeds']} seeds per density and "
                     f"rule set, fewer than the paper's 50, and densities in steps of {sweep['sweep_step']:g} "
                     "(the paper's: 0.002), so that the whole reproduction runs in minutes on two cores.")
    lines += [
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
        if claim.note:
            lines.append(f"- Note: {claim.note}.")
        for path in (figures or {}).get(claim.id, []):
            lines += ["", f"![{claim.id}]({path})"]
    if NOT_YET:
        lines += ["", "## Not measured yet", ""]
        lines += [f"- {run}: {what} ({why})." for run, what, why in NOT_YET]
    return "\n".join(lines) + "\n"
