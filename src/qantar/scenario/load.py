"""Reading a scenario: a built-in name or a TOML file, with ``--set`` overrides and
``--without`` events, validated into a ``Scenario`` before anything runs.

Every failure is a ``QantarInputError`` naming the file, the field path and what is
accepted: a TOML syntax error (with its line), an unknown field, a value out of range, an
unknown region, event type or source, a date outside the run.

Example:
    >>> s = load_scenario("kazakhstan-2022", overrides=["scale=400"], without=["csto"])
    >>> s.scale, "csto" in [e.name for e in s.events]
    (400.0, False)
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from qantar.errors import QantarInputError
from qantar.scenario.schema import EVENT_TYPES, Scenario


def builtin_names() -> list[str]:
    """Names of the scenarios that ship with qantar."""
    folder = resources.files("qantar.scenario") / "builtin"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def read_toml(name_or_path: str) -> tuple[dict, str]:
    """The raw table of a built-in scenario or a TOML file, and a label for messages."""
    if name_or_path in builtin_names():
        text = (resources.files("qantar.scenario") / "builtin" / f"{name_or_path}.toml").read_text()
        label = f"{name_or_path} (built-in)"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise QantarInputError(f"scenario: {name_or_path!r} is neither a built-in scenario "
                                   f"({', '.join(builtin_names())}) nor a file")
        text, label = path.read_text(), str(path)
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise QantarInputError(f"{label}: not valid TOML: {exc}") from None


def parse_value(text: str) -> object:
    """A ``--set`` value read as TOML (numbers, booleans, dates, lists), else as a string.

    Example:
        >>> parse_value("0.8"), parse_value("true"), parse_value("Almaty"), parse_value("[23, 7]")
        (0.8, True, 'Almaty', [23, 7])
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict, assignment: str, label: str) -> None:
    """Apply one ``PATH=VALUE`` to the raw table. PATH is dotted; regions and events are
    addressed by name (``regions.Almaty.population``, ``events.csto.until``)."""
    path, sep, value = assignment.partition("=")
    if not sep or not path:
        raise QantarInputError(f"--set: {assignment!r} is not PATH=VALUE (e.g. model.legitimacy=0.8)")
    keys = path.strip().split(".")
    node: object = raw
    for depth, key in enumerate(keys[:-1]):
        if isinstance(node, list):  # regions / events / targets: by name
            match = [item for item in node if isinstance(item, dict) and item.get("name") == key]
            if not match:
                names = [str(item.get("name")) for item in node if isinstance(item, dict)]
                raise QantarInputError(f"--set {path}: no {'.'.join(keys[:depth]) or 'item'} named {key!r} in "
                                       f"{label}{nearest(key, names)}")
            node = match[0]
        elif isinstance(node, dict):
            node = node.setdefault(key, {})
        else:
            raise QantarInputError(f"--set {path}: {'.'.join(keys[:depth])} is a value, not a table")
    if not isinstance(node, dict):
        raise QantarInputError(f"--set {path}: {'.'.join(keys[:-1])} is a list; name an item in it")
    node[keys[-1]] = parse_value(value.strip())


def _where(loc: tuple, raw: dict) -> str:
    """A pydantic location as the user wrote it: ``events[3] (csto).until``."""
    parts: list[str] = []
    node: object = raw
    for i, key in enumerate(loc):
        if isinstance(key, int):
            name = node[key].get("name") if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) else None
            parts[-1] += f"[{key}]" + (f" ({name})" if name else "")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            continue
        if i > 0 and isinstance(loc[i - 1], int) and isinstance(node, dict) and node.get("type") == key:
            continue  # the discriminator's tag, not a field
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def validate(raw: dict, label: str) -> Scenario:
    """The raw table as a ``Scenario``, or a one-line error naming file and field."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _where(tuple(err["loc"]), raw)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            msg = f"unknown event type {err['input'].get('type')!r}; accepted: {', '.join(EVENT_TYPES)}"
        elif err["type"] == "union_tag_not_found":
            msg = f"an event needs a type; accepted: {', '.join(EVENT_TYPES)}"
        given = err.get("input")
        shown = f" (got {given!r})" if where and given is not None and not isinstance(given, dict | list) else ""
        raise QantarInputError(f"{label}: {where + ': ' if where else ''}{msg}{shown}") from None


def nearest(word: str, known, what: str = "known") -> str:
    """'; did you mean A or B?' for the ``known`` names closest to ``word`` (difflib), else
    the list of ``what``; for one-line errors.

    Example:
        >>> nearest("news.gian", ["news.gain", "news.half_life_hours", "scale"])
        '; did you mean news.gain?'
    """
    known = [str(k) for k in known]
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.6)
    if close:
        return f"; did you mean {' or '.join(close)}?"
    return f"; {what}: {', '.join(known[:12])}{', ...' if len(known) > 12 else ''}"


def set_paths(scenario: Scenario) -> dict[str, object]:
    """Every ``--set`` path of the scenario and its current value: its fields, dotted, with
    regions, events and targets by name (sources left out).

    Example:
        >>> paths = set_paths(load_scenario("kazakhstan-2022"))
        >>> paths["events.csto.type"], "regions.Almaty.population" in paths
        ('foreign-troops', True)
    """
    out: dict[str, object] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
            for item in value:
                walk(f"{prefix}.{item['name']}", {k: v for k, v in item.items() if k != "name"})
        else:
            out[prefix] = value

    walk("", {k: v for k, v in scenario.model_dump(mode="json").items() if k != "sources"})
    return out


def check_paths(assignments, known: dict[str, object], label: str) -> None:
    """Refuse a ``--set`` path that is not a field of the scenario (nor inside a table of
    it left empty), naming the nearest ones."""
    for assignment in assignments:
        path = assignment.partition("=")[0].strip()
        if path in known or any(path.startswith(k + ".") and (known[k] is None or known[k] == {}) for k in known):
            continue
        raise QantarInputError(f"--set {path}: not a field of {label}{nearest(path, known, 'paths')} "
                               "(qantar describe SCENARIO lists them)")


def load_scenario(name_or_path: str, overrides: list[str] | tuple[str, ...] = (),
                  without: list[str] | tuple[str, ...] = ()) -> Scenario:
    """A validated scenario: read, overridden (``PATH=VALUE``), events dropped by name. A
    mistyped path or event name is refused with the nearest ones."""
    raw, label = read_toml(name_or_path)
    known = set_paths(validate(copy.deepcopy(raw), label)) if overrides else {}
    for assignment in overrides:
        apply_override(raw, assignment, label)
    check_paths(overrides, known, label)
    if without:
        names = [e.get("name") for e in raw.get("events", []) if isinstance(e, dict)]
        unknown = [w for w in without if w not in names]
        if unknown:
            raise QantarInputError(f"--without: no event named {unknown[0]!r} in {label}"
                                   f"{nearest(unknown[0], names, 'events')}")
        raw["events"] = [e for e in raw.get("events", []) if e.get("name") not in set(without)]
    return validate(raw, label)


def cut_at(scenario: Scenario, until: dt.date | str) -> tuple[Scenario, dict]:
    """The scenario run only up to the day ``until`` (a date, or its ISO text): ``days``
    shortened so that the run ends ``until``'s day at the start's time of day (at its
    midnight for runs starting at midnight), events from then on left out, events lasting
    past it ending with the run, and only targets whose dates all fall before it kept: a
    target without a date (a total, a peak, the first region) is about the whole calendar
    and is not judged. Also what was cut, for the record (``until``, ``days``,
    ``events_left_out``, ``events_cut_short``, ``targets_not_judged``).

    Example:
        >>> s, cut = cut_at(load_scenario("kazakhstan-2022"), "2022-01-05")
        >>> s.days, "csto" in cut["events_left_out"], "peak-date" in cut["targets_not_judged"]
        (4, True, True)
        >>> "participants-4-jan" in [t.name for t in s.targets]     # on 4 January: judged
        True
    """
    try:
        day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until).strip())
    except ValueError:
        raise QantarInputError(f"--until: {until!r} is not a date; give YYYY-MM-DD, e.g. "
                               f"{(scenario.start + dt.timedelta(days=1)).date()}") from None
    if isinstance(day, dt.datetime):
        day = day.date()
    days = (day - scenario.start.date()).days
    if not 1 <= days <= scenario.days:
        raise QantarInputError(f"--until: {day} is outside the run; give a day from "
                               f"{(scenario.start + dt.timedelta(days=1)).date()} to {scenario.end.date()}")
    end = scenario.start + dt.timedelta(days=days)
    last_day = (end - dt.timedelta(microseconds=1)).date()
    events, left_out, cut_short = [], [], []
    for e in scenario.events:
        if e.at >= end:
            left_out.append(e.name)
        elif getattr(e, "until", None) is not None and e.until > end:
            cut_short.append(e.name)
            events.append(e.model_copy(update={"until": None}))
        else:
            events.append(e)
    dated = [t for t in scenario.targets
             if (t.on or t.by) is not None and max(d for d in (t.on, t.by) if d is not None) <= last_day]
    raw = scenario.model_dump(mode="json") | {
        "days": days, "events": [e.model_dump(mode="json") for e in events],
        "targets": [t.model_dump(mode="json") for t in dated]}
    cut = {"until": day.isoformat(), "days": days, "events_left_out": left_out, "events_cut_short": cut_short,
           "targets_not_judged": [t.name for t in scenario.targets if t not in dated]}
    return validate(raw, f"{scenario.name} --until {day}"), cut
