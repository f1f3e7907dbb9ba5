"""Running worlds: one run with progress and interruption (``single``); ensembles later."""

from qantar.experiments.single import RunResult, run_model

__all__ = ["RunResult", "run_model"]
