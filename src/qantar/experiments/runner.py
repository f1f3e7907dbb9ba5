"""Running many independent tasks (the runs of an ensemble) on a pool of processes.

Each task is ``fn(*args)`` for one entry of a list; results come back keyed by the entry's
index, whatever order the workers finish in, so a run's number and seed never depend on
the schedule. The pool is a standard ``concurrent.futures`` executor: a local process pool
by default (``spawn``ed processes, which neither inherit the parent's threads, such as a
progress bar's, nor depend on the platform's default), or one the caller passes in. With
one worker and no executor the tasks run in this process, one after another, with no pool
at all.

Ctrl-C keeps what finished: pending tasks are cancelled and the finished results returned.
Interrupts end a run within seconds, however many come and whenever: the local pool's
workers ignore SIGINT (they start with it ignored, so a Ctrl-C to the terminal's process
group reaches only this process, even while they import), SIGTERM is taken as a Ctrl-C
while tasks run (``interrupts_as_ctrl_c``), and on an interrupt the workers are terminated,
not waited for, with further signals ignored while the pool is taken down (``stop_pool``).
``interrupts_once`` lets an interface ignore every signal after the first, while it saves.

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
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

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


def _ignore_ctrl_c() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh (spawned) processes, which ignore SIGINT; submit to it
    through ``run_tasks`` (which starts them with SIGINT ignored from their first
    instruction) and stop it with ``stop_pool``."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_ctrl_c)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def ignoring(*signals: signal.Signals) -> Iterator[None]:
    """``signals`` ignored inside (in the main thread, where signals are handled; elsewhere
    nothing changes); processes started inside start with them ignored.

    Example:
        >>> with ignoring(signal.SIGINT):
        ...     signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        True
    """
    if not _in_main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


#: Set when SIGTERM arrived inside ``interrupts_as_ctrl_c``: a pool broken at that moment
#: lost its workers to the same signal (sent to the process group), not to a fault.
_terminated = threading.Event()


@contextmanager
def interrupts_once() -> Iterator[None]:
    """Inside, the first SIGINT or SIGTERM raises ``KeyboardInterrupt`` (tasks stop, what
    finished is returned) and any later one is ignored, so that an interface can save what
    finished and exit however many Ctrl-C follow (main thread only). The CLI runs every
    command inside it.

    Example:
        >>> import os
        >>> with interrupts_once():
        ...     try:
        ...         os.kill(os.getpid(), signal.SIGTERM)
        ...     except KeyboardInterrupt:
        ...         os.kill(os.getpid(), signal.SIGINT)   # the second: ignored
        ...         print("stopped once")
        stopped once
    """
    if not _in_main_thread():
        yield
        return
    seen = []

    def handler(signum, frame):
        if signum == signal.SIGTERM:
            _terminated.set()
        if not seen:
            seen.append(signum)
            raise KeyboardInterrupt

    _terminated.clear()
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


@contextmanager
def interrupts_as_ctrl_c() -> Iterator[None]:
    """Inside, SIGTERM raises ``KeyboardInterrupt`` as a Ctrl-C does, so that a terminated
    run stops its workers and keeps what finished (main thread only)."""
    if not _in_main_thread() or signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        yield  # not where signals arrive, or someone else handles SIGTERM
        return

    def handler(signum, frame):
        _terminated.set()
        raise KeyboardInterrupt

    _terminated.clear()
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def stop_pool(pool: ProcessPoolExecutor, interrupted: bool) -> None:
    """Shut a local pool down: after an interrupt its workers are terminated at once (the
    tasks they run are lost; finished ones are kept by the caller), otherwise waited for.
    Signals are ignored meanwhile, so that a second Ctrl-C cannot leave workers behind.

    The tasks not yet started are cancelled by the pool's own manager thread
    (``shutdown(cancel_futures=True)``), never from this thread: the manager thread owns its
    work items, and Python 3.11 fails in it (printing a traceback) when a future cancelled
    from outside is then marked broken, or when a work item is taken from under it. Only
    once it has cancelled them are the workers terminated."""
    with ignoring(signal.SIGINT, signal.SIGTERM):
        if interrupted:
            # taken first: shutdown(wait=False) forgets the executor's manager and processes
            manager = getattr(pool, "_executor_manager_thread", None)
            workers = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + 5
            # the manager clears this flag once it has cancelled the queued items
            while (getattr(pool, "_cancel_pending_futures", False) and manager is not None
                   and manager.is_alive() and time.monotonic() < deadline):
                time.sleep(0.005)
            for p in workers:
                if p.is_alive():
                    p.terminate()
            for p in workers:
                p.join(5)
                if p.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
                    p.kill()
                    p.join(1)
            if manager is not None:
                manager.join(5)  # it marks the running tasks broken and closes the queues
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except BrokenProcessPool:  # pragma: no cover - the workers were terminated
            pass


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
    with interrupts_as_ctrl_c():
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
        interrupted = False
        try:
            # a process pool starts a worker per submission up to its size: those with Ctrl-C ignored
            starting = workers if executor is None else getattr(executor, "_max_workers", 0)
            with ignoring(signal.SIGINT):
                futures = {pool.submit(fn, *a): k for k, a in enumerate(args[:starting])}
            futures |= {pool.submit(fn, *a): k for k, a in enumerate(args[starting:], start=starting)}
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
            interrupted = True
        except BrokenProcessPool:
            if not _terminated.is_set():
                raise
            interrupted = True  # its workers were terminated with this process
        finally:
            with ignoring(signal.SIGINT, signal.SIGTERM):
                if executor is None:
                    stop_pool(pool, interrupted)  # which cancels the tasks not started
                else:
                    for f in futures:
                        f.cancel()
    return results
