"""Scenarios: what changes when. Scenario files (schema, load, build) and their dated
calendars over regions (timeline), the step schedules of model runs (schedule, compiled to
the same timeline actions), and the named runs of Epstein (2002)."""

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
