"""The engine's first compile, said and shown instead of a silent bar at 0.

The kernels are compiled by Numba on first use and cached on disk (``cache=True``); a
fresh install compiles for tens of seconds. ``engine_compiled`` reads whether Numba's
cache holds the kernels of a model (every compiled, not inlined, kernel function has a
cache index for this source); when it does not, ``warm_up`` compiles here, with a
'compiling' ``Progress`` before and after, by running one step of the scenario, so that
the pool's workers then load the cache instead of each compiling on its own.

Example:
    >>> engine_compiled("I") in (True, False, None)
    True
"""

from __future__ import annotations

import datetime as dt
import importlib
import time

from qantar.api.progress import OnProgress, tell

#: Roughly how long the first compile takes on one core (measured 25-100 s on a 2-core
#: machine; issue 13 item 11): the figure the message gives.
TYPICAL_COMPILE_SECONDS = 40
#: The module of each model's kernels.
KERNELS = {"I": "qantar.engine.kernels", "II": "qantar.engine.intergroup_kernels"}


def engine_compiled(model: str = "I") -> bool | None:
    """Whether Numba's cache holds model ``model``'s kernels (None: cannot tell)."""
    try:
        from numba.core.registry import CPUDispatcher

        module = importlib.import_module(KERNELS[model])
        kernels = [d for d in vars(module).values() if isinstance(d, CPUDispatcher)
                   and d.py_func.__module__ == module.__name__ and d.targetoptions.get("inline") != "always"]
        return all(d._cache._cache_file._load_index() for d in kernels) if kernels else None
    except Exception:  # a Numba whose internals moved: say nothing rather than fail
        return None


def compile_message(seconds: float = TYPICAL_COMPILE_SECONDS) -> str:
    """What the user reads while the engine compiles."""
    return f"compiling the engine once, about {seconds:.0f} s (later runs load it from the cache)"


def warm_up(scenario, on_progress: OnProgress | None = None) -> float | None:
    """Compile Model I's engine here if its cache is cold, by one step of ``scenario`` (a
    day of one step); the seconds it took, or None when the cache was warm."""
    if engine_compiled("I") is not False:
        return None
    from qantar.experiments.scenario_run import run_scenario
    from qantar.scenario.load import cut_at

    tell(on_progress, "compiling", 0, None, compile_message())
    started = time.perf_counter()
    small, _ = cut_at(scenario, scenario.start.date() + dt.timedelta(days=1))
    run_scenario(small.model_copy(update={"steps_per_day": 1}), seed=0)
    seconds = time.perf_counter() - started
    tell(on_progress, "compiling", 1, 1, f"compiled the engine in {seconds:.0f} s")
    return seconds
