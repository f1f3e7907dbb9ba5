"""A worker process killed in the middle of a sweep: on the local pool the sweep replaces
the pool and reruns what was lost; on Dask the nanny restarts the worker and the scheduler
reruns its tasks; a run Dask gives up on (KilledWorker) is recorded as failed, the sweep goes
on, and a rerun retries it. Every way, the runs equal a clean serial sweep's, run by run."""

import multiprocessing
import os
import signal
import threading
import time

import dask
import pytest
from distributed import Client, LocalCluster

from qantar.experiments.sweep import SweepSpec, run_sweep

# 8 runs of about 0.45 s each (150 x 150, 300 steps): when the first is written, the others
# are running or waiting, whatever the machine's speed, since they all take about as long
SPEC = SweepSpec(name="w", steps=300, base={"width": 150, "height": 150},
                 grid={"legitimacy": [0.6, 0.7, 0.8, 0.9]}, seeds=2, entropy=7)
TIMEOUT = 120  # seconds; the whole file takes about 20


def measures(store) -> list:
    return [(r["run"], r["status"], r.get("measures")) for r in store.rows()]


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The clean sweep, here in this process, run by run."""
    return measures(run_sweep(SPEC, tmp_path_factory.mktemp("serial") / "e", workers=1))


class Sweep(threading.Thread):
    """``run_sweep`` in a thread, so that the test can kill a worker while it runs."""

    def __init__(self, folder, **options):
        super().__init__(daemon=True)
        self.folder, self.options, self.store, self.error = folder, options, None, None
        self.start()

    def run(self):
        try:
            self.store = run_sweep(SPEC, self.folder, **self.options)
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            self.error = exc

    def first_run_written(self) -> None:
        """Wait until a run's row is written, the sweep still running (the other runs take
        about as long as that one, so they are running or waiting)."""
        deadline = time.monotonic() + TIMEOUT
        while not list((self.folder / "runs").glob("run-*.json")):
            assert self.is_alive(), f"the sweep ended before any run was written: {self.error!r}"
            assert time.monotonic() < deadline, "no run written"
            time.sleep(0.01)
        assert self.is_alive(), "the sweep ended before a worker could be killed: make SPEC's runs longer"

    def result(self):
        self.join(TIMEOUT)
        assert not self.is_alive(), f"the sweep did not end within {TIMEOUT} s"
        if self.error is not None:
            raise self.error
        return self.store


def test_a_local_worker_killed_mid_sweep_is_replaced_and_its_runs_run_again(serial, tmp_path):
    before = set(multiprocessing.active_children())
    sweep = Sweep(tmp_path / "e", workers=2)
    sweep.first_run_written()
    pool = [p for p in multiprocessing.active_children() if p not in before]  # the spawned pool's processes
    assert len(pool) == 2, pool
    os.kill(pool[0].pid, signal.SIGKILL)
    store = sweep.result()
    assert measures(store) == serial and all(status == "done" for _, status, _ in serial)
    manifest = store.manifest
    assert manifest["worker_deaths_last_session"] == 1 and manifest["runs_done"] == manifest["runs_total"] == 8


def kill_a_busy_worker(client: Client, pids: dict) -> int:
    """SIGKILL the process (not the nanny) of a Dask worker that holds two tasks, one running
    and one waiting its turn, so that it dies with a task it cannot have finished, however
    the kill and a task's end fall: the scheduler sees that task lost. Its pid. (The
    scheduler's view, not the worker's: a run holds the GIL, so the worker answers nothing
    while it runs.)"""

    def held(dask_scheduler):
        return {address: len(ws.processing) for address, ws in dask_scheduler.workers.items()}

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        busy = [address for address, n in client.run_on_scheduler(held).items() if n >= 2]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            return pids[busy[0]]
        time.sleep(0.01)
    raise AssertionError("no Dask worker held two tasks")


def dask_cluster(config: dict | None = None) -> LocalCluster:
    """Two worker processes of one thread; the scheduler gives each a task to run and one
    waiting (worker-saturation 1.1, the default: ceil(1.1 x 1 thread) = 2 tasks a worker)."""
    settings = {"distributed.scheduler.worker-saturation": 1.1} | (config or {})
    with dask.config.set(settings):  # read as the scheduler starts
        return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)


def test_a_dask_worker_killed_mid_sweep_is_restarted_and_its_tasks_run_again(serial, tmp_path):
    with dask_cluster() as cluster, Client(cluster) as client:
        workers, nannies = client.run(os.getpid), client.run(os.getpid, nanny=True)
        sweep = Sweep(tmp_path / "e", executor=client.get_executor())
        sweep.first_run_written()
        killed = kill_a_busy_worker(client, workers)
        store = sweep.result()
        client.wait_for_workers(2, timeout=TIMEOUT)
        now = set(client.run(os.getpid).values())
        assert killed not in now and len(now & set(workers.values())) == 1  # the killed one, restarted
        assert sorted(client.run(os.getpid, nanny=True).values()) == sorted(nannies.values())  # by its nanny
        # the scheduler saw the task the worker ran lost with it, and ran it again elsewhere
        lost = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.task_prefixes["run_one"].suspicious)
    assert lost >= 1
    # Dask's allowed-failures (3) was not reached: nothing failed, and the sweep was not told
    assert measures(store) == serial
    assert store.manifest["worker_deaths_last_session"] == 0 and store.manifest["runs_done"] == 8


def test_a_run_dask_gives_up_on_is_recorded_as_failed_and_a_rerun_retries_it(serial, tmp_path):
    with dask_cluster({"distributed.scheduler.allowed-failures": 0}) as cluster, Client(cluster) as client:
        workers, executor = client.run(os.getpid), client.get_executor()
        sweep = Sweep(tmp_path / "e", executor=executor)
        sweep.first_run_written()
        kill_a_busy_worker(client, workers)
        store = sweep.result()
        rows = store.rows()
        lost = [r for r in rows if r["status"] == "failed"]
        # the task the worker ran (and any queued there) erred with KilledWorker at once, and
        # was recorded as failed; the sweep went on with the others
        assert len(rows) == 8 and lost, [(r["run"], r["status"]) for r in rows]
        assert all(r["error"].startswith("KilledWorker: ") for r in lost), lost[0]["error"]
        assert store.manifest["runs_done"] == 8 - len(lost)
        kept = {r["run"] for r in rows if r["status"] == "done"}
        assert [m for m in measures(store) if m[0] in kept] == [m for m in serial if m[0] in kept]
        client.wait_for_workers(2, timeout=TIMEOUT)
        ran = []  # the same client: Dask has forgotten the erred tasks, and runs them again
        again = run_sweep(SPEC, tmp_path / "e", executor=executor, on_done=lambda done, total: ran.append(done))
    assert len(ran) == len(lost) and measures(again) == serial and again.manifest["runs_done"] == 8
