"""The scenario file's schema: a country in crisis as regions, a calendar of events, targets
and sources, validated before anything runs.

A scenario is a TOML file (``qantar.scenario.load``). Each table below is one pydantic
model; every number has its range, every event names its regions and its source, and a
date outside the run is refused. The mechanisms that events drive are documented in
docs/model.md ("Scenarios"), each with the function that applies it.

Event types accepted so far: ``hardship`` (a price shock, or a concession lowering it),
``legitimacy`` (government resigns, foreign troops arrive...), ``police`` (officers added
to or withdrawn from regions, or moved between them), ``foreign-troops`` (a contingent that
arrives, guards sites so that local police are freed for the streets, and leaves),
``emergency`` (a state of emergency: a higher arrest constant, and a curfew that stops
movement during given hours) and ``shutdown`` (an internet shutdown: the news channel cut
or weakened, and the anger it may cause), ``lethal-force`` (an order to fire) and
``provocateurs`` (always-active agents, and harsher policing while they operate),
``sweeps`` (detention of those who protested, at home) and ``daytime`` (crowds thinned by
the day's work in given hours). News,
clashes, defection and backlash are tables (``[news]``, ``[clashes]``, ``[defection]``,
``[backlash]``), and so is legitimacy feedback (``[legitimacy_feedback]``). An unknown
event type is refused with the list of accepted types, never silently ignored.

Example:
    >>> s = Scenario.model_validate({
    ...     "name": "demo", "start": "2022-01-01T00:00:00", "days": 3,
    ...     "regions": [{"name": "A", "population": 20000, "police_per_100k": 400}],
    ...     "events": [{"type": "legitimacy", "name": "resign", "at": "2022-01-02T09:00:00",
    ...                 "regions": ["A"], "add": 0.05, "source": "press"}],
    ...     "sources": {"press": {"title": "A newspaper", "date": "2022-01-02"}}})
    >>> s.events[0].type, s.end.isoformat()
    ('legitimacy', '2022-01-04T00:00:00')
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qantar.rules.ruleset import RULE_SETS


class Strict(BaseModel):
    """Frozen, an unknown field is an error (a typo must not pass as a default), and so is
    a number that is not finite (inf or nan would pass ranges such as ``ge=0`` and make
    nonsense of every step)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


#: The fewest citizen agents a region may have at the scenario's scale: fewer make a grid
#: whose counts move by whole shares of the region (one agent turning active is 1/n of it).
MIN_REGION_AGENTS = 10


class Distribution(Strict):
    """A per-citizen draw: ``uniform`` on [low, high], or ``beta`` with shapes a, b."""

    dist: Literal["uniform", "beta"] = "uniform"
    low: float = Field(0.0, ge=0, le=1)
    high: float = Field(1.0, ge=0, le=1)
    a: float = Field(1.0, gt=0)
    b: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Distribution":
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        return self


class Source(Strict):
    """Where a fact comes from: a title, and a date and address where known."""

    title: str = Field(min_length=1)
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None


class Region(Strict):
    """A place with its own grid: people, police, and what they feel."""

    name: str = Field(min_length=1)
    population: int = Field(gt=0, description="people")
    police_per_100k: float = Field(ge=0, description="police officers per 100,000 people")
    legitimacy: float | None = Field(None, ge=0, le=1, description="L here; default: the model's")
    hardship: Distribution | None = Field(None, description="default: the model's")
    risk_aversion: Distribution | None = Field(None, description="default: the model's")
    source: str | None = Field(None, description="id of the source of population and police")
    participation: float = Field(1.0, gt=0, le=1, description="rule Participation: its citizens' grievance times "
                                 "this (a unit's small towns and villages, which protest less than its cities)")
    utc_offset: float | None = Field(None, ge=-12, le=14, description="its local time zone, hours from UTC (curfew "
                                     "hours are local); default: the scenario's")
    lat: float | None = Field(None, ge=-90, le=90, description="latitude of its centre, degrees north (for maps)")
    lon: float | None = Field(None, ge=-180, le=180, description="longitude of its centre, degrees east (for maps)")
    unit: str | None = Field(None, min_length=1, description="the first-level unit (region or city of national "
                             "significance) it lies in")

    @model_validator(mode="after")
    def _both_coordinates(self) -> "Region":
        if (self.lat is None) != (self.lon is None):
            raise ValueError(f"lat/lon: region {self.name!r} gives one coordinate; give both lat and lon, or neither")
        return self


class Link(Strict):
    """Two regions whose news reach each other (rule News, the ``[news]`` table)."""

    between: tuple[str, str]
    weight: float = Field(1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _two(self) -> "Link":
        if self.between[0] == self.between[1]:
            raise ValueError(f"between: a link joins two different regions (got {self.between[0]!r} twice)")
        return self


class News(Strict):
    """What citizens learn of protest beyond their vision, through media and messaging.

    Each step, region r's news is ``own`` x its own active share + ``linked`` x the mean
    over its links of (link weight x the linked region's share) + ``national`` x the
    national share (shares of the previous step, smoothed with a half-life of
    ``half_life_hours`` when above 0); it raises every citizen's grievance by ``gain`` x the
    region's channel strength x the news. ``gain`` 0 switches news off.
    """

    gain: float = Field(0.0, ge=0, description="grievance added per unit of news; 0: no news")
    half_life_hours: float = Field(0.0, ge=0, description="lag: shares smoothed with this half-life; 0: none")
    own: float = Field(0.0, ge=0, le=1)
    linked: float = Field(1.0, ge=0, le=1)
    national: float = Field(0.0, ge=0, le=1)


class Restraint(Strict):
    """Rule Restraint: police who hold back. Outside a state of emergency a cop with actives
    in sight acts (arrests one, or fires under lethal force) with probability ``arrest_rate``
    per turn, and otherwise lets them be; an emergency may set its own rate. 1: always, as
    in Epstein's model (no draw)."""

    arrest_rate: float = Field(1.0, gt=0, le=1, description="chance per turn that a cop with actives in sight acts")


class Clashes(Strict):
    """Security deaths: a cop whose actives in sight exceed ``ratio`` times the cops around
    it is killed with ``probability`` (per turn). ``probability`` 0: no clashes."""

    ratio: float = Field(3.0, ge=0)
    probability: float = Field(0.0, ge=0, le=1)


class Defection(Strict):
    """Police who refuse: a cop with actives in sight that is ordered to fire (a
    ``lethal-force`` event) or overwhelmed (actives above ``ratio`` times the cops around;
    0: never) defects with ``probability`` per turn. It joins the protest (``join``) or goes
    home. ``regions``: where this happens (default all). ``probability`` 0: nobody defects."""

    probability: float = Field(0.0, ge=0, le=1)
    ratio: float = Field(0.0, ge=0)
    join: bool = True
    regions: list[str] | Literal["all"] = "all"


class Backlash(Strict):
    """Witnesses' anger at killings (after Bennett 2008): every citizen of a region gains
    ``per_share`` x (civilians killed there so far / its citizens) grievance. 0: none."""

    per_share: float = Field(0.0, ge=0)


class Casualties(Strict):
    """Rule Casualties: who of the people put at risk die. An agent stands for ``scale``
    people; one shot (lethal force) or overrun (a clash, or armed provocateurs: rule
    Resistance) is a crowd or a unit put out of the streets for good. Each person of an agent
    at risk (fired on, a unit outnumbered, or one that took on the armed) is
    killed with the kernel's chance for that agent and then dies with ``*_death_probability``
    (the others fled, hurt or not). Per person, not a toll per agent, so that the toll in
    people neither grows as the agents get smaller (with a toll per agent, halving the people
    per agent doubled the dead) nor spreads with the agents' size (docs/model.md). Unset: 1,
    every person the kernel's chance would kill."""

    civilian_death_probability: float | None = Field(None, gt=0, le=1, description="each person of a civilian "
                                                     "agent shot dies with this probability")
    security_death_probability: float | None = Field(None, gt=0, le=1, description="each officer of a cop agent "
                                                     "overrun (or killed by the armed) dies with this probability")

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data):
        for old, new in (("civilians_per_killing", "civilian_death_probability"),
                         ("security_per_killing", "security_death_probability")):
            if isinstance(data, dict) and old in data:
                raise ValueError(f"casualties.{old}: renamed; give {new} = {old} / scale (each person of a killed "
                                 "agent dies with it, whatever the scale)")
        return data


class LegitimacyFeedback(Strict):
    """Legitimacy built from what people see, in the style of Lemos, Lopes & Coelho (2016),
    who derive it from indicators such as the jailed and quiet shares; this linear form is
    qantar's. Each step a region's L is its events' L - ``jailed`` x jailed share -
    ``killed`` x civilians-killed share + ``quiet`` x (quiet share - its share at the
    start), clipped to [0, 1]. All 0: off."""

    jailed: float = Field(0.0, ge=0)
    killed: float = Field(0.0, ge=0)
    quiet: float = Field(0.0, ge=0)


class Model(Strict):
    """The model's numbers shared by every region (Model I's, with jail in days)."""

    citizen_density: float = Field(0.7, gt=0, le=1, description="share of a region's cells holding a citizen")
    citizen_vision: float = Field(7.0, gt=0)
    cop_vision: float = Field(7.0, gt=0)
    legitimacy: float = Field(0.85, ge=0, le=1, description="L where a region sets none")
    arrest_constant: float = Field(2.3, ge=0)
    threshold: float = Field(0.1, ge=0, le=1)
    jail_days: float | None = Field(None, gt=0, description="longest jail term in days; none: held to the end")
    movement: bool = True
    hardship: Distribution = Field(Distribution(), description="H where a region sets none")
    risk_aversion: Distribution = Field(Distribution(), description="R where a region sets none")


class EventBase(Strict):
    """What every event has: a name (for ``--without``), a time, its regions, a source."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    at: dt.datetime
    regions: list[str] | Literal["all"] = "all"
    source: str = Field(min_length=1, description="id of a source in [sources]")
    note: str | None = None
    local_time: bool = Field(False, description="at and until are each region's local time (Region.utc_offset), "
                             "not the scenario's clock: for sources that give local times")

    @model_validator(mode="after")
    def _distinct(self) -> "EventBase":
        if self.regions != "all" and len(set(self.regions)) < len(self.regions):
            twice = next(r for r in self.regions if self.regions.count(r) > 1)
            raise ValueError(f"regions: {twice!r} is listed twice; list each region once")
        return self

    def region_names(self, known: list[str]) -> list[str]:
        """The regions this event touches."""
        return list(known) if self.regions == "all" else list(self.regions)

    def named_regions(self) -> list[str]:
        """Regions named anywhere in this event (to check they exist)."""
        return [] if self.regions == "all" else list(self.regions)


class HardshipEvent(EventBase):
    """The hardship of the citizens it reaches raised (a price shock) or lowered (a
    concession) by ``add``, clipped to [0, 1]; ``by_region`` gives other amounts for named
    regions. ``share``: it reaches that share of each region's citizens (rule Exposure:
    those whose exposure rank is below it, so events of one share reach the same people).
    With ``ramp_hours``, the change comes in equal parts at each step start from ``at`` to
    before ``at`` + ramp_hours (a price felt as people refuel, not all at once)."""

    type: Literal["hardship"]
    add: float = Field(ge=-1, le=1)
    by_region: dict[str, Annotated[float, Field(ge=-1, le=1)]] = Field(default_factory=dict)
    ramp_hours: float = Field(0.0, ge=0, description="hours over which the change phases in; 0: at once")
    share: float = Field(1.0, gt=0, le=1, description="share of each region's citizens it reaches (rule Exposure)")

    def named_regions(self) -> list[str]:
        return super().named_regions() + list(self.by_region)


class LegitimacyEvent(EventBase):
    """Legitimacy moved by ``add`` or set to ``set`` (clipped to [0, 1])."""

    type: Literal["legitimacy"]
    add: float | None = Field(None, ge=-1, le=1)
    set: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _one(self) -> "LegitimacyEvent":
        if (self.add is None) == (self.set is None):
            raise ValueError("give exactly one of add (a change) or set (a new value)")
        return self


class PoliceEvent(EventBase):
    """Police officers added to each region (negative: withdrawn), or moved: ``officers``
    taken from ``from_region`` and spread over ``regions`` by population."""

    type: Literal["police"]
    officers: int
    from_region: str | None = None

    @model_validator(mode="after")
    def _elsewhere(self) -> "PoliceEvent":
        if self.from_region is not None and (self.regions == "all" or self.from_region in self.regions):
            raise ValueError(f"from_region: officers moved from {self.from_region!r} must go to other regions; "
                             "list them in regions")
        return self

    def named_regions(self) -> list[str]:
        return super().named_regions() + ([self.from_region] if self.from_region else [])


class ForeignTroopsEvent(EventBase):
    """A foreign contingent: ``troops`` by region arrive at ``at`` and leave at ``until``.
    They guard sites, which frees ``frees_police_per_troop`` local officers each for the
    streets; with ``patrol`` they also police the streets themselves. Their arrival moves
    L by ``legitimacy`` in every region (a regime calling in foreign troops; not undone
    when they leave), so that leaving the event out leaves out that cost too."""

    type: Literal["foreign-troops"]
    until: dt.datetime | None = None
    troops: dict[str, Annotated[int, Field(gt=0)]] = Field(min_length=1)
    frees_police_per_troop: float = Field(0.0, ge=0)
    patrol: bool = False
    legitimacy: float = Field(0.0, ge=-1, le=1, description="change of L everywhere on arrival")

    @model_validator(mode="after")
    def _where(self) -> "ForeignTroopsEvent":
        if self.regions != "all":
            raise ValueError("regions: a foreign-troops event places its troops by region in troops; leave regions out")
        return self

    def region_names(self, known: list[str]) -> list[str]:
        return list(self.troops)

    def named_regions(self) -> list[str]:
        return list(self.troops)


class ShutdownEvent(EventBase):
    """An internet shutdown from ``at`` to ``until``: the news channel keeps ``channel`` of
    its strength (0: cut), and citizens' grievance rises by ``anger`` while it lasts. With
    anger 0 a shutdown calms (less news); with anger above the news it cut, it spreads
    protest locally (Hassanpour's finding for Egypt, 2011). With ``anger_half_life_hours`` the
    anger halves every so many hours from ``at`` (rule Shutdown, fading anger)."""

    type: Literal["shutdown"]
    until: dt.datetime | None = None
    channel: float = Field(0.0, ge=0, le=1)
    anger: float = Field(0.0, ge=0, le=1)
    anger_half_life_hours: float | None = Field(None, gt=0)


class LethalForceEvent(EventBase):
    """An order to fire from ``at`` to ``until``: each enforcement kills the active instead
    of arresting it with ``probability``. Cops ordered to fire may defect (``[defection]``).
    With ``fear`` above 0, citizens reckon with being shot wherever they are while it is in
    force (rule Fear: net risk R (P + fear))."""

    type: Literal["lethal-force"]
    until: dt.datetime | None = None
    probability: float = Field(gt=0, le=1)
    fear: float = Field(0.0, ge=0, le=1)


class SweepsEvent(EventBase):
    """Sweeps from ``at`` to ``until`` (rule Sweeps): police detain at home those who have
    protested, each free citizen who has been active at some time in the run at
    ``rate_per_day`` (a rate: in a day a share 1 - exp(-rate) of them, whatever the step
    length)."""

    type: Literal["sweeps"]
    until: dt.datetime | None = None
    rate_per_day: float = Field(gt=0, le=100, description="detentions a day per free citizen who has protested")


class ProvocateursEvent(EventBase):
    """Provocateurs from ``at`` to ``until``: ``people`` of each region's citizens, chosen at
    random among the free, are always active (rule A) and so draw arrests; while they
    operate, policing is harsher: the arrest constant times ``arrest_factor``. With
    ``resistance`` above 0 they are armed (rule Resistance): a cop's enforcement that picks
    one of them kills the cop instead with that probability (counted as security killed)."""

    type: Literal["provocateurs"]
    until: dt.datetime | None = None
    people: float = Field(gt=0)
    arrest_factor: float = Field(1.0, ge=1)
    resistance: float = Field(0.0, ge=0, le=1, description="chance that an enforcement against one of them "
                                                           "kills the cop instead (0: unarmed)")


def check_daily_hours(hours: tuple[int, int], field: str) -> None:
    """[from hour, to hour] of each day (a curfew's, the day's): both 0-23, and different."""
    if not all(0 <= h <= 23 for h in hours):
        raise ValueError(f"{field}: hours must be 0-23 (got {list(hours)})")
    if hours[0] == hours[1]:
        raise ValueError(f"{field}: from and to hours must differ (got {list(hours)})")


class EmergencyEvent(EventBase):
    """A state of emergency from ``at`` to ``until``: the arrest constant times
    ``arrest_factor``, and with ``arrest_rate`` police held back less (or more; rule
    Restraint); with ``curfew`` = [from hour, to hour], citizens do not move in those
    hours (cops patrol where the rule set says cops move when movement is off)."""

    type: Literal["emergency"]
    until: dt.datetime | None = None
    arrest_factor: float = Field(1.0, ge=1)
    arrest_rate: float | None = Field(None, gt=0, le=1, description="rule Restraint's rate under this emergency; "
                                      "default: the [restraint] table's")
    curfew: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _hours(self) -> "EmergencyEvent":
        if self.curfew:
            check_daily_hours(self.curfew, "curfew")
        return self


class DaytimeEvent(EventBase):
    """The day's obligations (work, school, the household): from ``at`` to ``until``, in the
    ``hours`` = [from hour, to hour] of each day (each region's local time), one whom rule A
    would make active is kept away instead, quiet, with probability ``away`` (rule Daytime;
    in a step those hours cover in part, ``away`` times the share they cover). Crowds by day
    are then smaller than in the evening, as reported (about 1,000 in Almaty by day on 4
    January 2022, more than 5,000 that evening)."""

    type: Literal["daytime"]
    until: dt.datetime | None = None
    hours: tuple[int, int] = (9, 18)
    away: float = Field(gt=0, le=1, description="chance that one who would protest is kept away in those hours")

    @model_validator(mode="after")
    def _hours(self) -> "DaytimeEvent":
        check_daily_hours(self.hours, "hours")
        return self


Event = Annotated[
    Union[HardshipEvent, LegitimacyEvent, PoliceEvent, ForeignTroopsEvent, EmergencyEvent, ShutdownEvent,
          LethalForceEvent, ProvocateursEvent, SweepsEvent, DaytimeEvent],
    Field(discriminator="type"),
]
EVENT_TYPES = ("hardship", "legitimacy", "police", "foreign-troops", "emergency", "shutdown", "lethal-force",
               "provocateurs", "sweeps", "daytime")

Metric = Literal["peak_participants", "participants_on", "peak_date", "calm_date", "detained", "killed",
                 "security_killed", "killed_share", "first_region", "regions_joined", "largest_region"]
#: Metrics judged by a date (``on``, optionally ``by``).
DATE_METRICS = ("peak_date", "calm_date")
#: Metrics whose value is a region's name (``value``).
REGION_METRICS = ("first_region", "largest_region")

#: What each metric takes besides name, metric, source (and region, where it is allowed);
#: the fields it needs come first. docs/scenario-files.md ("Targets") says what each means.
TARGET_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # metric: (needed, optional)
    "peak_participants": ((), ("low", "high", "region")),
    "participants_on": (("on",), ("low", "high", "region", "hours")),
    "peak_date": (("on",), ("by", "region")),
    "calm_date": (("on",), ("by", "region")),
    "detained": ((), ("low", "high", "by", "hour", "region")),
    "killed": ((), ("low", "high", "by", "hour", "region")),
    "security_killed": ((), ("low", "high", "by", "hour", "region")),
    "killed_share": (("region",), ("low", "high", "by", "hour")),
    "first_region": (("value",), ("on", "by")),
    "regions_joined": (("by",), ("regions", "low", "high")),
    "largest_region": (("value", "on"), ()),
}
_TARGET_OPTIONAL = ("low", "high", "on", "by", "hour", "hours", "region", "value", "regions")
_TARGET_NEEDS = {"on": "on (the day)", "by": "by (the day)", "value": "value (the region expected)",
                 "region": "region (where)"}


class Target(Strict):
    """A reported figure the scenario should reproduce: a range (``low``-``high``, in people;
    for ``killed_share`` a share, 0-1), dates (``on``-``by``), or a region (``value``);
    ``region`` none means national. Counts may be taken ``by`` a day (at its ``hour``),
    participants ``on`` a day (within its ``hours``). ``TARGET_FIELDS`` lists what each
    metric takes; ``analysis.target_measures`` measures each, ``analysis.scenario_measures``
    judges them.

    Example:
        >>> Target(name="t", metric="detained", by="2022-01-05", hour=9, low=200, source="s").hour
        9
    """

    name: str = Field(min_length=1)
    metric: Metric
    low: float | None = Field(None, ge=0)
    high: float | None = Field(None, ge=0)
    on: dt.date | None = None
    by: dt.date | None = None
    hour: int | None = Field(None, ge=1, le=24, description="counts by: this hour of day by (default 24: its end)")
    hours: tuple[int, int] | None = Field(None, description="participants_on: [from, to] hours of the day, 0-24")
    region: str | None = None
    value: str | None = Field(None, description="first_region, largest_region: the region expected")
    regions: list[str] | None = Field(None, min_length=1, description="regions_joined: the regions expected")
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> "Target":
        """Each metric has the fields it needs and none it would ignore (``TARGET_FIELDS``);
        ranges and dates are in order."""
        needed, optional = TARGET_FIELDS[self.metric]
        for field in needed:
            if getattr(self, field) is None:
                raise ValueError(f"{field}: a {self.metric} target needs {_TARGET_NEEDS[field]}")
        for field in _TARGET_OPTIONAL:
            if getattr(self, field) is not None and field not in needed + optional:
                takes = ", ".join(needed + optional) or "nothing more"
                raise ValueError(f"{field}: a {self.metric} target does not take {field}; it takes {takes}")
        ranged = "low" in optional and self.metric != "regions_joined"
        if ranged and self.low is None and self.high is None:
            raise ValueError(f"low/high: a {self.metric} target needs low, high or both")
        if self.metric == "regions_joined" and (self.regions is None) == (self.low is None and self.high is None):
            raise ValueError("regions/low/high: a regions_joined target gives either the regions (a list) or "
                             "how many (low and/or high)")
        if self.metric == "killed_share" and any(x is not None and x > 1 for x in (self.low, self.high)):
            raise ValueError("low/high: a killed_share target is a share of the killed, between 0 and 1")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        if self.metric == "first_region" and self.by is not None and self.on is None:
            raise ValueError("on: a first_region target with by needs on (the first day it may join)")
        if self.on is not None and self.by is not None and self.by < self.on:
            raise ValueError(f"by: {self.by} comes before on ({self.on})")
        if self.hour is not None and self.by is None:
            raise ValueError("hour: the hour of which day? give by too")
        if self.hours is not None and not 0 <= self.hours[0] < self.hours[1] <= 24:
            raise ValueError(f"hours: [from, to] with 0 <= from < to <= 24 (got {list(self.hours)})")
        if self.regions is not None and len(set(self.regions)) < len(self.regions):
            raise ValueError("regions: a region is listed twice; list each once")
        return self


class Scenario(Strict):
    """A whole scenario: the run's calendar, the model, regions, links, events, targets, sources."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = ""
    description: str = ""
    start: dt.datetime
    days: int = Field(gt=0, le=3650)
    steps_per_day: int = Field(24, ge=1, le=1440)
    utc_offset: float = Field(0.0, ge=-12, le=14, description="the zone of the scenario's clock (start, every at and "
                              "until), hours from UTC")
    scale: float = Field(200.0, ge=1, description="people per agent")
    rules: str = "netlogo"
    rule_overrides: dict[str, object] = Field(default_factory=dict)
    model: Model = Model()
    news: News = News()
    restraint: Restraint = Restraint()
    clashes: Clashes = Clashes()
    defection: Defection = Defection()
    backlash: Backlash = Backlash()
    casualties: Casualties = Casualties()
    legitimacy_feedback: LegitimacyFeedback = LegitimacyFeedback()
    regions: list[Region] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    sources: dict[str, Source] = Field(default_factory=dict)

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(days=self.days)

    @property
    def steps(self) -> int:
        return self.days * self.steps_per_day

    @property
    def region_names(self) -> list[str]:
        return [r.name for r in self.regions]

    @model_validator(mode="after")
    def _consistent(self) -> "Scenario":
        """Cross-field checks: names unique and known, dates inside the run, sources cited."""
        if self.rules not in RULE_SETS:
            raise ValueError(f"rules: unknown rule set {self.rules!r}; accepted: {', '.join(RULE_SETS)}")
        names = self.region_names
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"regions: the name {dup[0]!r} is used twice; region names must be unique")
        known = set(names)
        stamps = [("start", self.start)] + [(f"events[{i}] ({e.name}).at", e.at) for i, e in enumerate(self.events)]
        stamps += [(f"events[{i}] ({e.name}).until", e.until) for i, e in enumerate(self.events)
                   if getattr(e, "until", None) is not None]
        for where, when in stamps:
            if when.tzinfo is not None:
                raise ValueError(f"{where}: {when.isoformat()} has a time zone; give local times without an "
                                 "offset (the scenario's clock is local)")

        def check_region(where: str, name: str) -> None:
            if name not in known:
                raise ValueError(f"{where}: unknown region {name!r}; known: {', '.join(names)}")

        def check_source(where: str, sid: str | None) -> None:
            if sid is not None and sid not in self.sources:
                raise ValueError(f"{where}.source: unknown source {sid!r}; add it under [sources] "
                                 f"(known: {', '.join(self.sources) or 'none'})")

        def check_time(where: str, when: dt.datetime) -> None:
            if not self.start <= when < self.end:
                raise ValueError(f"{where}: {when.isoformat()} is outside the run ({self.start.isoformat()} to "
                                 f"{self.end.isoformat()}); move it into the run or change start/days")

        self._check_scale_and_steps()
        self._check_rules()
        for i, r in enumerate(self.regions):
            check_source(f"regions[{i}]", r.source)
        if self.defection.regions != "all":
            for name in self.defection.regions:
                check_region("defection.regions", name)
        for i, link in enumerate(self.links):
            for name in link.between:
                check_region(f"links[{i}].between", name)
        event_names = [e.name for e in self.events]
        for i, e in enumerate(self.events):
            where = f"events[{i}] ({e.name})"
            if event_names.count(e.name) > 1:
                raise ValueError(f"{where}.name: used by two events; event names must be unique (--without uses them)")
            for name in e.named_regions():
                check_region(f"{where}.regions", name)
            check_source(where, e.source)
            check_time(f"{where}.at", e.at)
            until = getattr(e, "until", None)
            if until is not None:
                if until <= e.at:
                    raise ValueError(f"{where}.until: {until.isoformat()} must come after at ({e.at.isoformat()})")
                if until > self.end:
                    raise ValueError(f"{where}.until: {until.isoformat()} is after the run's end "
                                     f"({self.end.isoformat()}); leave it out to last to the end")
        first_day, last_day = self.start.date(), (self.end - dt.timedelta(microseconds=1)).date()
        for i, t in enumerate(self.targets):
            where = f"targets[{i}] ({t.name})"
            check_source(where, t.source)
            for field in ("on", "by"):
                day = getattr(t, field)
                if day is not None and not first_day <= day <= last_day:
                    raise ValueError(f"{where}.{field}: {day} is outside the run ({first_day} to {last_day}); "
                                     "move it into the run or change start/days")
            for field in ("region", "value", "regions"):
                for name in [getattr(t, field)] if isinstance(getattr(t, field), str) else getattr(t, field) or []:
                    check_region(f"{where}.{field}", name)
        return self

    def _check_scale_and_steps(self) -> None:
        """Every region keeps ``MIN_REGION_AGENTS`` citizens at this scale, and a jail term
        lasts at least one step."""
        from qantar.scenario.build import agents_for, jail_steps

        for r in self.regions:
            n = agents_for(r.population, self.scale)
            if n < MIN_REGION_AGENTS:
                raise ValueError(f"scale: {self.scale:g} people per agent leaves region {r.name!r} ({r.population:,} "
                                 f"people) {n} agents, fewer than the {MIN_REGION_AGENTS} a region needs; use a scale "
                                 f"of at most {int(r.population / (MIN_REGION_AGENTS - 0.5)):,}")
        m = self.model
        if m.jail_days is not None and jail_steps(m.jail_days, self.steps_per_day) < 1:
            raise ValueError(f"model.jail_days: {m.jail_days:g} days is less than one step at {self.steps_per_day} "
                             f"steps a day (it would jail nobody, yet count arrests as detained); give at least "
                             f"{0.5 / self.steps_per_day:.4g} days or more steps_per_day")

    def _check_rules(self) -> None:
        """The rule set with its overrides builds (a bad override fails here, not in every run)."""
        from qantar.errors import QantarInputError
        from qantar.rules import rule_set

        if self.rules not in RULE_SETS:
            return  # named by the check of rules
        try:
            rule_set(self.rules, **self.rule_overrides)
        except (QantarInputError, TypeError, ValueError) as exc:
            raise ValueError(f"rule_overrides: {exc}") from None
