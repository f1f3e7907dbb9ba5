"""Mesa peer for qantar's benchmark and equivalence test.

Runs Mesa's own Epstein civil-violence example (``mesa.examples.advanced.
epstein_civil_violence``) unchanged, with the settings of Mesa's app, and
prints one JSON object.  It must run under the Mesa venv (see
``bench/setup_mesa.sh``) and uses only the standard library, mesa and
``bench/app_settings.py``: it must never import qantar, so the two sides
cannot share code by accident.

Fair-benchmark rule: the example's DataCollector also records two
agent-level reporters for every agent at every step, which qantar does not
do.  ``MinimalCollection`` swaps it, at the moment the example assigns it,
for a DataCollector holding only the three model-level counts
(quiet/active/jailed).  The agents' rules, the grid, the activation and the
random streams are untouched.

Usage::

    .venv-mesa/bin/python bench/mesa_peer.py --width 100 --height 100 \
        --steps 20 --seed 1 [--series] [--legitimacy 0.8 ...]
"""

from __future__ import annotations

import argparse
import inspect
import json
import platform
import sys
import time

import mesa
from app_settings import MESA_APP_SETTINGS  # bench/, next to this script
from mesa.examples.advanced.epstein_civil_violence.agents import (
    Citizen,
    Cop,
    EpsteinAgent,
)
from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
)

try:  # Mesa >= 3.4 passes parameters through a Scenario object.
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinScenario
except ImportError:  # Mesa 3.3.x takes them as keyword arguments.
    EpsteinScenario = None

#: The parameters of Mesa's app (bench/app_settings.py, shared with qantar's side).
APP_SETTINGS = MESA_APP_SETTINGS

#: Mesa 3.5.1's ``EpsteinAgent.update_neighbors`` looks ``scenario.cop_vision``
#: cells around *every* agent, so ``citizen_vision`` has no effect there
#: (Mesa 3.3.x used each agent's own vision).  Detected, not assumed.
CITIZEN_VISION_IGNORED = "scenario.cop_vision" in inspect.getsource(
    EpsteinAgent.update_neighbors
)

#: Counts recorded per step, in output order, and the model attribute
#: (set by the example's ``_update_counts``) each one is read from.
COUNTS = {"quiet": "QUIET", "active": "ACTIVE", "jailed": "ARRESTED"}


class MinimalCollection(EpsteinCivilViolence):
    """The example model, collecting only the per-step state counts.

    ``datacollector`` is a property so that the assignment inside the
    example's ``__init__`` is intercepted: even the initial (step 0)
    collection during construction is the minimal one, and no model code
    has to be copied or patched.
    """

    @property
    def datacollector(self) -> mesa.DataCollector:
        return self._minimal_collector

    @datacollector.setter
    def datacollector(self, _example_collector: mesa.DataCollector) -> None:
        self._minimal_collector = mesa.DataCollector(model_reporters=COUNTS)


def build_model(width: int, height: int, seed: int, **overrides) -> MinimalCollection:
    """Construct the example with the app settings, seeded by ``seed``.

    The seed must go in the scenario: ``EpsteinScenario`` declares
    ``rng = 42`` but ``Scenario.__init__`` overwrites it with its ``rng``
    argument (None by default), so a default run is unseeded.
    """
    params = {**APP_SETTINGS, **overrides}
    if EpsteinScenario is not None:
        return MinimalCollection(
            width=width, height=height, scenario=EpsteinScenario(rng=seed, **params)
        )
    # Mesa 3.3.x: always random activation on a Von Neumann grid.
    for key in ("activation_order", "grid_type"):
        if params.pop(key) != APP_SETTINGS[key]:
            raise ValueError(f"mesa {mesa.__version__} does not support {key}")
    return MinimalCollection(width=width, height=height, seed=seed, **params)


def series(model: MinimalCollection) -> list[list[int]]:
    """Collected [quiet, active, jailed] rows; row 0 is the initial state."""
    columns = [model.datacollector.model_vars[name] for name in COUNTS]
    return [list(row) for row in zip(*columns)]


def run(width: int, height: int, steps: int, seed: int, **overrides) -> dict:
    """Run one timed simulation and return the result record.

    The first step is timed apart because it fills Mesa's per-cell
    neighbourhood caches (``Cell._neighborhood`` is ``functools.cache``d);
    the throughput figure uses the steps after it.
    """
    params = {**APP_SETTINGS, **overrides}
    citizen_vision = params["cop_vision" if CITIZEN_VISION_IGNORED else "citizen_vision"]
    if citizen_vision != params["citizen_vision"]:
        print(
            f"warning: mesa {mesa.__version__} ignores citizen_vision; citizens "
            f"see {citizen_vision} cells (cop_vision)",
            file=sys.stderr,
        )
    t0 = time.perf_counter()
    model = build_model(width, height, seed, **overrides)
    t1 = time.perf_counter()
    if steps >= 1:
        model.step()
    t2 = time.perf_counter()
    for _ in range(steps - 1):
        model.step()
    t3 = time.perf_counter()

    n_citizens = len(model.agents_by_type.get(Citizen, ()))
    n_cops = len(model.agents_by_type.get(Cop, ()))
    rest = t3 - t2
    return {
        "engine": "mesa",
        "mesa_version": mesa.__version__,
        "python_version": platform.python_version(),
        "width": width,
        "height": height,
        "n_citizens": n_citizens,
        "n_cops": n_cops,
        "steps": steps,
        "seed": seed,
        "params": params,
        "citizen_vision_effective": citizen_vision,
        "construct_s": t1 - t0,
        "first_step_s": t2 - t1,
        "rest_steps_s": rest,
        "agent_steps_per_s": (
            (n_citizens + n_cops) * (steps - 1) / rest if steps > 1 and rest > 0 else None
        ),
        "agent_steps_per_s_basis": "(n_citizens + n_cops) * (steps - 1) / rest_steps_s; "
        "excludes construction and the first step",
        "series": series(model),
    }


def _flag(text: str) -> bool:
    """Parse a boolean CLI value (argparse's ``bool`` treats 'False' as True)."""
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--series", action="store_true", help="include the per-step counts"
    )
    overrides = parser.add_argument_group("overrides of Mesa's app settings")
    for name, default in APP_SETTINGS.items():
        kind = _flag if isinstance(default, bool) else type(default)
        overrides.add_argument(
            "--" + name.replace("_", "-"), dest=name, type=kind, default=None,
            help=f"default {default!r}",
        )
    args = vars(parser.parse_args(argv))
    with_series = args.pop("series")
    core = {k: args.pop(k) for k in ("width", "height", "steps", "seed")}
    result = run(**core, **{k: v for k, v in args.items() if v is not None})
    if not with_series:
        del result["series"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
