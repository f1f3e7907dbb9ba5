"""One run of a scenario: a world per region, stepped together, with the calendar's actions
applied between steps.

Regions do not share a grid; they share the clock. Before each step, the actions dated for
it change their regions' controls (``scenario.timeline``), and ``sync`` pushes the controls
into the worlds: legitimacy, the arrest constant times the emergency's factor, movement off
under curfew, hardship as each citizen's own value plus the regional offset (clipped to
[0, 1]), and the cops on the streets: the officers events put there, in agents (rounded
half up), less the police killed or defected so far, who are not replaced; cops are added on
random empty cells or withdrawn at random. Between actions the regions run in chunks.

Seeds: the run's seed is a ``SeedSequence``; region k's world gets its k-th child
(``engine.seeds.children``, which leaves the caller's sequence as it was), so every region,
and the whole run, is reproducible on its own, and the same seed object gives the same run.

Example:
    >>> from qantar.scenario.schema import HardshipEvent, Scenario
    >>> s = Scenario.model_validate({"name": "two", "start": "2022-01-01T00:00:00", "days": 2, "scale": 50,
    ...     "regions": [{"name": "A", "population": 20000, "police_per_100k": 400},
    ...                 {"name": "B", "population": 10000, "police_per_100k": 400}]})
    >>> run = run_scenario(s, seed=1)
    >>> run.counts.shape          # regions x (steps + 1) x COUNT_COLUMNS
    (2, 49, 10)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qantar.engine import World, WorldStepper
from qantar.engine.seeds import child, children
from qantar.engine.state import CITIZEN, CIVILIANS_KILLED, DEAD, DEFECTED, KNOB_NAMES, SECURITY_KILLED
from qantar.engine.world import DETAIL_COLUMNS, RISK_COLUMNS
from qantar.errors import QantarInputError
from qantar.experiments.runner import available_cores, run_tasks, threads_per_run
from qantar.rules.formulas import grievance
from qantar.rules.mechanisms import (
    backlash_shift,
    fed_back_legitimacy,
    grievance_shift,
    link_matrix,
    news_memory,
    news_received,
    participating,
    people_killed,
)
from qantar.scenario.build import agents_for, draw, officers, region_params, scenario_rules
from qantar.scenario.schema import HardshipEvent, Scenario
from qantar.scenario.schedule import set_cops
from qantar.scenario.timeline import Controls, apply_due, compile_timeline, time_of

#: Columns of ``ScenarioRun.counts`` (agents; times ``scale`` for people); from "detained"
#: on they are cumulative; the last two are agents put at risk of death (rule Casualties).
COUNT_COLUMNS = DETAIL_COLUMNS
#: Where each count sits in a row of ``COUNT_COLUMNS`` (read by name, never by position).
COL_QUIET, COL_ACTIVE, COL_JAILED, COL_CIVILIANS_KILLED, COL_SECURITY_KILLED, COL_DEFECTED = (
    COUNT_COLUMNS.index(name) for name in ("quiet", "active", "jailed", "civilians_killed", "security_killed",
                                           "defected"))


@dataclass
class RegionWorld:
    """One region's world, its controls, and its citizens' own hardship (before offsets).

    A cop who defects to the protest keeps H = 1 and is not moved by hardship events."""

    name: str
    world: World
    controls: Controls
    citizens: np.ndarray  # the first citizens' ids: they never change (cops come after them)
    base_hardship: np.ndarray
    exposure_rank: np.ndarray | None  # per citizen (rule Exposure); None: every hardship event reaches everyone
    base_arrest_constant: float
    base_movement: bool
    scale: float
    knobs: dict  # the region's fixed mechanism settings (clashes, defection)
    fed_back: bool  # legitimacy feedback on: NewsWire sets L every step, sync leaves it
    participation: float = 1.0  # rule Participation: grievance times this (Region.participation)
    _mean_h: tuple = (None, 0.0)  # (what it was computed for, mean H of the living citizens)
    _hardship_for: tuple | None = None  # the offsets the citizens' H was last written for (sync)

    def mean_grievance(self) -> float:
        """Mean G = H (1 - L) + shift over the living citizens, as rule A sees it now. G is
        linear in H, so this is grievance(mean H, L, shift); mean H is recomputed only when
        hardship or the living change (an event, a killing, a defector joining)."""
        w = self.world
        a = w.agents
        key = (self.offsets_key(), int(a.losses[CIVILIANS_KILLED]), int(a.losses[DEFECTED]))  # the living change
        if self._mean_h[0] != key:
            living = (a.kind == CITIZEN) & (a.state != DEAD)
            self._mean_h = (key, float(a.hardship[living].mean()) if living.any() else 0.0)
        return float(grievance(self._mean_h[1], w.params.legitimacy, w.config.grievance_shift))

    def offsets_key(self) -> tuple:
        """What the citizens' hardship offsets are made of now (``offsets``), as a key: H
        changes only when it does."""
        return self.controls.hardship_offset, tuple(sorted(self.controls.partial_offsets.items()))

    def offsets(self) -> np.ndarray | float:
        """Each citizen's hardship offset: the events that reach everyone, plus those of a
        share below 1 for the citizens whose exposure rank is below that share."""
        c = self.controls
        if not c.partial_offsets:
            return c.hardship_offset
        return c.hardship_offset + sum(offset * (self.exposure_rank < share)
                                       for share, offset in c.partial_offsets.items())

    def sync_provocateurs(self) -> None:
        """As many provocateurs as the events in force ask for (people / scale, rounded half
        up). Those jailed or killed still count, so the killed are not replaced; when fewer
        are wanted, all are stood down and the rest chosen afresh."""
        want = agents_for(self.controls.provocateur_people, self.scale)
        have = self.world.n_provocateurs
        if want < have:
            self.world.clear_provocateurs()
            have = 0
        if want > have:
            try:
                self.world.make_provocateurs(want - have)
            except QantarInputError as exc:
                raise QantarInputError(f"region {self.name}: {exc}") from None

    def sync(self) -> None:
        """Push the controls into the world (only what changed is touched)."""
        w, c = self.world, self.controls
        if w.params.legitimacy != c.legitimacy and not self.fed_back:
            w.set_legitimacy(c.legitimacy)
        k = self.base_arrest_constant * c.arrest_factor
        if w.params.arrest_constant != k:
            w.set_arrest_constant(k)
        moving = self.base_movement and c.curfew_share < 1.0  # a step wholly under curfew: no movement
        if w.params.movement != moving:
            w.set_movement(moving)
        w.set_knobs(lethal_probability=c.lethal_probability, curfew_share=c.curfew_share if moving else 0.0,
                    hold_back_probability=1.0 - c.arrest_rate, fear=c.fear,
                    sweep_probability=c.sweep_probability, resistance_probability=c.resistance,
                    away_probability=c.away_probability, **self.knobs)
        self.sync_provocateurs()
        offsets = self.offsets_key()
        if self._hardship_for != offsets:  # the kernel never writes a citizen's H: rewrite it only when it moves
            w.agents.hardship[self.citizens] = participating(np.clip(self.base_hardship + self.offsets(), 0.0, 1.0),
                                                             self.participation)
            self._hardship_for = offsets
        lost = int(w.agents.losses[SECURITY_KILLED] + w.agents.losses[DEFECTED])  # police killed or defected: not replaced
        want = max(0, agents_for(c.officers, self.scale) - lost)
        try:
            set_cops(w, want)
        except QantarInputError as exc:
            raise QantarInputError(f"region {self.name}: no room for {want} cops ({exc}); lower the police or "
                                   "the model's citizen_density") from None


@dataclass
class ScenarioRun:
    """What one run made: per region and step (row 0: the start), in agents."""

    scenario: Scenario
    seed: object
    regions: list[str]
    counts: np.ndarray  # (regions, steps + 1, len(COUNT_COLUMNS)): COUNT_COLUMNS
    cops: np.ndarray  # (regions, steps + 1): cops on the streets
    legitimacy: np.ndarray  # (regions, steps + 1)
    arrest_constant: np.ndarray  # (regions, steps + 1)
    curfew: np.ndarray  # (regions, steps + 1) bool
    troops: np.ndarray  # (regions, steps + 1): foreign troops present (people)
    grievance: np.ndarray  # (regions, steps + 1): mean grievance of the living citizens
    index: int = 0  # the run's number in its ensemble (its seed is the ensemble's index-th child)
    dead: np.ndarray | None = None  # (regions, steps + 1, 2): the dead in people (count_the_dead)
    #: (regions, steps + 1, len(RISK_COLUMNS)): the kernel's chance of killing an agent at risk
    #: during each step, for the fired on (lethal force's), the outnumbered (clashes') and the
    #: cops who took on an armed provocateur (resistance's): RISK_KNOBS
    kill_probability: np.ndarray | None = None

    @property
    def times(self) -> list[dt.datetime]:
        """When each row was recorded: the start, then the end of each step."""
        return [time_of(self.scenario, t) for t in range(1, self.counts.shape[1] + 1)]

    def people(self, column: str) -> np.ndarray:
        """A count column in people, (regions, steps + 1): agents times the scale, and for
        the killed the dead counted person by person (rule Casualties, ``dead``)."""
        if column in KILLED_COLUMNS and self.dead is not None:
            return self.dead[:, :, KILLED_COLUMNS.index(column)]
        return self.counts[:, :, COUNT_COLUMNS.index(column)] * self.scenario.scale


#: The count columns of the dead (``ScenarioRun.people`` gives them counted by rule Casualties).
KILLED_COLUMNS = ("civilians_killed", "security_killed")
#: For each of the engine's ``RISK_COLUMNS`` (the agents put at risk), by name: the kernel's
#: knob that kills such an agent, and the killed column it counts into (the fired on are
#: civilians; the outnumbered and those who took on an armed provocateur are security). A
#: risk column added to the engine without its entry here fails at import.
RISKS = {"fired_on": ("lethal_probability", "civilians_killed"),
         "outnumbered": ("clash_probability", "security_killed"),
         "resisted": ("resistance_probability", "security_killed")}
RISK_KNOBS = tuple(RISKS[column][0] for column in RISK_COLUMNS)

#: The child of a run's seed that draws who of the people at risk die (far from the
#: regions' children 0, 1, ..., so that the worlds' streams are untouched).
CASUALTY_STREAM = 2 ** 31 - 1


def count_the_dead(scenario: Scenario, counts: np.ndarray, kill_probability: np.ndarray, seed) -> np.ndarray:
    """Rule Casualties over a run: the dead in people, cumulative, (regions, steps + 1, 2)
    for civilians and security, from each step's new agents put at risk (``RISK_COLUMNS``)
    and the chance the kernel had of killing each (``kill_probability``, as in
    ``ScenarioRun``): ``rules.mechanisms.people_killed``, summed into each risk's killed column (``RISKS``).

    Each region's risk column has its own stream (``casualty_streams``), drawn in step order:
    the dead up to a step depend only on that region's risks up to it in that column. So a
    later event, another region's killings or another column cannot move the dead before
    it, and a counterfactual's toll differs from the base run's only where its runs do."""
    c = scenario.casualties
    death = {"civilians_killed": c.civilian_death_probability, "security_killed": c.security_death_probability}
    out = np.zeros((*counts.shape[:2], len(KILLED_COLUMNS)), np.int64)
    streams = casualty_streams(seed, counts.shape[0])
    for i, column in enumerate(RISK_COLUMNS):
        killed = RISKS[column][1]
        new = np.diff(counts[:, :, COUNT_COLUMNS.index(column)], axis=1, prepend=0)
        for r in range(counts.shape[0]):
            out[r, :, KILLED_COLUMNS.index(killed)] += np.cumsum(
                people_killed(new[r], scenario.scale, kill_probability[r, :, i], death[killed], streams[r][i]))
    return out


def casualty_streams(seed, regions: int) -> list[list[np.random.Generator]]:
    """One generator per region and risk column, [region][column]: the children (region,
    column) of the run seed's child ``CASUALTY_STREAM``, so the worlds' streams are untouched
    and each region's toll is drawn apart from every other (a column added later takes the
    next child, leaving the others' draws as they were)."""
    base = child(seed, CASUALTY_STREAM)
    return [[np.random.default_rng(child(child(base, r), i)) for i in range(len(RISK_COLUMNS))]
            for r in range(regions)]


class NewsWire:
    """What citizens learn beyond their vision (rules News, Shutdown, Backlash): before each
    step, every region's grievance shift from the previous step's active shares and killings,
    its channel and its anger."""

    def __init__(self, scenario: Scenario, regions: list[RegionWorld]):
        self.params = scenario.news
        self.regions = regions
        names = [r.name for r in regions]
        self.links = link_matrix(names, [(lk.between[0], lk.between[1], lk.weight) for lk in scenario.links])
        self.citizens = np.array([len(r.citizens) for r in regions], float)
        self.populations = np.array([reg.population for reg in scenario.regions], float)
        self.backlash = scenario.backlash.per_share
        self.feedback = scenario.legitimacy_feedback
        self.fed_back = feedback_on(scenario)
        self.quiet_start = np.array([r.world.counts()[0] for r in regions], float) / np.maximum(1.0, self.citizens)
        self.half_life_steps = self.params.half_life_hours * scenario.steps_per_day / 24
        self.heard = np.zeros(len(regions))  # the smoothed shares the media carry
        self.on = (self.params.gain > 0 or self.backlash > 0 or self.fed_back
                   or any(getattr(e, "anger", 0) > 0 for e in scenario.events))

    def update(self, counts_now: np.ndarray) -> None:
        """Set each world's grievance shift from ``counts_now`` (regions x COUNT_COLUMNS, last step)."""
        if not self.on:
            return
        self.heard = news_memory(self.heard, counts_now[:, COL_ACTIVE] / np.maximum(1.0, self.citizens),
                                 self.half_life_steps)
        p = self.params
        news = news_received(self.heard, self.links, p.own, p.linked, p.national, self.populations)
        channel = np.array([r.controls.channel for r in self.regions])
        anger = np.array([r.controls.anger for r in self.regions])
        killed_share = counts_now[:, COL_CIVILIANS_KILLED] / np.maximum(1.0, self.citizens)
        shifts = grievance_shift(news, p.gain, channel, anger) + backlash_shift(killed_share, self.backlash)
        for r, shift in zip(self.regions, shifts):
            shift = participating(shift, r.participation)
            if r.world.config.grievance_shift != shift:
                r.world.set_grievance_shift(float(shift))
        if self.fed_back:
            f = self.feedback
            base = np.array([r.controls.legitimacy for r in self.regions])
            quiet_change = counts_now[:, COL_QUIET] / np.maximum(1.0, self.citizens) - self.quiet_start
            jailed_share = counts_now[:, COL_JAILED] / np.maximum(1.0, self.citizens)
            for r, value in zip(self.regions, fed_back_legitimacy(base, jailed_share, killed_share, quiet_change,
                                                                   f.jailed, f.killed, f.quiet)):
                if r.world.params.legitimacy != value:
                    r.world.set_legitimacy(float(value))


def feedback_on(scenario: Scenario) -> bool:
    """Whether rule Legitimacy feedback sets L every step (any weight above 0)."""
    return any(v > 0 for v in scenario.legitimacy_feedback.model_dump().values())


def partial_hardship(scenario: Scenario) -> bool:
    """Whether a hardship event of the scenario reaches only a share of the citizens."""
    return any(isinstance(e, HardshipEvent) and e.share < 1.0 for e in scenario.events)


def exposure_ranks(n: int, rng: np.random.Generator) -> np.ndarray:
    """Rule Exposure: each of a region's ``n`` citizens' exposure rank, (k + 0.5) / n for a
    random order k: an event of share s reaches the citizens ranked below s, s n of them
    rounded with halves down (ceil(s n - 1/2)), the same ones for every event of that share,
    and those of a smaller share among them. Drawn once, from the world's stream after its hardship and risk draws,
    and only for scenarios with such an event (the others' runs are unchanged).

    Example:
        >>> ranks = exposure_ranks(10, np.random.default_rng(0))
        >>> int((ranks < 0.3).sum()), int((ranks < 1.0).sum()), bool(set(np.flatnonzero(ranks < 0.1))
        ...                                                            <= set(np.flatnonzero(ranks < 0.3)))
        (3, 10, True)
        >>> int((exposure_ranks(6, np.random.default_rng(0)) < 0.25).sum())   # 1.5: halves down
        1
    """
    return (rng.permutation(n) + 0.5) / n


def build_regions(scenario: Scenario, seed, threads: int = 1) -> list[RegionWorld]:
    """A world per region, seeded from the run's seed spawned once per region, built on
    ``threads`` threads (the same worlds for any number: each draws from its own seed)."""
    rules = scenario_rules(scenario)

    def build(job: tuple) -> RegionWorld:
        region, child = job
        world = World.build(region_params(scenario, region), rules, seed=child)
        citizens = np.flatnonzero(world.agents.kind == CITIZEN)
        a = world.agents
        a.hardship[citizens] = draw(region.hardship or scenario.model.hardship, a.hardship[citizens], world.rng)
        a.risk_aversion[citizens] = draw(region.risk_aversion or scenario.model.risk_aversion,
                                         a.risk_aversion[citizens], world.rng)
        controls = Controls(hardship_offset=0.0, legitimacy=world.params.legitimacy, officers=officers(region),
                            base_arrest_rate=scenario.restraint.arrest_rate)
        ranks = exposure_ranks(len(citizens), world.rng) if partial_hardship(scenario) else None
        region_world = RegionWorld(region.name, world, controls, citizens, a.hardship[citizens].copy(), ranks,
                                   world.params.arrest_constant, world.params.movement, scenario.scale,
                                   region_knobs(scenario, region.name), feedback_on(scenario), region.participation)
        region_world.sync()
        return region_world

    jobs = list(zip(scenario.regions, children(seed, len(scenario.regions))))
    with WorldStepper(threads) as pool:
        return pool.map(build, jobs, [r.population for r in scenario.regions])


def region_knobs(scenario: Scenario, name: str) -> dict:
    """The kernel settings of rules C (clashes) and D (defection) in region ``name``."""
    d = scenario.defection
    defects = d.regions == "all" or name in d.regions
    return {"clash_ratio": scenario.clashes.ratio, "clash_probability": scenario.clashes.probability,
            "defection_probability": d.probability if defects else 0.0, "defection_ratio": d.ratio,
            "defect_to_join": d.join}


def run_scenario(scenario: Scenario, seed=0, threads: int | None = None) -> ScenarioRun:
    """Run the scenario once from ``seed`` (an int or a ``SeedSequence``), its regions
    stepped on ``threads`` threads at once (default: the available cores; between steps
    they exchange news; they are built on those threads too). The run is the same for any
    number of threads."""
    threads = threads or available_cores()
    regions = build_regions(scenario, seed, threads)
    by_name = {r.name: r for r in regions}
    controls = {r.name: r.controls for r in regions}
    actions = compile_timeline(scenario)
    n, steps = len(regions), scenario.steps
    counts = np.zeros((n, steps + 1, len(COUNT_COLUMNS)), np.int64)
    cops = np.zeros((n, steps + 1), np.int64)
    legitimacy = np.zeros((n, steps + 1))
    arrest_constant = np.zeros((n, steps + 1))
    curfew = np.zeros((n, steps + 1), bool)
    troops = np.zeros((n, steps + 1))
    grievance = np.zeros((n, steps + 1))
    kill_probability = np.zeros((n, steps + 1, len(RISK_KNOBS)))

    def note_controls(k: int, r: RegionWorld, rows: slice) -> None:
        # cops on the streets: those at the chunk's start, less any killed or defected in it
        def lost(at):  # police killed or defected so far, at these rows
            return counts[k, at, COL_SECURITY_KILLED] + counts[k, at, COL_DEFECTED]

        gone = lost(rows) - (lost(rows.start - 1) if rows.start > 0 else 0)
        cops[k, rows] = r.world.n_cops + (gone[-1] if len(gone) else 0) - gone
        legitimacy[k, rows] = r.world.params.legitimacy
        arrest_constant[k, rows] = r.world.params.arrest_constant
        curfew[k, rows] = r.controls.curfew
        troops[k, rows] = r.controls.troops
        grievance[k, rows] = r.mean_grievance()
        kill_probability[k, rows] = [r.world.agents.knobs[KNOB_NAMES.index(name)] for name in RISK_KNOBS]

    for k, r in enumerate(regions):
        counts[k, 0] = r.world.detailed_counts()
        note_controls(k, r, slice(0, 1))
    news = NewsWire(scenario, regions)
    stepper = WorldStepper(threads)
    t, i = 1, 0
    while t <= steps:
        i, touched = apply_due(actions, i, t, controls)
        for name in touched:
            by_name[name].sync()
        news.update(counts[:, t - 1])
        stop = actions[i].step if i < len(actions) else steps + 1
        if news.on:
            stop = t + 1  # news and backlash are read every step
        for k, rows in enumerate(stepper.run([r.world for r in regions], stop - t)):
            counts[k, t:stop] = rows
            note_controls(k, regions[k], slice(t, stop))
        t = stop
    stepper.close()
    return ScenarioRun(scenario, seed, [r.name for r in regions], counts, cops, legitimacy, arrest_constant, curfew,
                       troops, grievance, dead=count_the_dead(scenario, counts, kill_probability, seed),
                       kill_probability=kill_probability)


def run_ensemble(scenario: Scenario | list[Scenario], seeds: int, entropy: int = 0,
                 on_run_done: Callable[[int], None] | None = None, workers: int | None = None,
                 executor=None, only: list[int] | None = None,
                 on_run: Callable[[ScenarioRun], None] | None = None) -> list[ScenarioRun]:
    """``seeds`` runs of the scenario, run k from ``SeedSequence(entropy).spawn(seeds)[k]``,
    on a local process pool (``experiments.runner``; ``workers`` processes, default the
    available cores, 1 for none) or ``executor``. The same runs, whichever way. Sorted by
    run number, each knowing its ``index``; a Ctrl-C returns the runs finished so far.
    ``on_run_done(done)`` is called as each finishes, after ``on_run(run)`` (to keep it).
    A list of ``seeds`` scenarios gives run k its own (a particle of a posterior each, for
    ``qantar run --posterior``). ``only``: run just these run numbers (to resume). Each
    run steps its regions on the cores its process leaves (``runner.threads_per_run``;
    one thread a run on an ``executor``), so the cores are never oversubscribed."""
    seeds_of = children(entropy, seeds)
    scenarios = scenario if isinstance(scenario, list) else [scenario] * seeds
    numbers = list(range(seeds)) if only is None else sorted(only)

    def keep(k: int, run: ScenarioRun) -> None:
        run.index = numbers[k]
        if on_run:
            on_run(run)

    threads = 1 if executor is not None else threads_per_run(len(numbers), workers)
    finished = run_tasks(run_scenario, [(scenarios[n], seeds_of[n], threads) for n in numbers], workers=workers,
                         executor=executor, on_result=keep,
                         on_done=(lambda k, done: on_run_done(done)) if on_run_done else None)
    return [finished[k] for k in sorted(finished)]
