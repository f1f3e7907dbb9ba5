"""What scenarios there are and what is in one: ``qantar scenarios`` and ``qantar describe``.

Example:
    >>> [s.name for s in list_scenarios()][:1]
    ['kazakhstan-2022']
    >>> d = describe_scenario("kazakhstan-2022")
    >>> len(d.regions), d.events[0]["name"], d.paths["scale"] > 0
    (26, 'lpg-price', True)
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ScenarioInfo:
    """A scenario in a line: its name, title, regions and days."""

    name: str
    title: str
    regions: int
    days: int
    start: str


@dataclasses.dataclass(frozen=True)
class ScenarioDescription:
    """A scenario's regions and events (a dict each, for tables) and every ``--set`` path
    with its current value."""

    info: ScenarioInfo
    description: str
    regions: list[dict]
    events: list[dict]
    targets: list[dict]
    paths: dict[str, object]


def _info(sc) -> ScenarioInfo:
    return ScenarioInfo(sc.name, sc.title, len(sc.regions), sc.days, sc.start.isoformat(sep=" ", timespec="minutes"))


def _regions(names: list[str], every: list[str]) -> str:
    return "all" if names == every and len(every) > 1 else ", ".join(names)


def list_scenarios() -> list[ScenarioInfo]:
    """The built-in scenarios."""
    from qantar.scenario.load import builtin_names, load_scenario

    return [_info(load_scenario(name)) for name in builtin_names()]


def describe_scenario(scenario: str, overrides=(), without=()) -> ScenarioDescription:
    """A built-in scenario or TOML file (with ``--set`` overrides and ``--without`` events)
    described: regions, events in time order with their notes, targets, ``--set`` paths."""
    from qantar.scenario.load import load_scenario, set_paths

    sc = load_scenario(scenario, overrides=list(overrides), without=list(without))
    regions = [{"region": r.name, "population": r.population, "police_per_100k": r.police_per_100k}
               for r in sc.regions]
    events = [{"name": e.name, "type": e.type, "at": e.at.isoformat(sep=" ", timespec="minutes"),
               "until": e.until.isoformat(sep=" ", timespec="minutes") if getattr(e, "until", None) else "",
               "regions": _regions(e.region_names(sc.region_names), sc.region_names), "note": e.note or ""}
              for e in sorted(sc.events, key=lambda e: e.at)]
    targets = [{"target": t.name, "metric": t.metric,
                "reported": t.value or (f"{t.on} to {t.by or t.on}" if t.on and t.low is None and t.high is None
                                        else f"{t.low or 0:,.0f} to {t.high or 0:,.0f}"),
                "day": str(t.on) if t.on and (t.low is not None or t.high is not None) else ""}
               for t in sc.targets]
    return ScenarioDescription(_info(sc), sc.description, regions, events, targets, set_paths(sc))
