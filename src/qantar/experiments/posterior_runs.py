"""Runs from a calibration's posterior: each run of an ensemble takes one particle.

``qantar run SCENARIO --posterior FOLDER`` and Python alike: ``posterior_scenarios`` draws
run k's particle by weight (``storage.posterior.draw_particles``, from the ensemble's
entropy), and loads the scenario with the particle's assignments, then the caller's
``--set``. It refuses a posterior fitted to another scenario, or to this one before it
changed (the fingerprint ``experiments.abc_smc`` recorded), and a ``--set`` of a path the
posterior gives (which would silently replace every particle's value).

Example:
    >>> from qantar.experiments.scenario_run import run_ensemble
    >>> drawn = posterior_scenarios("kazakhstan-2022", "runs/kz-abc", 20, 0)  # doctest: +SKIP
    >>> runs = run_ensemble([scenario for _, scenario in drawn], 20, 0)  # doctest: +SKIP
"""

from __future__ import annotations

from qantar.errors import QantarInputError
from qantar.scenario.load import load_scenario
from qantar.storage.posterior import draw_particles, read_posterior


def posterior_scenarios(name: str, folder, seeds: int, entropy: int, assignments=(), without=()) -> list[tuple]:
    """``(particle row, scenario)`` for each of ``seeds`` runs."""
    from qantar.experiments.abc_smc import scenario_fingerprint

    manifest, table = read_posterior(folder)
    settings = manifest["settings"]
    fitted = settings["scenario_name"]
    if fitted != load_scenario(name).name:
        raise QantarInputError(f"--posterior {folder}: was fitted to scenario {fitted!r}, not {name!r}; "
                               "give a calibration of this scenario")
    if scenario_fingerprint(name, settings["fingerprint_at"]) != settings["fingerprint"]:
        raise QantarInputError(f"--posterior {folder}: scenario {name!r} changed since it was calibrated (its "
                               "fields outside the fitted ones differ); calibrate it again")
    rows = table.select(["generation", "particle", "assignments"]).to_pylist()
    given = {a.split("=", 1)[0].strip() for a in rows[0]["assignments"]}
    for a in assignments:
        path = a.split("=", 1)[0].strip()
        if path in given:
            raise QantarInputError(f"--set {path}: the posterior in {folder} gives each run its own value of it; "
                                   "leave it out, or calibrate again with it fixed (calibrate --set)")
    drawn = [rows[k] for k in draw_particles(table, seeds, entropy)]
    return [(row, load_scenario(name, overrides=[*row["assignments"], *assignments], without=without))
            for row in drawn]
