"""The local runner: results keyed by task, whatever the schedule; errors surface; a passed
executor is used and left running."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from qantar.experiments.runner import run_tasks


def fail_on_two(x: int) -> int:
    if x == 2:
        raise ValueError("two")
    return x * 10


def test_results_are_keyed_by_task_on_a_pool_and_in_process():
    args = [(x,) for x in range(5)]
    assert run_tasks(fail_on_two, args[:2], workers=1) == {0: 0, 1: 10}
    seen = []
    with ThreadPoolExecutor(2) as pool:
        got = run_tasks(abs, [(-3,), (4,), (-5,)], executor=pool, on_done=lambda k, n: seen.append((k, n)))
        assert pool.submit(abs, -1).result() == 1  # still open: the caller's to shut
    assert got == {0: 3, 1: 4, 2: 5}
    assert sorted(k for k, _ in seen) == [0, 1, 2] and [n for _, n in seen] == [1, 2, 3]
    assert run_tasks(abs, []) == {}


def test_a_failing_task_raises_here():
    with pytest.raises(ValueError, match="two"):
        run_tasks(fail_on_two, [(1,), (2,), (3,)], workers=2)
    with pytest.raises(ValueError, match="two"):
        run_tasks(fail_on_two, [(1,), (2,), (3,)], workers=1)


def test_stopping_a_busy_pool_leaves_its_manager_thread_without_error(monkeypatch):
    """Stopped mid-queue, with tasks running, queued and not yet queued, the pool's manager
    thread ends without an exception (CI once printed its KeyError traceback on Ctrl-C) and
    no worker is left."""
    import threading
    import time

    from qantar.experiments.runner import local_pool, stop_pool

    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    pool = local_pool(2)
    futures = [pool.submit(time.sleep, 0.02) for _ in range(300)]
    futures[0].result()  # the workers run, the call queue is full, most items wait behind it
    workers = list(pool._processes.values())
    stop_pool(pool, interrupted=True)
    assert errors == []
    assert not any(p.is_alive() for p in workers)
    assert all(f.done() for f in futures)
