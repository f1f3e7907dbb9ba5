"""Progress and cancellation, the same for every verb of ``qantar.api``.

A verb takes ``on_progress``, called with a ``Progress`` as work advances (the CLI draws a
bar from it, the dashboard a widget), and ``cancel``, a ``threading.Event`` checked between
runs: once it is set, the verb stops after the run in hand, keeps what finished and returns
(its result says it was interrupted), as a Ctrl-C does.

Example:
    >>> seen = []
    >>> tell(seen.append, "runs", 1, 4, "kazakhstan-2022")
    >>> seen[0]
    Progress(stage='runs', done=1, total=4, message='kazakhstan-2022')
    >>> import threading
    >>> stop = threading.Event(); stop.set()
    >>> try:
    ...     check_cancel(stop)
    ... except Cancelled:
    ...     print("cancelled")
    cancelled
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """Where a verb is: its ``stage`` ('compiling', 'runs', 'steps', 'report'), ``done`` of
    ``total`` units (None: not known yet) and a line for people."""

    stage: str
    done: int
    total: int | None
    message: str = ""


OnProgress = Callable[[Progress], None]


class Cancelled(KeyboardInterrupt):
    """Raised between runs once the caller's cancel event is set; the runners stop on it as
    on a Ctrl-C, keeping what finished."""


def tell(on_progress: OnProgress | None, stage: str, done: int, total: int | None, message: str = "") -> None:
    """Call ``on_progress`` (if given) with a ``Progress``."""
    if on_progress is not None:
        on_progress(Progress(stage, done, total, message))


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise ``Cancelled`` if ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled
