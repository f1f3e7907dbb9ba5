"""qantar against Mesa's own Epstein example, on one core, in the same run.

Run with the Python that has qantar installed (3.11); the Mesa side runs in its
own venv (``bench/setup_mesa.sh``) through ``bench/mesa_peer.py``::

    python bench/compare_mesa.py                  # full run, ~15-25 min
    python bench/compare_mesa.py --quick          # smoke test, ~1-2 min

What it measures (see docs/performance.md for the write-up):

1. the machine (lscpu, nproc, memory, load average before and after) and the
   versions of Python, NumPy, Numba, llvmlite, qantar and Mesa;
2. shared sizes (default 40x40, 100x100, 200x200) with Mesa's app settings:
   Mesa and qantar (``mesa`` rule set) alternate, one subprocess per run, same
   seeds and same number of steps on both sides; only the steps after the
   first are timed (construction and first step reported apart); qantar's
   window is tens of milliseconds, so each qantar run is made --qantar-repeats
   times (identical work) and its median time kept;
3. qantar alone on big worlds (default 1000x1000 for the ``mesa``, ``netlogo``
   and ``paper`` rule sets, 2000x2000 for ``mesa``): warm-up steps through the
   first burst, then timed steps; peak memory (ru_maxrss) above a baseline
   taken after imports and a tiny warm run, per cell;
4. JIT: first ``World.build(...).run(1)`` in a fresh process with an empty
   NUMBA_CACHE_DIR (cold compile) and with that cache filled (warm).

Every subprocess is pinned to one core (``taskset -c <cpu>`` when available)
with NUMBA_NUM_THREADS=OMP_NUM_THREADS=1.  Results are printed as a table and
written as JSON to ``bench/results/compare_mesa-<date>-<HHMM>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app_settings import QANTAR_APP_PARAMS  # bench/, next to this script

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEER = HERE / "mesa_peer.py"

#: Mesa's app settings in qantar's names (bench/app_settings.py).
APP_PARAMS = QANTAR_APP_PARAMS

#: Targets of the issue.
TARGET_RATIO = 300.0  # qantar / Mesa agent-steps/s, every shared size, one core
TARGET_AGENT_STEPS_1000 = 3e6  # agent-steps/s at 1000x1000, one core
TARGET_BYTES_PER_CELL_2000 = 64.0  # peak memory at 2000x2000

SINGLE_THREAD_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


# ---------------------------------------------------------------------------------------
# Workers: each runs in its own fresh subprocess and prints one JSON line.
# ---------------------------------------------------------------------------------------
def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _world(width: int, height: int, rules: str, seed: int):
    from qantar import Params, World, rule_set

    params = Params(width=width, height=height, **APP_PARAMS)
    return World.build(params, rule_set(rules), seed=seed)


def _warm_jit() -> float:
    """Load (or compile) the kernels on a tiny world; returns the seconds it took."""
    t0 = time.perf_counter()
    _world(20, 20, "mesa", 0).run(2)
    return time.perf_counter() - t0


def worker_shared(width: int, height: int, steps: int, seed: int, rules: str = "mesa", repeats: int = 5) -> dict:
    """One qantar run, timed like mesa_peer.run: construct, first step, rest.

    The same run (same seed, so the same work) is made ``repeats`` times and the median
    time is kept: qantar's timed window on small worlds is a few tens of milliseconds,
    where one interruption by the machine's other tenants skews a single timing. Mesa's
    window is seconds long and is timed once.
    """
    jit_load = _warm_jit()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        w = _world(width, height, rules, seed)
        t1 = time.perf_counter()
        w.run(1)
        t2 = time.perf_counter()
        c2 = time.process_time()
        counts = w.run(steps - 1)
        t3 = time.perf_counter()
        c3 = time.process_time()
        times.append((t1 - t0, t2 - t1, t3 - t2, c3 - c2))
    construct, first, rest, rest_cpu = (statistics.median(x) for x in zip(*times))
    n = len(w.agents.kind)
    return {
        "engine": "qantar",
        "rules": rules,
        "width": width,
        "height": height,
        "n_citizens": w.n_citizens,
        "n_cops": w.n_cops,
        "steps": steps,
        "seed": seed,
        "repeats": repeats,
        "jit_load_s": jit_load,
        "construct_s": construct,
        "first_step_s": first,
        "rest_steps_s": rest,
        "rest_steps_s_each": [x[2] for x in times],
        "rest_steps_cpu_s": rest_cpu,
        "agent_steps_per_s": n * (steps - 1) / rest if steps > 1 and rest > 0 else None,
        "final_counts": [int(x) for x in counts[-1]] if len(counts) else None,
    }


def _state_bytes(agents) -> int:
    """Bytes of the world's arrays, each buffer once (per-agent fields share one record array)."""
    seen, total = set(), 0
    for arr in agents:
        base = arr if arr.base is None else arr.base
        if id(base) not in seen:
            seen.add(id(base))
            total += base.nbytes
    return total


def worker_big(width: int, height: int, warm: int, steps: int, seed: int, rules: str) -> dict:
    """Warm-up steps, then timed steps; memory high-water marks along the way."""
    import qantar  # noqa: F401  (imports before the first memory mark)

    rss_import = _maxrss_bytes()
    jit_load = _warm_jit()
    baseline = _maxrss_bytes()
    baseline_now = _rss_bytes()
    t0 = time.perf_counter()
    w = _world(width, height, rules, seed)
    t1 = time.perf_counter()
    after_build = _maxrss_bytes()
    w.run(warm)
    t2 = time.perf_counter()
    c2 = time.process_time()
    counts = w.run(steps)
    t3 = time.perf_counter()
    c3 = time.process_time()
    peak = _maxrss_bytes()
    now = _rss_bytes()
    cells = width * height
    n = len(w.agents.kind)
    return {
        "state_bytes_per_cell": _state_bytes(w.agents) / cells,
        "order_buffer_bytes_per_cell": 4 * n / cells,  # run_steps' int32 turn order
        "engine": "qantar",
        "rules": rules,
        "width": width,
        "height": height,
        "cells": cells,
        "n_citizens": w.n_citizens,
        "n_cops": w.n_cops,
        "seed": seed,
        "warm_steps": warm,
        "steps": steps,
        "jit_load_s": jit_load,
        "construct_s": t1 - t0,
        "warm_steps_s": t2 - t1,
        "warm_agent_steps_per_s": n * warm / (t2 - t1) if warm else None,
        "timed_steps_s": t3 - t2,
        "timed_steps_cpu_s": c3 - c2,
        "agent_steps_per_s": n * steps / (t3 - t2),
        "maxrss_after_import_bytes": rss_import,
        "maxrss_baseline_bytes": baseline,
        "maxrss_after_build_bytes": after_build,
        "maxrss_peak_bytes": peak,
        "peak_bytes_per_cell": (peak - baseline) / cells,
        "build_peak_bytes_per_cell": (after_build - baseline) / cells,
        "resident_after_run_bytes_per_cell": (now - baseline_now) / cells,
        "final_counts": [int(x) for x in counts[-1]],
    }


def worker_jit() -> dict:
    """First build + run(1) in a fresh process (NUMBA_CACHE_DIR set by the parent)."""
    t0 = time.perf_counter()
    import qantar  # noqa: F401

    t1 = time.perf_counter()
    _world(40, 40, "mesa", 0).run(1)
    t2 = time.perf_counter()
    return {"import_s": t1 - t0, "first_build_run_s": t2 - t1,
            "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR")}


WORKERS = {"shared": worker_shared, "big": worker_big, "jit": worker_jit}


# ---------------------------------------------------------------------------------------
# Parent: machine record, subprocess launching, statistics, table, JSON.
# ---------------------------------------------------------------------------------------
def _sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def _pkg_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def src_fingerprint() -> str:
    """sha256 over qantar's source files (the tree may be ahead of the last commit)."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted((REPO / "src" / "qantar").rglob("*.py")):
        h.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def machine_record(mesa_python: str | None) -> dict:
    lscpu = {}
    for line in _sh(["lscpu"]).splitlines():
        key, _, value = line.partition(":")
        if key.strip() in {"Model name", "Vendor ID", "CPU(s)", "Thread(s) per core",
                           "Core(s) per socket", "L1d cache", "L1i cache", "L2 cache",
                           "L3 cache", "CPU max MHz", "CPU MHz", "BogoMIPS",
                           "Hypervisor vendor"}:
            lscpu[key.strip()] = value.strip()
    mem_total = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    mesa = None
    if mesa_python:
        out = _sh([mesa_python, "-c",
                   "import json, platform, mesa; print(json.dumps("
                   "{'mesa': mesa.__version__, 'python': platform.python_version()}))"])
        mesa = json.loads(out) if out.strip() else None
    git = {
        "commit": _sh(["git", "-C", str(REPO), "rev-parse", "HEAD"]).strip() or None,
        "dirty_files": [l for l in _sh(["git", "-C", str(REPO), "status", "--porcelain"]).splitlines() if l],
        "src_sha256": src_fingerprint(),
    }
    return {
        "lscpu": lscpu,
        "nproc": os.cpu_count(),  # `nproc` itself would obey OMP_NUM_THREADS=1
        "affinity": sorted(os.sched_getaffinity(0)),
        "mem_total_bytes": mem_total,
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": _pkg_version("numpy"),
        "numba": _pkg_version("numba"),
        "llvmlite": _pkg_version("llvmlite"),
        "qantar": _pkg_version("qantar"),
        "mesa_side": mesa,
        "git": git,
    }


class Runner:
    """Launches pinned, single-threaded subprocesses and records their cost."""

    def __init__(self, cpu: int | None, mesa_python: str | None):
        self.pin = ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []
        self.cpu = cpu if self.pin else None
        self.mesa_python = mesa_python
        self.env = {**os.environ, **SINGLE_THREAD_ENV}

    def _launch(self, cmd: list[str], env: dict | None = None) -> dict:
        load = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(self.pin + cmd, capture_output=True, text=True, env=env or self.env)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["process"] = {
            "wall_s": wall,
            "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "loadavg_at_start": list(load),
            "stderr_tail": proc.stderr.strip().splitlines()[-3:],
        }
        return result

    def mesa(self, width: int, height: int, steps: int, seed: int) -> dict:
        return self._launch([self.mesa_python, str(PEER), "--width", str(width), "--height",
                             str(height), "--steps", str(steps), "--seed", str(seed)])

    def worker(self, kind: str, env: dict | None = None, **kwargs) -> dict:
        return self._launch([sys.executable, str(Path(__file__).resolve()), "--worker", kind,
                             "--worker-args", json.dumps(kwargs)], env=env)


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "values": values}


def parse_sizes(text: str, fields: int) -> list[tuple[int, ...]]:
    """'40x40:200,100x100:100' -> [(40, 40, 200), (100, 100, 100)] (fields after WxH)."""
    out = []
    for item in filter(None, text.split(",")):
        dims, *rest = item.split(":")
        w, h = dims.lower().split("x")
        if len(rest) != fields:
            raise SystemExit(f"bad size spec {item!r}: expected WxH" + ":N" * fields)
        out.append((int(w), int(h), *map(int, rest)))
    return out


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def find_mesa_python(given: str | None) -> str | None:
    for candidate in ([given] if given else []) + [str(REPO / ".venv-mesa/bin/python"),
                                                    "/work/venv-mesa/bin/python"]:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def run_shared(r: Runner, sizes, reps: int, seed0: int, q_repeats: int) -> list[dict]:
    out = []
    for width, height, steps in sizes:
        mesa_runs, q_runs = [], []
        for rep in range(reps):
            seed = seed0 + rep
            # Alternate, and alternate who goes first, so drift hits both sides alike.
            order = ("mesa", "qantar") if rep % 2 == 0 else ("qantar", "mesa")
            for engine in order:
                if engine == "mesa":
                    res = r.mesa(width, height, steps, seed)
                    mesa_runs.append(res)
                else:
                    res = r.worker("shared", width=width, height=height, steps=steps, seed=seed,
                                   repeats=q_repeats)
                    q_runs.append(res)
                log(f"{width}x{height} rep {rep} {engine:6s} seed {seed}: "
                    f"{res['agent_steps_per_s']:,.0f} agent-steps/s "
                    f"(rest {res['rest_steps_s']:.3f} s, load {res['process']['loadavg_at_start'][0]:.2f})")
        m = spread([x["agent_steps_per_s"] for x in mesa_runs])
        q = spread([x["agent_steps_per_s"] for x in q_runs])
        out.append({
            "width": width, "height": height, "steps": steps, "reps": reps,
            "mesa": {"agent_steps_per_s": m,
                     "construct_s": spread([x["construct_s"] for x in mesa_runs]),
                     "first_step_s": spread([x["first_step_s"] for x in mesa_runs]),
                     "n_agents": spread([x["n_citizens"] + x["n_cops"] for x in mesa_runs]),
                     "runs": mesa_runs},
            "qantar": {"agent_steps_per_s": q,
                       "construct_s": spread([x["construct_s"] for x in q_runs]),
                       "first_step_s": spread([x["first_step_s"] for x in q_runs]),
                       "n_agents": spread([x["n_citizens"] + x["n_cops"] for x in q_runs]),
                       "runs": q_runs},
            "ratio_of_medians": q["median"] / m["median"],
            "ratio_worst_case": q["min"] / m["max"],
        })
    return out


def run_big(r: Runner, big, rulesets_1000: list[str], reps: int, seed0: int) -> list[dict]:
    out = []
    for width, height, warm, steps in big:
        for rules in (rulesets_1000 if (width, height) == (1000, 1000) else ["mesa"]):
            runs = []
            for rep in range(reps):
                res = r.worker("big", width=width, height=height, warm=warm, steps=steps,
                               seed=seed0 + rep, rules=rules)
                runs.append(res)
                log(f"{width}x{height} {rules:7s} seed {seed0 + rep}: "
                    f"{res['agent_steps_per_s']:,.0f} agent-steps/s, "
                    f"peak {res['peak_bytes_per_cell']:.1f} B/cell")
            out.append({
                "width": width, "height": height, "rules": rules, "warm_steps": warm,
                "steps": steps, "reps": reps,
                "agent_steps_per_s": spread([x["agent_steps_per_s"] for x in runs]),
                "warm_agent_steps_per_s": spread([x["warm_agent_steps_per_s"] for x in runs]),
                "construct_s": spread([x["construct_s"] for x in runs]),
                "peak_bytes_per_cell": spread([x["peak_bytes_per_cell"] for x in runs]),
                "build_peak_bytes_per_cell": spread([x["build_peak_bytes_per_cell"] for x in runs]),
                "resident_after_run_bytes_per_cell": spread(
                    [x["resident_after_run_bytes_per_cell"] for x in runs]),
                "state_bytes_per_cell": spread([x["state_bytes_per_cell"] for x in runs]),
                "n_agents": spread([x["n_citizens"] + x["n_cops"] for x in runs]),
                "runs": runs,
            })
    return out


def run_jit(r: Runner, cold_reps: int, warm_reps: int) -> dict:
    cold, warm = [], []
    for _ in range(cold_reps):
        with tempfile.TemporaryDirectory(prefix="qantar-numba-cache-") as cache:
            env = {**r.env, "NUMBA_CACHE_DIR": cache}
            cold.append(r.worker("jit", env=env))
            log(f"JIT cold: first build+run(1) {cold[-1]['first_build_run_s']:.2f} s")
            for _ in range(warm_reps):  # same cache dir, now filled
                warm.append(r.worker("jit", env=env))
                log(f"JIT warm: first build+run(1) {warm[-1]['first_build_run_s']:.3f} s")
    return {
        "cold_first_build_run_s": spread([x["first_build_run_s"] for x in cold]) if cold else None,
        "warm_first_build_run_s": spread([x["first_build_run_s"] for x in warm]) if warm else None,
        "import_s": spread([x["import_s"] for x in cold + warm]) if cold + warm else None,
        "cold_runs": cold, "warm_runs": warm,
    }


def evaluate(shared: list[dict], big: list[dict]) -> dict:
    targets = {}
    if shared:
        per = {f"{s['width']}x{s['height']}": s["ratio_of_medians"] for s in shared}
        targets["ratio_vs_mesa"] = {"target": TARGET_RATIO, "ratio_of_medians": per,
                                    "met": all(v >= TARGET_RATIO for v in per.values())}
    for b in big:
        if (b["width"], b["height"], b["rules"]) == (1000, 1000, "mesa"):
            v = b["agent_steps_per_s"]["median"]
            targets["agent_steps_per_s_1000"] = {"target": TARGET_AGENT_STEPS_1000, "median": v,
                                                 "met": v >= TARGET_AGENT_STEPS_1000}
        if (b["width"], b["height"], b["rules"]) == (2000, 2000, "mesa"):
            v = b["peak_bytes_per_cell"]["max"]
            targets["bytes_per_cell_2000"] = {"target": TARGET_BYTES_PER_CELL_2000, "max": v,
                                              "met": v <= TARGET_BYTES_PER_CELL_2000}
    return targets


def fmt(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def print_report(res: dict) -> None:
    m = res["machine"]
    print()
    print(f"Machine: {m['lscpu'].get('Model name')} | nproc {m['nproc']} | L2 {m['lscpu'].get('L2 cache')} "
          f"| L3 {m['lscpu'].get('L3 cache')} | pinned cpu {res['config']['cpu']}")
    print(f"Python {m['python']}, NumPy {m['numpy']}, Numba {m['numba']}, qantar {m['qantar']}; "
          f"Mesa {(m['mesa_side'] or {}).get('mesa')} on Python {(m['mesa_side'] or {}).get('python')}")
    print(f"Load average before {res['loadavg_before']}, after {res['loadavg_after']}")
    if res["shared"]:
        print("\nShared sizes, agent-steps/s on one core (median [min-max]), steps after the first:")
        head = f"{'size':>9} {'steps':>5} {'reps':>4}  {'Mesa':>26}  {'qantar':>28}  {'ratio':>6}  {'worst':>6}"
        print(head)
        for s in res["shared"]:
            mq = s["mesa"]["agent_steps_per_s"]
            qq = s["qantar"]["agent_steps_per_s"]
            print(f"{s['width']:>4}x{s['height']:<4} {s['steps']:>5} {s['reps']:>4}  "
                  f"{fmt(mq['median']):>8} [{fmt(mq['min'])}-{fmt(mq['max'])}]".ljust(49) +
                  f"{fmt(qq['median']):>8} [{fmt(qq['min'])}-{fmt(qq['max'])}]".ljust(30) +
                  f"{s['ratio_of_medians']:>6.0f}x {s['ratio_worst_case']:>5.0f}x")
        print("  construction, s (median): " + "; ".join(
            f"{s['width']}x{s['height']} Mesa {s['mesa']['construct_s']['median']:.3f} / "
            f"qantar {s['qantar']['construct_s']['median']:.4f}" for s in res["shared"]))
        print("  first step, s (median):   " + "; ".join(
            f"{s['width']}x{s['height']} Mesa {s['mesa']['first_step_s']['median']:.3f} / "
            f"qantar {s['qantar']['first_step_s']['median']:.4f}" for s in res["shared"]))
    if res["big"]:
        print("\nqantar alone, agent-steps/s on one core (median [min-max]); peak memory above baseline:")
        print(f"{'size':>11} {'rules':>8} {'warm+timed':>10}  {'timed':>24}  {'warm-up':>10}  "
              f"{'build s':>7}  {'peak B/cell':>11}  {'resident B/cell':>15}  {'state B/cell':>12}")
        for b in res["big"]:
            a = b["agent_steps_per_s"]
            print(f"{b['width']:>5}x{b['height']:<5} {b['rules']:>8} {b['warm_steps']:>4}+{b['steps']:<5}  "
                  f"{fmt(a['median']):>8} [{fmt(a['min'])}-{fmt(a['max'])}]".ljust(61) +
                  f"{fmt(b['warm_agent_steps_per_s']['median']):>8}  "
                  f"{b['construct_s']['median']:>7.2f}  {b['peak_bytes_per_cell']['max']:>11.1f}  "
                  f"{b['resident_after_run_bytes_per_cell']['max']:>15.1f}  "
                  f"{b['state_bytes_per_cell']['max']:>12.1f}")
    if res["jit"]:
        j = res["jit"]
        c, w = j["cold_first_build_run_s"], j["warm_first_build_run_s"]
        print("\nJIT, first World.build(40x40).run(1) in a fresh process:"
              + (f" cold {c['median']:.1f} s" if c else "")
              + (f", warm (cache hit) {w['median']:.2f} s [{w['min']:.2f}-{w['max']:.2f}]" if w else "")
              + (f"; import qantar {j['import_s']['median']:.2f} s" if j["import_s"] else ""))
    print("\nTargets:")
    for name, t in res["targets"].items():
        print(f"  {name}: {'MET' if t['met'] else 'NOT MET'}  "
              + json.dumps({k: v for k, v in t.items() if k != 'met'}, default=lambda x: round(x, 1)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="40x40:200,100x100:100,200x200:50",
                   help="shared sizes, WxH:steps, comma-separated")
    p.add_argument("--reps", type=int, default=5, help="runs per side per shared size (seeds)")
    p.add_argument("--qantar-repeats", type=int, default=5,
                   help="shared sizes: qantar repeats each (identical) run this often, median kept")
    p.add_argument("--big", default="1000x1000:60:20,2000x2000:40:20",
                   help="qantar-only sizes, WxH:warm_steps:timed_steps")
    p.add_argument("--big-rules", default="mesa,netlogo,paper",
                   help="rule sets at 1000x1000 (other big sizes: mesa only)")
    p.add_argument("--big-reps", type=int, default=3)
    p.add_argument("--jit-cold-reps", type=int, default=1)
    p.add_argument("--jit-warm-reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--cpu", type=int, default=0, help="core to pin subprocesses to (-1: none)")
    p.add_argument("--mesa-python", default=None,
                   help="Python of the Mesa venv (default .venv-mesa, then /work/venv-mesa)")
    p.add_argument("--skip-mesa", action="store_true")
    p.add_argument("--skip-big", action="store_true")
    p.add_argument("--skip-jit", action="store_true")
    p.add_argument("--quick", action="store_true", help="tiny settings, for a smoke test")
    p.add_argument("--out", default=None, help="JSON path (default bench/results/compare_mesa-<date>-<HHMM>.json)")
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    p.add_argument("--worker-args", default="{}", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        print(json.dumps(WORKERS[args.worker](**json.loads(args.worker_args))))
        return

    os.environ.update(SINGLE_THREAD_ENV)
    if args.quick:
        args.sizes, args.reps = "40x40:20,100x100:5", 2
        args.big, args.big_reps, args.big_rules = "200x200:10:5,300x300:5:5", 1, "mesa,netlogo"
        args.jit_warm_reps = 1
    sizes = parse_sizes(args.sizes, 1)
    big = parse_sizes(args.big, 2) if not args.skip_big else []
    mesa_python = find_mesa_python(args.mesa_python)
    if not args.skip_mesa and mesa_python is None:
        raise SystemExit("no Mesa venv found: run bench/setup_mesa.sh or pass --mesa-python")
    runner = Runner(None if args.cpu < 0 else args.cpu, mesa_python)

    started = dt.datetime.now()
    res: dict = {
        "benchmark": "compare_mesa",
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "config": {**{k: v for k, v in vars(args).items() if not k.startswith("worker")},
                   "cpu": runner.cpu, "pin": runner.pin, "env": SINGLE_THREAD_ENV,
                   "mesa_python": mesa_python, "params": APP_PARAMS},
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "machine": machine_record(mesa_python),
        "shared": [], "big": [], "jit": None,
    }
    log(f"pinned to cpu {runner.cpu}; load average {res['loadavg_before']}")
    if not args.skip_mesa:
        res["shared"] = run_shared(runner, sizes, args.reps, args.seed, args.qantar_repeats)
    if big:
        res["big"] = run_big(runner, big, [x for x in args.big_rules.split(",") if x],
                             args.big_reps, args.seed)
    if not args.skip_jit:
        res["jit"] = run_jit(runner, args.jit_cold_reps, args.jit_warm_reps)
    res["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    res["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    res["git_after"] = {"commit": _sh(["git", "-C", str(REPO), "rev-parse", "HEAD"]).strip() or None,
                        "src_sha256": src_fingerprint()}
    if res["git_after"]["src_sha256"] != res["machine"]["git"]["src_sha256"]:
        log("warning: qantar's source changed during the benchmark")
    res["targets"] = evaluate(res["shared"], res["big"])

    out = Path(args.out) if args.out else HERE / "results" / f"compare_mesa-{started:%Y-%m-%d-%H%M}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    print_report(res)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
