"""Running many independent tasks (the runs of an ensemble) on a pool of processes.

Each task is ``fn(*args)`` for one entry of a list; results come back keyed by the entry's
index, whatever order the workers finish in, so a run's number and seed never depend on
the schedule. The pool is a standard ``concurrent.futures`` executor: a local process pool
by default (``spawn``ed processes, which neither inherit the parent's threads, such as a
progress bar's, nor depend on the platform's default), or one the caller passes in. With
one worker and no executor the tasks run in this process, one after another, with no pool
at all.

Ctrl-C keeps what finished: pending tasks are cancelled and the finished results returned.

On a cluster, ``cluster_executor(ADDRESS)`` gives a Dask ``distributed`` client's executor
(``qantar[dask]``), which ``run_tasks`` takes like any other; a ``Client`` made in Python
serves the same way through ``client.get_executor()``.

Ensembles (``scenario_run.run_ensemble``), sweeps (``sweep.run_sweep``, which adds the
results store, failures and retries) and the calibration run through it.

Example:
    >>> run_tasks(pow, [(2, 3), (3, 2)], workers=1)
    {0: 8, 1: 9}
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait

from qantar.errors import QantarInputError


def available_cores() -> int:
    """Cores this process may run on (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def worker_count(tasks: int, workers: int | None = None) -> int:
    """Processes ``run_tasks`` uses for ``tasks`` tasks: ``workers`` (default: the available
    cores), at most one a task."""
    return max(1, min(tasks, workers or available_cores()))


def threads_per_run(tasks: int, workers: int | None = None) -> int:
    """Threads each of ``tasks`` runs may use to step its regions when ``run_tasks`` runs
    them on ``workers`` processes: the available cores shared among the processes, at least
    one, so that processes x threads never exceeds the cores.

    Example:
        >>> threads_per_run(20, workers=available_cores()), threads_per_run(1) == available_cores()
        (1, True)
    """
    return max(1, available_cores() // worker_count(tasks, workers))


@contextmanager
def cluster_executor(address: str | None, timeout: float = 10.0) -> Iterator[Executor | None]:
    """The executor of a Dask scheduler at ``address`` (closed on exit), or None for the
    local pool when no address is given. Refuses clearly when Dask is missing or the
    scheduler does not answer within ``timeout`` seconds."""
    if not address:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        raise QantarInputError("--cluster: Dask is not installed; pip install 'qantar[dask]' "
                               "(or dask[distributed])") from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise QantarInputError(f"--cluster: no Dask scheduler answers at {address!r} ({type(exc).__name__}); "
                               "give its address, e.g. tcp://10.0.0.5:8786") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh (spawned) processes."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_tasks(fn: Callable, args: Sequence[tuple], *, workers: int | None = None, executor: Executor | None = None,
              on_done: Callable[[int, int], None] | None = None,
              on_result: Callable[[int, object], None] | None = None,
              on_lost: Callable[[int, Exception], object] | None = None) -> dict[int, object]:
    """``{k: fn(*args[k])}`` for every task that finished.

    ``workers``: processes of the local pool (default: the available cores, at most one a
    task); 1 runs here, in order. ``executor``: run on this one instead (it is not shut
    down). ``on_done(k, done)`` is called in this process as task k finishes, ``done``
    finished so far; ``on_result(k, result)`` just before it, to keep each result (write
    it to disk) as soon as it exists. An exception raised by a task is raised here: tasks
    not started are cancelled, and with the local pool the running ones are waited for and
    their results dropped. A Ctrl-C returns what finished.

    ``on_lost(k, error)``, with a passed ``executor``: task k's future raised ``error`` (for
    tasks that return their own errors, the executor lost it: Dask's ``KilledWorker``
    after a task's workers died too often); its return value is taken as the result, and
    the other tasks go on. The error comes without its traceback, whose frames would keep
    a Dask future, and so its error, alive in the client for a rerun.
    """
    if not args:
        return {}
    workers = worker_count(len(args), workers)
    results: dict[int, object] = {}
    if executor is None and workers == 1:
        try:
            for k, a in enumerate(args):
                results[k] = fn(*a)
                if on_result:
                    on_result(k, results[k])
                if on_done:
                    on_done(k, len(results))
        except KeyboardInterrupt:
            pass
        return results
    pool = executor or local_pool(workers)
    futures: dict[Future, int] = {}
    try:
        futures = {pool.submit(fn, *a): k for k, a in enumerate(args)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in sorted(finished, key=futures.get):
                try:
                    results[futures[f]] = f.result()
                except Exception as exc:
                    if on_lost is None or executor is None:
                        raise
                    results[futures[f]] = on_lost(futures[f], exc.with_traceback(None))
                if on_result:
                    on_result(futures[f], results[futures[f]])
                if on_done:
                    on_done(futures[f], len(results))
    except KeyboardInterrupt:
        pass
    finally:
        for f in futures:
            f.cancel()
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
    return results
