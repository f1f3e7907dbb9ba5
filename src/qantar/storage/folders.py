"""What a results folder holds: the one place that knows each kind of folder by its marker
file, for the commands that write (refusing a folder of another kind) and for the ones that
read or list (``qantar compare``, the dashboard's runs page).

Kinds, each with the file that marks it (written first, or last for a single run)::

    run           run.json              Epstein's model once (qantar run)
    ensemble      ensemble.json         a scenario ensemble (qantar run SCENARIO); runs.json once reported
    sweep         manifest.json         an experiment folder (qantar sweep)
    sensitivity   sensitivity.json      a sweep with its analysis (qantar sensitivity)
    calibration   calibration.json      ABC-SMC (qantar calibrate)
    comparison    compare.json          two ensembles side by side (qantar compare)
    reproduction  *-measures.json       a paper's claims (qantar reproduce)

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> folder_kind(d) is None                      # empty: free for any kind
    True
    >>> _ = (d / "compare.json").write_text('{"a": "x", "b": "y"}')
    >>> folder_kind(d), describe_kind("sweep")
    ('comparison', 'a sweep')
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from qantar.errors import QantarInputError

#: Each kind and its marker file, checked in this order (a sensitivity folder is also a sweep's).
MARKERS: tuple[tuple[str, str], ...] = (
    ("sensitivity", "sensitivity.json"),
    ("sweep", "manifest.json"),
    ("calibration", "calibration.json"),
    ("ensemble", "ensemble.json"),
    ("ensemble", "runs.json"),
    ("comparison", "compare.json"),
    ("run", "run.json"),
)
#: The reproduction's marker is named after its study: ``<study>-measures.json``.
REPRODUCTION_SUFFIX = "-measures.json"
#: What makes each kind, as a user types it.
COMMANDS = {"run": "qantar run", "ensemble": "qantar run SCENARIO", "sweep": "qantar sweep",
            "sensitivity": "qantar sensitivity", "calibration": "qantar calibrate", "comparison": "qantar compare",
            "reproduction": "qantar reproduce"}


def describe_kind(kind: str) -> str:
    """``kind`` with its article, for messages: 'an ensemble', 'a sweep'."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def marker_of(folder: str | os.PathLike) -> tuple[str, Path] | None:
    """The folder's kind and marker file; None for a missing or empty folder, ``("other",
    folder)`` for one holding files of no qantar kind."""
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.iterdir()):
        return None
    for kind, name in MARKERS:
        if (folder / name).is_file():
            return kind, folder / name
    found = sorted(folder.glob(f"*{REPRODUCTION_SUFFIX}"))
    if found:
        return "reproduction", found[0]
    return "other", folder


def folder_kind(folder: str | os.PathLike) -> str | None:
    """What ``folder`` holds: a kind of ``MARKERS`` (or 'reproduction'), 'other', or None
    when it is missing or empty."""
    found = marker_of(folder)
    return found[0] if found else None


def claim_kind(folder: str | os.PathLike, kind: str, option: str = "--out") -> Path:
    """``folder`` as an output of ``kind``: refused, in one line, when it is a file or holds
    results of another kind (whatever ``--overwrite`` says: replacing one kind by another
    would leave a folder of both). Folders of the same kind, or of other files, are the
    caller's to judge."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise QantarInputError(f"{option}: {folder} is a file; give a folder")
    now = folder_kind(folder)
    if now not in (None, "other", kind):
        raise QantarInputError(f"{option}: {folder} holds {describe_kind(now)} ({COMMANDS[now]}), not "
                               f"{describe_kind(kind)}; give another folder")
    return folder


def require_kind(folder: str | os.PathLike, kind: str, what: str) -> Path:
    """``folder`` as an input that must be of ``kind`` (``what``: the command that needs it),
    or a one-line error saying what it is instead."""
    folder = Path(folder)
    now = folder_kind(folder)
    if now != kind:
        held = ("does not exist" if not folder.exists() else "is empty" if now is None
                else "holds no qantar results" if now == "other" else f"holds {describe_kind(now)}")
        raise QantarInputError(f"{folder}: {held}; {what} needs {describe_kind(kind)} folder "
                               f"(written by {COMMANDS[kind]})")
    return folder


@dataclass(frozen=True)
class FolderInfo:
    """A results folder as the runs page lists it: where, what kind, the command that made
    it (when recorded) and when (its marker's time, UTC)."""

    path: Path
    kind: str
    command: str | None
    modified: dt.datetime


def read_folder(folder: str | os.PathLike) -> FolderInfo | None:
    """The ``FolderInfo`` of a qantar folder, or None for one of no kind."""
    found = marker_of(folder)
    if found is None or found[0] == "other":
        return None
    kind, marker = found
    try:
        record = json.loads(marker.read_text())
    except (OSError, ValueError):
        record = {}
    command = record.get("command") if isinstance(record, dict) else None
    modified = dt.datetime.fromtimestamp(marker.stat().st_mtime, dt.timezone.utc)
    return FolderInfo(Path(folder), kind, command, modified)


def list_folders(root: str | os.PathLike = "runs") -> list[FolderInfo]:
    """Every qantar folder directly under ``root``, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [read_folder(p) for p in root.iterdir() if p.is_dir()]
    return sorted((f for f in found if f is not None), key=lambda f: f.modified, reverse=True)
