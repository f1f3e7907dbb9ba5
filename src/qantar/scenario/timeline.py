"""The calendar of a scenario turned into steps: each event becomes actions on regions'
controls, applied between steps.

Step t (1-based) covers the time from ``start + (t-1) dt`` to ``start + t dt``, with
``dt = 1 day / steps_per_day``. An action dated at time x takes effect from the first step
that starts at or after x (never before it happened); one that would fall after the last
step has no effect on the run and is dropped. ``event_steps`` lists, for each event, the
time declared and the time of the step it acts from (the scenario report shows both).

Curfews act for the hours declared (rule Curfew): the curfew hours are each region's local
hours (``Region.utc_offset``; the scenario's clock is in ``Scenario.utc_offset``), and each
step gets the share of its span they cover (``curfew_shares``). A step wholly under curfew
runs with movement off; one covered in part lets each citizen move with probability
1 - share (``engine.kernels.curfew_rule``). The day's hours of a ``daytime`` event act the
same way (rule Daytime): each step gets ``away`` times the share of its span they cover,
the chance that one whom rule A makes active is kept away (``engine.kernels.daytime_rule``);
``hours_actions`` makes both.

Each region has ``Controls``: the numbers the events move (a hardship offset, legitimacy,
police officers on the streets, the arrest factor of a state of emergency, whether a curfew
is on). ``apply`` changes them; ``experiments.scenario_run.RegionWorld.sync`` pushes them
into each region's world.

Example:
    >>> from qantar.scenario.load import load_scenario
    >>> s = load_scenario("kazakhstan-2022", ["steps_per_day=24"])   # hourly steps
    >>> step_at(s, s.start), step_at(s, s.start.replace(hour=1, minute=30))
    (1, 3)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from qantar.rules.mechanisms import faded_anger, sweep_probability
from qantar.scenario.schema import (
    DaytimeEvent,
    EmergencyEvent,
    ForeignTroopsEvent,
    HardshipEvent,
    LegitimacyEvent,
    LethalForceEvent,
    PoliceEvent,
    ProvocateursEvent,
    Scenario,
    ShutdownEvent,
    SweepsEvent,
)


def step_at(scenario: Scenario, when: dt.datetime) -> int | None:
    """The first step that starts at or after ``when`` (None: after the run's last step)."""
    step_length = dt.timedelta(days=1) / scenario.steps_per_day
    t = math.ceil((when - scenario.start) / step_length - 1e-9) + 1
    return t if t <= scenario.steps else None


def time_of(scenario: Scenario, step: int) -> dt.datetime:
    """When step ``step`` starts (step ``steps + 1``: the run's end)."""
    return scenario.start + (step - 1) * (dt.timedelta(days=1) / scenario.steps_per_day)


@dataclass
class Controls:
    """What events move in one region. ``officers``: police on the streets (people);
    ``emergencies``: arrest factor by event; ``curfews``: events whose curfew is on now."""

    hardship_offset: float  # of the events that reach everyone
    legitimacy: float
    officers: float
    arrest_constant: float | None = None  # k set by a schedule (None: the world's own, times any emergency)
    emergencies: dict[str, float] = field(default_factory=dict)
    curfews: dict[str, float] = field(default_factory=dict)  # event: share of this step under its curfew
    daytimes: dict[str, float] = field(default_factory=dict)  # event: away x share of this step in its hours
    shutdowns: dict[str, tuple[float, float]] = field(default_factory=dict)  # event: (channel, anger)
    lethal: dict[str, float] = field(default_factory=dict)  # event: probability of killing
    fears: dict[str, float] = field(default_factory=dict)  # order to fire: its fear (rule Fear)
    sweeps: dict[str, float] = field(default_factory=dict)  # event: chance a step of detaining one who protested
    provocateurs: dict[str, float] = field(default_factory=dict)  # event: people
    resistances: dict[str, float] = field(default_factory=dict)  # provocateurs' event: rule Resistance's chance
    troops: float = 0.0  # foreign troops present (people)
    partial_offsets: dict[float, float] = field(default_factory=dict)  # share: offset of the events of that share
    base_arrest_rate: float = 1.0  # rule Restraint outside emergencies (the [restraint] table)
    arrest_rates: dict[str, float] = field(default_factory=dict)  # emergency with its own rate: that rate

    @property
    def arrest_rate(self) -> float:
        """Rule Restraint: chance per turn that a cop with actives in sight acts; under
        emergencies that set one, the largest of their rates, else the base rate."""
        return max(self.arrest_rates.values(), default=self.base_arrest_rate)

    @property
    def provocateur_people(self) -> float:
        """Provocateurs at work now, in people."""
        return sum(self.provocateurs.values())

    @property
    def resistance(self) -> float:
        """Rule Resistance: the chance that an enforcement against a provocateur kills the
        cop, the largest of the events in force, 0 without one."""
        return max(self.resistances.values(), default=0.0)

    @property
    def lethal_probability(self) -> float:
        """Chance that an enforcement kills: the largest order in force, 0 without one."""
        return max(self.lethal.values(), default=0.0)

    @property
    def fear(self) -> float:
        """Rule Fear: the chance of being shot that citizens reckon with, the largest of the
        orders to fire in force, 0 without one."""
        return max(self.fears.values(), default=0.0)

    @property
    def sweep_probability(self) -> float:
        """Rule Sweeps: the chance a step that a free citizen who has protested is detained,
        the sweeps in force acting independently (0 without one)."""
        return 1.0 - math.prod(1.0 - p for p in self.sweeps.values())

    @property
    def channel(self) -> float:
        """Strength of the news channel: the weakest shutdown's, 1 without one."""
        return min((c for c, _ in self.shutdowns.values()), default=1.0)

    @property
    def anger(self) -> float:
        """Grievance added by shutdowns now: the largest."""
        return max((a for _, a in self.shutdowns.values()), default=0.0)

    @property
    def arrest_factor(self) -> float:
        return max(self.emergencies.values(), default=1.0)

    @property
    def curfew_share(self) -> float:
        """Share of this step's hours under curfew: the largest of the events in force."""
        return max(self.curfews.values(), default=0.0)

    @property
    def away_probability(self) -> float:
        """Rule Daytime: the chance this step that one who would protest is kept away, the
        daytime events in force acting independently (0 without one)."""
        return 1.0 - math.prod(1.0 - p for p in self.daytimes.values())

    @property
    def curfew(self) -> bool:
        """Curfew hours in this step (all of it or a part)."""
        return self.curfew_share > 0.0


@dataclass(frozen=True)
class Action:
    """One change to one region's controls before step ``step``, made by event ``event``."""

    step: int
    event: str
    region: str
    kind: str  # hardship, hardship_share (value2: the share reached), legitimacy_add/set, officers(_set),
    # arrest_constant_set, emergency_on/off (value2: its arrest rate, 0: none of its own), curfew (value: share), shutdown_on/off, troops, provocateurs_on/off,
    # resistance_on (value: rule Resistance's chance; off with its provocateurs),
    # lethal_on/off (value: probability, value2: fear), sweeps_on/off (value: chance a step),
    # daytime (value: rule Daytime's chance of being kept away this step; 0: off)
    value: float = 0.0
    value2: float = 0.0

    def apply(self, c: Controls) -> None:
        """Change the controls as this action says."""
        if self.kind == "hardship":
            c.hardship_offset += self.value
        elif self.kind == "hardship_share":
            c.partial_offsets[self.value2] = c.partial_offsets.get(self.value2, 0.0) + self.value
        elif self.kind == "legitimacy_add":
            c.legitimacy = min(1.0, max(0.0, c.legitimacy + self.value))
        elif self.kind == "legitimacy_set":
            c.legitimacy = self.value
        elif self.kind == "officers":
            c.officers = max(0.0, c.officers + self.value)
        elif self.kind == "officers_set":
            c.officers = self.value
        elif self.kind == "arrest_constant_set":
            c.arrest_constant = self.value
        elif self.kind == "emergency_on":
            c.emergencies[self.event] = self.value
            if self.value2 > 0:  # the emergency's own arrest rate (rule Restraint)
                c.arrest_rates[self.event] = self.value2
        elif self.kind == "emergency_off":
            c.emergencies.pop(self.event, None)
            c.arrest_rates.pop(self.event, None)
        elif self.kind == "curfew":
            if self.value > 0:
                c.curfews[self.event] = self.value
            else:
                c.curfews.pop(self.event, None)
        elif self.kind == "daytime":
            if self.value > 0:
                c.daytimes[self.event] = self.value
            else:
                c.daytimes.pop(self.event, None)
        elif self.kind == "shutdown_on":
            c.shutdowns[self.event] = (self.value, self.value2)
        elif self.kind == "shutdown_off":
            c.shutdowns.pop(self.event, None)
        elif self.kind == "troops":
            c.troops += self.value
        elif self.kind == "provocateurs_on":
            c.provocateurs[self.event] = self.value
            c.emergencies[self.event] = self.value2
        elif self.kind == "resistance_on":
            c.resistances[self.event] = self.value
        elif self.kind == "provocateurs_off":
            c.provocateurs.pop(self.event, None)
            c.emergencies.pop(self.event, None)
            c.resistances.pop(self.event, None)
        elif self.kind == "lethal_on":
            c.lethal[self.event] = self.value
            c.fears[self.event] = self.value2
        elif self.kind == "sweeps_on":
            c.sweeps[self.event] = self.value
        elif self.kind == "sweeps_off":
            c.sweeps.pop(self.event, None)
        elif self.kind == "lethal_off":
            c.lethal.pop(self.event, None)
            c.fears.pop(self.event, None)
        else:
            raise ValueError(f"unknown action kind {self.kind!r}")


def apply_due(actions: list[Action], i: int, step: int, controls: dict[str, Controls]) -> tuple[int, set[str]]:
    """Apply the actions from ``actions[i]`` on that are due before ``step`` (they are
    sorted by step) to the controls of their regions; the index of the first not yet due,
    and the regions whose controls changed. The one apply path of both between-step
    mechanisms: a scenario's calendar (``compile_timeline``) and a model run's schedule
    (``schedule.schedule_actions``, one region ``"world"``).

    Example:
        >>> c = {"A": Controls(hardship_offset=0.0, legitimacy=0.8, officers=10)}
        >>> acts = [Action(3, "e", "A", "legitimacy_set", 0.6), Action(5, "e", "A", "officers", 5)]
        >>> apply_due(acts, 0, 3, c), c["A"].legitimacy, c["A"].officers
        ((1, {'A'}), 0.6, 10)
    """
    touched = set()
    while i < len(actions) and actions[i].step <= step:
        actions[i].apply(controls[actions[i].region])
        touched.add(actions[i].region)
        i += 1
    return i, touched


def curfew_spans(at: dt.datetime, until: dt.datetime, hours: tuple[int, int]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The curfew's nightly spans inside [at, until): from hour h1 to hour h2 (next day if
    h2 <= h1). A state of emergency declared inside curfew hours starts the curfew at once.

    Example:
        >>> spans = curfew_spans(dt.datetime(2022, 1, 5, 1, 30), dt.datetime(2022, 1, 7), (23, 7))
        >>> [(a.strftime("%d %H:%M"), b.strftime("%d %H:%M")) for a, b in spans]
        [('05 01:30', '05 07:00'), ('05 23:00', '06 07:00'), ('06 23:00', '07 00:00')]
    """
    h1, h2 = hours
    spans = []
    day = dt.datetime.combine(at.date() - dt.timedelta(days=1), dt.time())
    while day < until:
        begin = day + dt.timedelta(hours=h1)
        end = day + dt.timedelta(hours=h2, days=1 if h2 <= h1 else 0)
        a, b = max(begin, at), min(end, until)
        if a < b:
            spans.append((a, b))
        day += dt.timedelta(days=1)
    return spans


def region_clock_shift(scenario: Scenario, region: str) -> dt.timedelta:
    """What to add to a region's local time to read it on the scenario's clock.

    Example:
        >>> from qantar.scenario.load import load_scenario
        >>> s = load_scenario("kazakhstan-2022")
        >>> region_clock_shift(s, "Aktau"), region_clock_shift(s, "Almaty")   # UTC+5 and UTC+6, clock UTC+6
        (datetime.timedelta(seconds=3600), datetime.timedelta(0))
    """
    offset = next(r.utc_offset for r in scenario.regions if r.name == region)
    return dt.timedelta(hours=scenario.utc_offset - (scenario.utc_offset if offset is None else offset))


def curfew_shares(scenario: Scenario, spans: list[tuple[dt.datetime, dt.datetime]]) -> dict[int, float]:
    """The share of each step's span that ``spans`` (on the scenario's clock) cover, for the
    steps they touch.

    Example:
        >>> from qantar.scenario.load import load_scenario
        >>> s = load_scenario("kazakhstan-2022")          # 6-hour steps from 1 January, 00:00
        >>> shares = curfew_shares(s, [(dt.datetime(2022, 1, 1, 23), dt.datetime(2022, 1, 2, 7))])
        >>> {t: round(v, 3) for t, v in shares.items()}   # 18:00-24:00 one sixth, 00:00-06:00 all
        {4: 0.167, 5: 1.0, 6: 0.167}
    """
    step_length = dt.timedelta(days=1) / scenario.steps_per_day
    shares: dict[int, float] = {}
    for a, b in spans:
        t = max(1, math.floor((a - scenario.start) / step_length + 1e-9) + 1)
        while t <= scenario.steps and time_of(scenario, t) < b:
            lo, hi = max(a, time_of(scenario, t)), min(b, time_of(scenario, t + 1))
            if hi > lo:
                shares[t] = min(1.0, shares.get(t, 0.0) + (hi - lo) / step_length)
            t += 1
    return shares


def hours_actions(scenario: Scenario, e, region: str, until: dt.datetime, hours: tuple[int, int], kind: str,
                  scale: float = 1.0) -> list[tuple[dt.datetime, Action]]:
    """The actions of daily hours (a curfew's, the day's of rule Daytime) in one region: for
    each step they touch, ``kind`` with ``scale`` x the share of the step they cover, and 0
    at the first step after that they leave untouched. The hours are the region's local
    hours; the event's ``at`` and ``until`` are on the scenario's clock unless it says
    ``local_time`` (the run's end is always the clock's)."""
    shift = region_clock_shift(scenario, region)
    at, end = (e.at, until if until != scenario.end else until - shift) if e.local_time \
        else (e.at - shift, until - shift)
    spans = [(a + shift, b + shift) for a, b in curfew_spans(at, end, hours)]
    shares = curfew_shares(scenario, spans)
    actions = []
    for t in sorted(shares):
        actions.append((time_of(scenario, t), Action(t, e.name, region, kind, scale * shares[t])))
        if t + 1 not in shares and t + 1 <= scenario.steps:
            actions.append((time_of(scenario, t + 1), Action(t + 1, e.name, region, kind, 0.0)))
    return actions


def event_steps(scenario: Scenario) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """Each event's declared time and the start of the step it acts from (None: after the
    run), on the scenario's clock: an event inside a step acts from the next step's start.
    (Curfew hours act for the hours declared, by share of a step; not listed here. An event
    in local time is shown for its first region.)

    Example:
        >>> from qantar.scenario.load import load_scenario
        >>> s = load_scenario("kazakhstan-2022")
        >>> name, declared, acts = event_steps(s)[0]
        >>> name, declared <= acts
        ('lpg-price', True)
    """
    out = []
    for e in scenario.events:
        shift = region_clock_shift(scenario, e.region_names(scenario.region_names)[0]) if e.local_time \
            else dt.timedelta(0)
        step = step_at(scenario, e.at + shift)
        out.append((e.name, e.at, None if step is None else time_of(scenario, step)))
    return out


def ramp_times(scenario: Scenario, at: dt.datetime, hours: float) -> list[dt.datetime]:
    """When the parts of a change phased in over ``hours`` from ``at`` come: the step starts
    from ``at`` to before ``at`` + hours, one part each (just ``at`` for 0 hours, or when no
    step starts inside: the change then acts at once from the next step, as any event).

    Example:
        >>> from qantar.scenario.load import load_scenario
        >>> s = load_scenario("kazakhstan-2022")          # 6-hour steps from 00:00
        >>> [t.strftime("%d %H:%M") for t in ramp_times(s, s.start, 24)]
        ['01 00:00', '01 06:00', '01 12:00', '01 18:00']
        >>> [t.strftime("%H:%M") for t in ramp_times(s, s.start.replace(hour=3), 6)]
        ['06:00']
    """
    end = at + dt.timedelta(hours=hours)
    t, times = step_at(scenario, at), []
    while hours > 0 and t is not None and time_of(scenario, t) < end:
        times.append(time_of(scenario, t))
        t = t + 1 if t < scenario.steps else None
    return times or [at]


def shutdown_angers(scenario: Scenario, e: ShutdownEvent) -> list[tuple[dt.datetime, float]]:
    """When a shutdown's anger changes and to what: once at ``at`` when it holds, else at each
    step start until the shutdown ends, the mean of the faded anger over that step (rule
    Shutdown, ``rules.mechanisms.faded_anger``)."""
    if e.anger_half_life_hours is None or e.anger == 0:
        return [(e.at, e.anger)]
    step_hours = 24.0 / scenario.steps_per_day
    end = e.until or scenario.end
    t, out = step_at(scenario, e.at), []
    while t is not None and time_of(scenario, t) < end:
        start = time_of(scenario, t)
        since = (start - e.at) / dt.timedelta(hours=1)
        out.append((start, faded_anger(e.anger, since, since + step_hours, e.anger_half_life_hours)))
        t = t + 1 if t < scenario.steps else None
    return out or [(e.at, e.anger)]


def compile_timeline(scenario: Scenario) -> list[Action]:
    """Every event's actions, ordered by step (events keep their file order within a step)."""
    names = scenario.region_names
    population = {r.name: r.population for r in scenario.regions}
    actions: list[tuple[dt.datetime, Action]] = []

    local = {e.name for e in scenario.events if e.local_time}

    def add(when: dt.datetime, event: str, region: str, kind: str, value: float = 0.0, value2: float = 0.0) -> None:
        if event in local and when != scenario.end:  # the region's local time, onto the scenario's clock
            when = when + region_clock_shift(scenario, region)
        step = step_at(scenario, when)
        if step is not None:
            actions.append((when, Action(step, event, region, kind, value, value2)))

    for e in scenario.events:
        regions = e.region_names(names)
        if isinstance(e, HardshipEvent):
            for r in regions + [r for r in e.by_region if r not in regions]:
                shift = region_clock_shift(scenario, r) if e.name in local else dt.timedelta(0)
                times = ramp_times(scenario, e.at + shift, e.ramp_hours)  # step starts on the scenario's clock
                for when in times:
                    add(when - shift, e.name, r, "hardship" if e.share >= 1.0 else "hardship_share",
                        e.by_region.get(r, e.add) / len(times), e.share)
        elif isinstance(e, LegitimacyEvent):
            for r in regions:
                add(e.at, e.name, r, "legitimacy_add" if e.add is not None else "legitimacy_set",
                    e.add if e.add is not None else e.set)
        elif isinstance(e, PoliceEvent):
            if e.from_region:
                total = sum(population[r] for r in regions)
                add(e.at, e.name, e.from_region, "officers", -e.officers)
                for r in regions:
                    add(e.at, e.name, r, "officers", e.officers * population[r] / total)
            else:
                for r in regions:
                    add(e.at, e.name, r, "officers", e.officers)
        elif isinstance(e, ForeignTroopsEvent):
            for r, troops in e.troops.items():
                on_streets = troops * (e.frees_police_per_troop + (1.0 if e.patrol else 0.0))
                add(e.at, e.name, r, "officers", on_streets)
                add(e.at, e.name, r, "troops", troops)
                if e.until is not None:
                    add(e.until, e.name, r, "officers", -on_streets)
                    add(e.until, e.name, r, "troops", -troops)
            if e.legitimacy:
                for r in names:
                    add(e.at, e.name, r, "legitimacy_add", e.legitimacy)
        elif isinstance(e, EmergencyEvent):
            until = e.until or scenario.end
            for r in regions:
                add(e.at, e.name, r, "emergency_on", e.arrest_factor, e.arrest_rate or 0.0)
                add(until, e.name, r, "emergency_off")
                if e.curfew:
                    actions += hours_actions(scenario, e, r, until, e.curfew, "curfew")
        elif isinstance(e, ProvocateursEvent):
            for r in regions:
                add(e.at, e.name, r, "provocateurs_on", e.people, e.arrest_factor)
                if e.resistance > 0:
                    add(e.at, e.name, r, "resistance_on", e.resistance)
                if e.until is not None:
                    add(e.until, e.name, r, "provocateurs_off")
        elif isinstance(e, LethalForceEvent):
            for r in regions:
                add(e.at, e.name, r, "lethal_on", e.probability, e.fear)
                if e.until is not None:
                    add(e.until, e.name, r, "lethal_off")
        elif isinstance(e, DaytimeEvent):
            for r in regions:
                actions += hours_actions(scenario, e, r, e.until or scenario.end, e.hours, "daytime", e.away)
        elif isinstance(e, SweepsEvent):
            for r in regions:
                add(e.at, e.name, r, "sweeps_on", sweep_probability(e.rate_per_day, 24.0 / scenario.steps_per_day))
                if e.until is not None:
                    add(e.until, e.name, r, "sweeps_off")
        elif isinstance(e, ShutdownEvent):
            for r in regions:
                for when, anger in shutdown_angers(scenario, e):
                    add(when, e.name, r, "shutdown_on", e.channel, anger)
                if e.until is not None:
                    add(e.until, e.name, r, "shutdown_off")
        else:  # pragma: no cover - the schema admits no other type
            raise TypeError(f"no timeline for event type {type(e).__name__}")
    actions.sort(key=lambda pair: (pair[1].step, pair[0]))
    return [a for _, a in actions]
