"""qantar's library API: the verbs a user runs, each one call into a folder, the same ones
under the command line (``qantar.cli``) and the dashboard.

===========================  ==========================================  ======================
verb                         what it does                                command
===========================  ==========================================  ======================
``run_ensemble``             a scenario's ensemble into a folder,        ``qantar run SCENARIO``
                             resumed if the folder holds the same call
``resume_ensemble``          finish an interrupted ensemble's folder     (the same command)
``compare``                  two ensembles: medians, B - A, a figure     ``qantar compare A B``
``reproduce``                a paper's claims over seeds and rule sets   ``qantar reproduce``
``run_model_once``           Epstein's model once into a folder          ``qantar run``
``list_scenarios``           the built-in scenarios                      ``qantar scenarios``
``describe_scenario``        regions, events, ``--set`` paths            ``qantar describe``
``open_folder``,             what a results folder holds (kind,          (the dashboard's
``list_folders``             command, date)                              runs page)
===========================  ==========================================  ======================

Each verb that runs takes ``on_progress`` (called with a ``Progress``) and ``cancel`` (a
``threading.Event``, checked between runs: once set, the verb keeps what finished and
returns, its result marked interrupted). Bad input raises ``QantarInputError`` with one
line naming the field, before anything runs. Returns are small frozen dataclasses around
the folder (``EnsembleFolder``, ``Comparison``, ``Reproduction``, ``ModelRun``).

Example:
    >>> import tempfile
    >>> from qantar import api
    >>> done = api.run_model_once(tempfile.mkdtemp(), steps=10, seed=1)
    >>> api.open_folder(done.path).kind
    'run'
"""

from qantar.api.compare import Comparison, compare
from qantar.api.ensemble import EnsembleFolder, resume_ensemble, run_ensemble
from qantar.api.model_run import ModelRun, run_model_once
from qantar.api.progress import Cancelled, Progress
from qantar.api.reproduce import STUDIES, Reproduction, reproduce
from qantar.api.scenarios import ScenarioDescription, ScenarioInfo, describe_scenario, list_scenarios
from qantar.storage.folders import FolderInfo, folder_kind, list_folders
from qantar.storage.folders import read_folder as open_folder

__all__ = ["Cancelled", "Comparison", "EnsembleFolder", "FolderInfo", "ModelRun", "Progress", "Reproduction",
           "STUDIES", "ScenarioDescription", "ScenarioInfo", "compare", "describe_scenario", "folder_kind",
           "list_folders", "list_scenarios", "open_folder", "reproduce", "resume_ensemble", "run_ensemble",
           "run_model_once"]
