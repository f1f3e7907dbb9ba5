"""Scenarios: what changes when. For now the step schedule of between-step changes, and the
named runs of Epstein (2002); dated calendars over regions will build on the same changes."""

from qantar.scenario.paper_runs import PAPER_RUNS, PaperRun, paper_run
from qantar.scenario.schedule import Change, apply_change, cop_ramp, legitimacy_ramp, validate_schedule

__all__ = [
    "Change",
    "PAPER_RUNS",
    "PaperRun",
    "apply_change",
    "cop_ramp",
    "legitimacy_ramp",
    "paper_run",
    "validate_schedule",
]
