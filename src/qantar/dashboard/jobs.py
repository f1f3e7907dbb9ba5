"""Ensembles run for the dashboard: ``qantar.api.run_ensemble`` on a thread that drives a
process pool, so the server keeps answering (every session, including the one that asked),
with progress and Cancel.

The pool is the server's, shared by every session and kept warm between runs (its workers
have loaded the compiled engine). ``EnsembleJob.cancel`` (the Cancel button, or a closed
tab) sets the verb's cancel event and cancels the job's runs not started yet at once; a run
a worker has begun finishes there and is dropped. The runs finished so far stay in the
folder (``qantar.api.resume_ensemble`` would finish it).

Example:
    >>> import tempfile
    >>> job = EnsembleJob("kazakhstan-2022", tempfile.mkdtemp() + "/kz", seeds=1,
    ...                   overrides=["scale=4000"], workers=1)
    >>> job.start().join(); (job.state, job.done, job.folder.runs_done)
    ('finished', 1, 1)
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, Executor, Future

from qantar import api
from qantar.experiments.runner import available_cores, local_pool

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
    """``api.run_ensemble(scenario, out, seeds=..., seed=..., overrides=..., without=...)``
    on a thread.

    ``state``: "waiting", "running", "finished", "cancelled" or "failed" (``error`` holds the
    one-line message); ``done`` of ``seeds`` runs so far; ``folder`` (an
    ``api.EnsembleFolder``) when finished. ``workers=1`` runs in the thread itself."""

    def __init__(self, scenario: str, out, seeds: int, seed: int = 0, overrides=(), without=(),
                 workers: int | None = None):
        self.call = {"scenario": scenario, "out": out, "seeds": seeds, "seed": seed, "overrides": list(overrides),
                     "without": list(without)}
        self.seeds = seeds
        self.workers = workers
        self.state, self.done, self.folder, self.error = "waiting", 0, None, None
        self._cancel = threading.Event()
        self._executor = None if workers == 1 else CancellableExecutor(shared_pool())
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"ensemble-{scenario}")

    def start(self) -> threading.Thread:
        """Start the runs; returns the thread (``join`` waits for them)."""
        self.state = "running"
        self._thread.start()
        return self._thread

    def _progress(self, progress) -> None:
        if progress.stage == "runs":
            self.done = progress.done

    def _run(self) -> None:
        try:
            folder = api.run_ensemble(**self.call, workers=self.workers, executor=self._executor,
                                      on_progress=self._progress, cancel=self._cancel)
        except (CancelledError, api.Cancelled):
            self.state = "cancelled"
            return
        except Exception as exc:  # a bad scenario (QantarInputError) or a worker's failure
            self.state, self.error = ("cancelled", None) if self.cancelled else ("failed", str(exc))
            return
        self.folder = folder
        self.state = "cancelled" if self.cancelled or folder.interrupted else "finished"

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def active(self) -> bool:
        """Still running."""
        return self.state in ("waiting", "running")

    def cancel(self) -> None:
        """Stop: runs not started are cancelled now."""
        self._cancel.set()
        if self._executor is not None:
            self._executor.cancel()
