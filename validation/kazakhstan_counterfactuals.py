"""The kazakhstan-2022 counterfactuals against the base: no CSTO troops, no internet
shutdown, no order to fire. The same as

    qantar run kazakhstan-2022 --out base
    qantar run kazakhstan-2022 --without csto --out no-csto
    qantar compare base no-csto

for each, written into ``docs/validation/kazakhstan-2022-counterfactuals.md`` with a figure
each. Every ensemble uses the same seeds (``SeedSequence(0).spawn(20)``), so each
counterfactual differs from the base only by the event left out.

Usage::

    python validation/kazakhstan_counterfactuals.py [--seeds 20]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow as pa

from qantar import __version__
from qantar.analysis.compare import compare_records, difference_rows
from qantar.analysis.scenario_measures import measure_run
from qantar.experiments.scenario_run import run_ensemble
from qantar.report.scenario import compare_figure
from qantar.scenario.load import load_scenario
from qantar.storage.scenario import run_table
from qantar.storage.series import git_commit

SCENARIO = "kazakhstan-2022"
ENTROPY = 0  # every ensemble's seeds: SeedSequence(ENTROPY).spawn(seeds), so runs pair up
DOCS = Path(__file__).resolve().parent.parent / "docs" / "validation"
COUNTERFACTUALS = {
    "csto": "no CSTO troops (nor the legitimacy their arrival costs)",
    "shutdown": "no nationwide internet shutdown (5-10 Jan; the mobile disruption of 4-5 Jan stays)",
    "lethal-force": "no order to fire",
}
LABELS = {"peak_participants": "peak participants", "peak_day": "peak (days from 1 Jan 00:00)",
          "detained": "detained", "killed": "killed", "security_killed": "security killed",
          "defected": "police defected"}


def ensemble(without: list[str], seeds: int) -> tuple[dict, pa.Table]:
    scenario = load_scenario(SCENARIO, without=without)
    runs = run_ensemble(scenario, seeds, ENTROPY)
    record = {"scenario": scenario.model_dump(mode="json"), "entropy": ENTROPY,
              "measures": [measure_run(r) for r in runs]}
    return record, pa.concat_tables([run_table(r.index, r) for r in runs])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    base, base_table = ensemble([], args.seeds)
    lines = [
        "# kazakhstan-2022: counterfactuals",
        "",
        f"Made by `python validation/kazakhstan_counterfactuals.py --seeds {args.seeds}` (qantar {__version__}, "
        f"commit {git_commit()}), {args.seeds} runs each, the same seeds for all "
        "(`SeedSequence(0).spawn`). Each row: the medians without the event (B) and with it (A, the "
        "base), and B - A with a bootstrap 90% interval, as `qantar compare` prints them: the runs "
        "resampled in pairs (run k without the event beside run k with it, from the same seed, so "
        "that the two differ only from where the event acts). The model "
        f"is the built-in as shipped (`kazakhstan-2022.md` says which of its {len(load_scenario(SCENARIO).targets)} targets it meets and by how "
        "much it misses the others, and `convergence.md` what its scale does): what it says about the real "
        "January is only as good as that.",
        "",
    ]
    for event, title in COUNTERFACTUALS.items():
        record, table = ensemble([event], args.seeds)
        rows = compare_records(base, record)
        figure = DOCS / "figures" / f"kazakhstan-2022-without-{event}.png"
        compare_figure("with (base)", base_table, f"without {event}", table, figure)
        lines += [f"## Without `{event}`: {title}", "",
                  f"`qantar run kazakhstan-2022 --without {event}` against `qantar run kazakhstan-2022`.", "",
                  "| measure | with (A) | without (B) | B - A | 90% interval |", "|---|---|---|---|---|"]
        lines += [f"| {LABELS.get(r['measure'], r['measure'].replace('_', ' '))} | {r['A (median)']} | "
                  f"{r['B (median)']} | {r['B - A']} | {r['90% interval']} |" for r in difference_rows(rows)]
        lines += ["", f"![without {event}](figures/{figure.name})", ""]
    (DOCS / "kazakhstan-2022-counterfactuals.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
