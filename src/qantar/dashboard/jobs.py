"""Ensembles run for the dashboard: on a thread that drives a process pool, so the server
keeps answering (every session, including the one that asked), with progress and Cancel.

The pool is the server's, shared by every session and kept warm between runs (its workers
have loaded the compiled engine). ``EnsembleJob.cancel`` (the Cancel button, or a closed
tab) cancels the job's runs not started yet at once; a run a worker has begun finishes
there and is dropped.

Example:
    >>> from qantar.scenario.schema import Scenario
    >>> s = Scenario.model_validate({"name": "one", "start": "2022-01-01T00:00:00", "days": 1, "scale": 50,
    ...     "regions": [{"name": "A", "population": 20000, "police_per_100k": 400}]})
    >>> job = EnsembleJob(s, seeds=1, workers=1)
    >>> job.start().join(); (job.state, job.done, len(job.runs))
    ('finished', 1, 1)
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, Executor, Future

from qantar.experiments.runner import available_cores, local_pool
from qantar.experiments.scenario_run import run_ensemble

_pool_lock = threading.Lock()
_pool = None


def shared_pool():
    """The server's process pool (one worker a core), made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = local_pool(available_cores())
        return _pool


class CancellableExecutor(Executor):
    """An executor over another that can cancel, at once, everything submitted through it."""

    def __init__(self, inner: Executor):
        self.inner = inner
        self.futures: list[Future] = []
        self.cancelled = False
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            future = self.inner.submit(fn, *args, **kwargs)
            self.futures.append(future)
            if self.cancelled:
                future.cancel()
            return future

    def cancel(self) -> None:
        """Cancel every run not started (a started one finishes in its worker, unused)."""
        with self._lock:
            self.cancelled = True
            for f in self.futures:
                f.cancel()


class EnsembleJob:
    """``seeds`` runs of ``scenario`` (``run_ensemble``'s seeds from ``entropy``) on a thread.

    ``state``: "waiting", "running", "finished", "cancelled" or "failed" (``error`` holds the
    message); ``done`` of ``seeds`` runs so far; ``runs`` when finished. ``workers=1`` runs
    in the thread itself, without a pool."""

    def __init__(self, scenario, seeds: int, entropy: int = 0, workers: int | None = None):
        self.scenario, self.seeds, self.entropy, self.workers = scenario, seeds, entropy, workers
        self.state, self.done, self.runs, self.error = "waiting", 0, [], None
        self._executor = None if workers == 1 else CancellableExecutor(shared_pool())
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"ensemble-{scenario.name}")

    def start(self) -> threading.Thread:
        """Start the runs; returns the thread (``join`` waits for them)."""
        self.state = "running"
        self._thread.start()
        return self._thread

    def _progress(self, done: int) -> None:
        self.done = done

    def _run(self) -> None:
        try:
            runs = run_ensemble(self.scenario, self.seeds, self.entropy, on_run_done=self._progress,
                                workers=self.workers, executor=self._executor)
        except CancelledError:
            self.state = "cancelled"
            return
        except Exception as exc:  # a bad scenario (QantarInputError) or a worker's failure
            self.state, self.error = ("cancelled", None) if self.cancelled else ("failed", str(exc))
            return
        self.runs = runs
        self.state = "cancelled" if self.cancelled else "finished"

    @property
    def cancelled(self) -> bool:
        return self._executor is not None and self._executor.cancelled

    @property
    def active(self) -> bool:
        """Still running."""
        return self.state in ("waiting", "running")

    def cancel(self) -> None:
        """Stop: runs not started are cancelled now."""
        if self._executor is not None:
            self._executor.cancel()
