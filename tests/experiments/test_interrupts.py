"""Interrupts: any number of Ctrl-C (SIGINT to the whole process group, as a terminal sends
it), SIGINT or SIGTERM to the CLI, at start-up or mid-run, ends it within seconds with no
process left behind, and the runs finished before it are kept.

The CLI runs in a session of its own; its workers and multiprocessing's resource tracker
join that session, so a process of the session alive after the CLI ended was left behind."""

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.small_scenario import one_region_toml

#: About 3.5 s a run on this machine (200,000 agents, 240 steps), so that signals land while
#: runs are going even on a machine several times faster (with 20,000 agents a run took 0.3 s,
#: and on CI six runs once finished before the start-up signal was sent).
SLOW = one_region_toml(name="slow", days=10, steps_per_day=24, scale=5, population=1_000_000)


def session_members(sid: int) -> list[int]:
    """Living processes of session ``sid`` (field 6 of /proc/PID/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid and fields[0] not in "ZX":
                found.append(int(entry.name))
    return found


class Cli:
    """``qantar run slow.toml --seeds N --workers 2`` in its own session, its progress bar
    on a terminal (a pty) so that finished runs can be seen."""

    def __init__(self, tmp_path, seeds: int):
        (tmp_path / "slow.toml").write_text(SLOW)
        self.out, self.seeds = tmp_path / "out", seeds
        master, slave = pty.openpty()
        self.master, self.text = master, ""
        os.set_blocking(master, False)
        self.proc = subprocess.Popen([sys.executable, "-m", "qantar.cli", "run", "slow.toml", "--seeds", str(seeds),
                                      "--workers", "2", "--out", str(self.out)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=slave, start_new_session=True, cwd=tmp_path)
        os.close(slave)

    def read(self) -> str:
        try:
            while chunk := os.read(self.master, 65536):
                self.text += chunk.decode(errors="replace")
        except (BlockingIOError, OSError):
            pass
        return self.text

    def wait_until(self, ready, what: str, timeout: float = 400) -> None:  # the first run may compile
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            assert self.proc.poll() is None, f"the CLI ended before {what}: {self.read()[-2000:]}"
            time.sleep(0.05)
        raise AssertionError(f"never {what}")

    def runs_done(self) -> int:
        found = re.findall(rf"(\d+)/{self.seeds}\b", self.read())
        return max(map(int, found), default=0)

    def signal(self, sig, group: bool = True) -> None:
        if self.proc.poll() is None:
            (os.killpg if group else os.kill)(self.proc.pid, sig)

    def ended(self, within: float = 15) -> int:
        """The exit code, once the CLI and every process of its session are gone."""
        try:
            code = self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"still running {within} s after the signal: {self.read()[-2000:]}") from None
        deadline = time.monotonic() + 5
        while session_members(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = session_members(self.proc.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"processes left behind: {left}"
        assert "Traceback" not in self.read(), self.text[-3000:]
        os.close(self.master)
        return code


@pytest.mark.parametrize("how", ["ctrl-c twice", "ctrl-c five times", "sigterm to the group", "sigterm to the cli"])
def test_signals_at_start_up_end_everything_within_seconds(tmp_path, how):
    cli = Cli(tmp_path, seeds=6)
    cli.wait_until(lambda: len(session_members(cli.proc.pid)) >= 2, "started a process")
    time.sleep(1.0)  # the pool is starting: its workers are importing qantar
    assert cli.proc.poll() is None, f"the CLI ended before the signal: {cli.read()[-2000:]}"
    if how.startswith("ctrl-c"):
        for _ in range(2 if how == "ctrl-c twice" else 5):
            cli.signal(signal.SIGINT)
            time.sleep(0.1)
    else:
        cli.signal(signal.SIGTERM, group=how.endswith("group"))
    assert cli.ended() != 0


@pytest.mark.parametrize("sig, group", [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGINT, False)])
def test_signals_mid_run_keep_the_finished_runs(tmp_path, sig, group):
    cli = Cli(tmp_path, seeds=12)
    cli.wait_until(lambda: cli.runs_done() >= 1, "finished a run")
    for _ in range(3):  # more signals while it stops and saves change nothing
        cli.signal(sig, group)
        time.sleep(0.15)
    assert cli.ended() == 130
    record = json.loads((tmp_path / "out" / "runs.json").read_text())
    assert record["interrupted"] and 1 <= record["runs_done"] < 12
    assert (tmp_path / "out" / "series.parquet").is_file()
