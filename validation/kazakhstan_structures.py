"""Structures tried against the path of January 2022 (issue 12): each is the built-in
kazakhstan-2022 with some rules switched on, calibrated by ABC-SMC (``qantar calibrate``'s
method) over the parameters the structure changes the meaning of, then judged like the
built-in: the particle with the smallest distance on fresh runs, as a 20-run ensemble,
target by target, beside the built-in's own 20 runs (the same seeds).

Structures:

- ``exposure-ramp``: the LPG price rise, the Mangystau cap and the national caps reach only
  a share of the citizens (rule Exposure: those who buy LPG; the caps undo the rise for the
  same people), and the rise phases in over ``ramp_hours`` (people feel it as they refuel).
  Free: that share, the ramp, the sizes of the rise and the caps, the news gain, the
  blackout's anger, the legitimacy the CSTO costs, and L (with the calm-start ceiling).
- ``exposure-ramp-restraint``: the same, with police who hold back before the state of
  emergency (a low arrest constant, multiplied under the emergencies: about 20 detained by
  4 January, thousands after 6 January), and the toll's two probabilities free.

- ``country-fading``: ``country`` with the blackout's anger fading (rule Shutdown, its
  half-life free, the anger's range wider since it no longer lasts) and fire in Almaty before
  the order of 7 January (seed 002: the order came "after over 160 people were killed, a
  majority in Almaty"; the interior ministry's 8 security dead by 5 January): an order-to-fire
  event in Almaty only, from midday on 5 January (the akimat stormed; hour not given) to the
  order, its probability free. The event was fitted appended to the built-in
  (``NAME.toml`` beside the structure's folder); since country-fear's adoption it is in the
  built-in.

- ``country-fear``: ``country-fading`` with the order of 7 January feared (rule Fear: while
  it is in force every citizen's net risk is R (P + fear), in crowds too, where NetLogo's
  floor(C/A) gives P = 0), its fear free: a mechanism of calm that is not the blackout's
  anger ending (after the order the protest ended within a day or two; fact sheet).

- ``country-start``: the adopted ``country-fear`` with the start refitted: one LPG rise for
  all of Mangystau, Zhanaozen's own L lower (December 2011; its hardship ceiling follows),
  the rise felt over 12-96 hours, the rise elsewhere, the Mangystau cap and the news free;
  judged against the target ``none-1-jan`` too (added with it: protest began on 2 January).

- ``country-start-calm``: ``country-start``'s chosen point with the 8 parameters of
  ``country-fear`` (the police, the order and its fear, the fire in Almaty, the toll) and
  the national caps refitted.

- ``country-start-hold``: ``country-start-calm``'s chosen point with the crowd held up to
  5-7 January: the caps undo at most the rise, the rise felt over up to five days, the armed
  groups of 5 January in Almaty and the government's resignation free, with the order's
  fear and the news; ``country-start-hold-calm`` its second step (the police, the toll, the
  order and the CSTO's legitimacy).

- ``country-sweeps``: the built-in with rule Sweeps, from the order of 7 January to the end
  of the state of emergency (an event appended, ``EXTRA_EVENTS``), its rate free;
  ``country-sweeps-narrow`` the same over a narrower range with more particles;
  ``country-sweeps-stage`` the same fitted to the three targets the rate moves
  (``FIT_TARGETS``), three runs a particle.

- ``country-toll-stage``: the built-in with country-start-hold-calm adopted, the toll's two
  probabilities (rule Casualties) fitted to the dead's four targets only: they count the dead
  after the run and move nothing else.

- ``country-resistance-stage``: the built-in with the toll's stage adopted, the armed
  groups of Almaty fighting back (rule Resistance) with the fire in Almaty, the order's
  probability and the toll's two probabilities, fitted to the dead's five targets.

- ``country-daytime``: the built-in with a ``daytime`` event appended (rule Daytime: the
  crowd thinned from 7 to 18 every day), its ``away``, the rise outside Mangystau, Almaty's
  armed groups, Almaty's fire and the security death, fitted to all targets (2026-12-08).

- ``country``: the whole country (the rest of each unit protesting less by one fitted
  factor, rule Participation), exposure and the ramp as above, police who hold back (rule
  Restraint: an arrest rate before the emergencies and another under them), the order to
  fire's probability and the toll's two probabilities. Fitted at ``--scale`` people an agent
  (``scale`` is then a fixed assignment of the calibration and of every judged run).

Each structure is the built-in of its fit's commit (the page names it) with changes: the
built-in has since taken ``country-fear``'s point and its event (2026-12-07), so rerunning an
older structure today fits it from those values; check out the page's commit to reproduce it.

Each calibration is kept in ``validation/results/structures/NAME/`` (resumable: the same
command continues it); the page is ``docs/validation/kazakhstan-2022-structures.md``; the
chosen particle of each judged structure, as the built-in would carry it, is
``validation/results/structures/best-NAME.json``.

Usage::

    python validation/kazakhstan_structures.py [--population N] [--generations 5]
        [--max-runs 1500] [--top 10] [--top-seeds 5] [--seeds 20] [--stage calibrate|judge|all]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibrate_kazakhstan as lhs  # noqa: E402  (calm_ceiling, SCENARIO)
from calibrate_kazakhstan_abc import calibrate_shown  # noqa: E402

from qantar import __version__  # noqa: E402
from qantar.analysis.scenario_measures import judge_target, measure_run  # noqa: E402
from qantar.experiments.calibration import Parameter  # noqa: E402
from qantar.experiments.scenario_run import run_ensemble  # noqa: E402
from qantar.scenario.load import load_scenario  # noqa: E402
from qantar.scenario.units import kazakhstan_units  # noqa: E402
from qantar.storage.series import git_commit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "validation" / "results" / "structures"
PAGE = ROOT / "docs" / "validation" / "kazakhstan-2022-structures.md"
LPG_EVENTS = ("lpg-price", "mangystau-cap", "national-caps")

STRUCTURES = {
    "exposure-ramp": [
        Parameter("lpg_share", tuple(f"events.{e}.share" for e in LPG_EVENTS), 0.01, 1.0, log=True,
                  note="share of the citizens the LPG rise and the caps reach (rule Exposure)"),
        Parameter("lpg_ramp_hours", ("events.lpg-price.ramp_hours",), 0.0, 48.0,
                  note="hours over which the rise is felt"),
        Parameter("lpg_zhanaozen", ("events.lpg-price.by_region.Zhanaozen",), 0.01, 0.6, log=True,
                  note="hardship added in Zhanaozen"),
        Parameter("lpg_aktau", ("events.lpg-price.by_region.Aktau",), 0.01, 0.6, log=True,
                  note="hardship added in Aktau"),
        Parameter("lpg_elsewhere", ("events.lpg-price.add",), 0.0, 0.3, note="hardship added elsewhere"),
        Parameter("mangystau_cap", ("events.mangystau-cap.add",), -0.6, 0.0, note="the cap of 4 Jan in Mangystau"),
        Parameter("national_caps", ("events.national-caps.add",), -0.6, 0.0, note="the caps of 6 Jan"),
        Parameter("news_gain", ("news.gain",), 0.005, 1.0, log=True, note="grievance per unit of news"),
        Parameter("shutdown_anger", ("events.shutdown.anger",), 0.0, 0.03, note="grievance the blackout adds"),
        Parameter("csto_legitimacy", ("events.csto.legitimacy",), -0.1, 0.0, note="L lost as foreign troops land"),
        Parameter("legitimacy", ("model.legitimacy",), 0.60, 0.90, derived=(("model.hardship.high", lhs.calm_ceiling),),
                  note="L everywhere; the hardship ceiling follows"),
    ],
}
#: The same, with police who hold back before the state of emergency (a low arrest constant,
#: multiplied under the emergencies), and the toll's probabilities free (rule Casualties).
STRUCTURES["exposure-ramp-restraint"] = STRUCTURES["exposure-ramp"] + [
    Parameter("arrest_constant", ("model.arrest_constant",), 0.01, 2.3, log=True,
              note="k before any emergency: police holding back (2.3 in Epstein's runs)"),
    Parameter("emergency_arrests", tuple(f"events.{e}.arrest_factor" for e in lhs.EMERGENCIES), 1.0, 100.0, log=True,
              note="k multiplied under the states of emergency"),
    Parameter("civilian_death", ("casualties.civilian_death_probability",), 0.005, 1.0, log=True,
              note="each person of a civilian agent shot dies with it"),
    Parameter("security_death", ("casualties.security_death_probability",), 0.005, 1.0, log=True,
              note="each officer of a cop agent overrun dies with it"),
]


#: The regions that are the rest of a unit (rule Participation): the built-in's regions that
#: are not a city of the units table (as the built-in's test of the whole country has it).
REST_REGIONS = tuple(r.name for r in load_scenario(lhs.SCENARIO).regions
                     if r.name not in {c["name"] for c in kazakhstan_units()["cities"]})
STRUCTURES["country"] = [p for p in STRUCTURES["exposure-ramp"] if p.name not in ("lpg_aktau", "csto_legitimacy")] + [
    Parameter("lpg_mangystau", ("events.lpg-price.by_region.Aktau", "events.lpg-price.by_region.Mangystau-Region-rest"),
              0.01, 0.6, log=True, note="hardship added in Aktau and the rest of Mangystau"),
    Parameter("participation", tuple(f"regions.{r}.participation" for r in REST_REGIONS), 0.05, 1.0, log=True,
              note="grievance in the rest of each unit, times (rule Participation)"),
    Parameter("arrest_rate", ("restraint.arrest_rate",), 0.001, 1.0, log=True,
              note="chance a turn that a cop with actives in sight acts, before the emergencies (rule Restraint)"),
    Parameter("emergency_arrest_rate", tuple(f"events.{e}.arrest_rate" for e in lhs.EMERGENCIES), 0.01, 1.0,
              log=True, note="the same under the states of emergency"),
    Parameter("lethal_probability", ("events.lethal-force.probability",), 0.005, 0.5, log=True,
              note="an enforcement kills instead of arresting, from 7 Jan"),
    Parameter("civilian_death", ("casualties.civilian_death_probability",), 0.005, 1.0, log=True,
              note="each person of a civilian agent shot dies with it"),
    Parameter("security_death", ("casualties.security_death_probability",), 0.005, 1.0, log=True,
              note="each officer of a cop agent overrun dies with it"),
]


#: The country with the blackout's anger fading and fire in Almaty before the order (see the
#: module's docstring): the blackout's anger is the anger when it begins, so its range is wider.
STRUCTURES["country-fading"] = [p for p in STRUCTURES["country"] if p.name != "shutdown_anger"] + [
    Parameter("shutdown_anger", ("events.shutdown.anger",), 0.0, 0.08, note="grievance the blackout adds as it begins"),
    Parameter("anger_half_life", ("events.shutdown.anger_half_life_hours",), 1.0, 240.0, log=True,
              note="hours in which the blackout's anger halves (rule Shutdown)"),
    Parameter("almaty_fire", ("events.almaty-fire.probability",), 0.001, 0.5, log=True,
              note="an enforcement in Almaty kills instead of arresting, 5 Jan midday to the order"),
]

#: The fading country with the order to fire feared (rule Fear): a mechanism of calm of its
#: own, after the fading blackout's anger left the fit without one (2026-12-03). Its other
#: parameters start from ``country-fading``'s chosen point (``STARTS``); free are those the
#: order, the toll and the police act through, so that 160 particles weigh 8 parameters, not 19.
STRUCTURES["country-fear"] = [p for p in STRUCTURES["country-fading"]
                              if p.name in ("arrest_rate", "emergency_arrest_rate", "lethal_probability",
                                            "civilian_death", "security_death", "almaty_fire")] + [
    Parameter("order_fear", ("events.lethal-force.fear",), 0.001, 0.3, log=True,
              note="chance of being shot citizens reckon with under the order of 7 Jan (rule Fear)"),
    Parameter("clash_probability", ("clashes.probability",), 0.001, 0.5, log=True,
              note="a cop outnumbered beyond the clash ratio is overrun, per turn (rule Clashes)"),
]
#: The start refitted (2026-12-07) from the adopted country-fear point, which starts in Aktau
#: from the first hours of 1 January (28,620 out in the country; protest began on 2 January
#: in Zhanaozen): one LPG rise for all of Mangystau (the same price there), Zhanaozen's own L
#: lower (the shooting of December 2011 there, seeds 002 and 003; its hardship ceiling
#: follows, so it too is calm before the rise), the rise felt over 12 hours or more (people
#: meet the price as they refuel), and the news that carries the protest to the other cities.
STRUCTURES["country-start"] = [p for p in STRUCTURES["exposure-ramp"]
                               if p.name in ("lpg_share", "lpg_elsewhere", "mangystau_cap", "news_gain")] + [
    Parameter("lpg_ramp_hours", ("events.lpg-price.ramp_hours",), 12.0, 96.0,
              note="hours over which the rise is felt (people meet the price as they refuel)"),
    Parameter("lpg_mangystau", ("events.lpg-price.by_region.Zhanaozen", "events.lpg-price.by_region.Aktau",
                                "events.lpg-price.by_region.Mangystau-Region-rest"), 0.01, 0.6, log=True,
              note="hardship added in all of Mangystau (Zhanaozen, Aktau and the rest)"),
    Parameter("zhanaozen_legitimacy", ("regions.Zhanaozen.legitimacy",), 0.40, 0.670643,
              derived=(("regions.Zhanaozen.hardship.high", lhs.calm_ceiling),),
              note="L in Zhanaozen (December 2011), at most the country's; its hardship ceiling follows"),
    Parameter("news_national", ("news.national",), 0.0, 1.0,
              note="weight of the national news against a linked city's"),
]

#: The second step of country-start (as country-fear was of country-fading): from its chosen
#: point, whose crowds come a day early and calm on 7 January, the parameters the calm, the
#: police and the toll act through, with the national caps of 6 January (which undo the rise
#: outside Mangystau) free too.
STRUCTURES["country-start-calm"] = STRUCTURES["country-fear"] + [
    p for p in STRUCTURES["exposure-ramp"] if p.name == "national_caps"]

#: The third step of the start (2026-12-07, second session): from country-start-calm's point,
#: whose crowd peaks on 4 January and falls a day early, the crowd held up to 5-7 January.
#: The caps undo at most the rise they answer (the price came back, the protest did not end:
#: its demands turned political; fact sheet), as a share of that rise; the rise felt over up
#: to five days; the crowd of 5 January in Almaty carried by the armed groups of that day
#: (event ``provocateurs``) and the government's resignation; with the order's fear and the
#: news free, so that the calm is fitted in the same fit as the peak.
_START = json.loads((RESULTS / "best-country-start.json").read_text())["values"]
STRUCTURES["country-start-hold"] = [
    Parameter("mangystau_cap_share", (), 0.0, 1.0,
              derived=(("events.mangystau-cap.add", lambda f: -f * _START["lpg_mangystau"]),),
              note="share of the Mangystau rise the cap of 4 Jan undoes"),
    Parameter("national_caps_share", (), 0.0, 1.0,
              derived=(("events.national-caps.add", lambda f: -f * _START["lpg_elsewhere"]),),
              note="share of the rise elsewhere the caps of 6 Jan undo"),
    Parameter("lpg_ramp_hours", ("events.lpg-price.ramp_hours",), 24.0, 120.0,
              note="hours over which the rise is felt (people meet the price as they refuel)"),
    Parameter("provocateurs", ("events.provocateurs.people",), 500.0, 20000.0, log=True,
              note="armed groups in Almaty, 5-7 Jan (people)"),
    Parameter("government_resigns", ("events.government-resigns.add",), -0.05, 0.05,
              note="L changed by the government's resignation on 5 Jan"),
] + [p for p in STRUCTURES["country-fear"] if p.name == "order_fear"] + [
    p for p in STRUCTURES["exposure-ramp"] if p.name == "news_gain"]

#: The fourth step of the start (2026-12-07, second session): from country-start-hold's
#: point, whose crowd keeps growing until the order of 7 January, the police, the toll, the
#: order and its fear (country-fear's 8) refitted with the legitimacy the CSTO's arrival on 6
#: January costs or wins, as what could stop the growth after 5 January.
STRUCTURES["country-start-hold-calm"] = STRUCTURES["country-fear"] + [
    Parameter("csto_legitimacy", ("events.csto.legitimacy",), -0.1, 0.1,
              note="L changed as foreign troops land on 6 Jan (lost, or won back by order)"),
]

#: The built-in with rule Sweeps (2026-12-07): police detain at home those who protested,
#: from the order of 7 January (the counter-terrorist operation) to the end of the state of
#: emergency, at a fitted rate (the event `sweeps`, in the built-in since 2026-12-07): the detained went on rising
#: to about 10,000 after the protest ended on 8 January (fact sheet; seed 004).
STRUCTURES["country-sweeps"] = [
    Parameter("sweep_rate", ("events.sweeps.rate_per_day",), 0.001, 2.0, log=True,
              note="detentions a day per free citizen who has protested (rule Sweeps)"),
]

#: ``country-sweeps`` again with the rate's range narrowed around what its fit showed (0.0225
#: a day gave 13,550 detained at 50 people an agent against 9,500-12,000; 4,650 without), with
#: more particles (2026-12-07, second session).
STRUCTURES["country-sweeps-narrow"] = [
    Parameter("sweep_rate", ("events.sweeps.rate_per_day",), 0.004, 0.06, log=True,
              note="detentions a day per free citizen who has protested (rule Sweeps)"),
]

#: The same rate fitted as a stage (2026-12-07, second session): to the targets it moves only
#: (``FIT_TARGETS``), with three runs a particle, since over all 25 targets the two fits above
#: chose rates 0.0225 and 0.0075 by the others' noise from run to run.
STRUCTURES["country-sweeps-stage"] = STRUCTURES["country-sweeps-narrow"]

#: The toll fitted as a stage (2026-12-07, third session), from the built-in with
#: country-start-hold-calm adopted: its dead are 56 against 225-238 and its security dead 24
#: against 18-19. Rule Casualties counts the dead after the run (since the fourth session of
#: 2026-12-07 from the people put at risk, before from the agents killed), so these two
#: probabilities move the toll in people and nothing else (no crowd, no arrest, no backlash:
#: the backlash reads the agents killed). Fitted to the dead's targets only.
STRUCTURES["country-toll-stage"] = [p for p in STRUCTURES["country-fear"]
                                    if p.name in ("civilian_death", "security_death")]

#: The armed groups of Almaty fight back (rule Resistance, 2026-12-07, fifth session), from
#: the built-in with the toll's stage adopted: its officers die where crowds outnumber them,
#: on 3-6 January in Mangystau (8 security dead, 7 of them by 5 January), while the reported
#: security dead rose from 8 on 5 January to 18-19 from 7 January. Armed provocateurs kill
#: the cops who take them on, but so the police shoot fewer civilians (resistance 0.3 gave 170
#: civilian dead instead of 219, with the civilian death already near 1): the fire in Almaty
#: and the order's probability are free with it, fitted to the dead's five targets.
STRUCTURES["country-resistance-stage"] = [
    Parameter("resistance", ("events.provocateurs.resistance",), 0.02, 1.0, log=True,
              note="an enforcement against an armed provocateur kills the cop instead (rule Resistance)"),
] + [p for p in STRUCTURES["country-fear"]
     if p.name in ("civilian_death", "security_death", "almaty_fire", "lethal_probability")]

#: The day's obligations thin the crowds by day (rule Daytime, 2026-12-08), from the built-in:
#: its first days' crowds grow step after step, day and night (Almaty 6,270 by day on 4
#: January against about 1,000, and 7,770 that evening against more than 5,000; Zhanaozen
#: 4,060 on 3 January, Aktobe 1,790 on 4 January, 170 out on 1 January). A ``daytime`` event
#: over the whole run (``EXTRA_EVENTS``), 7 to 18 local time (the targets' "by day"), its
#: ``away`` free, with what it takes down with the crowds: the rise elsewhere (the caps of 6
#: January undo the same share of it as in the built-in), Almaty's armed groups of 5 January
#: (always active, never kept away), the fire in Almaty and the security toll.
_CAPS_SHARE = -0.045356 / 0.13995  # the built-in's caps of 6 Jan as a share of its rise elsewhere
STRUCTURES["country-daytime"] = [
    Parameter("away", ("events.daytime.away",), 0.2, 0.95,
              note="chance that one who would protest is kept away from 7 to 18 (rule Daytime)"),
    Parameter("lpg_elsewhere", ("events.lpg-price.add",), 0.05, 0.3,
              derived=(("events.national-caps.add", lambda v: _CAPS_SHARE * v),),
              note="hardship added outside Mangystau; the caps of 6 Jan undo the built-in's share of it"),
    Parameter("provocateurs", ("events.provocateurs.people",), 500.0, 20000.0, log=True,
              note="armed groups in Almaty, 5-7 Jan (people)"),
] + [p for p in STRUCTURES["country-fear"] if p.name in ("almaty_fire", "security_death")]

#: The targets a structure is fitted to and its best particle chosen by, where not all: a
#: stage of a fit, for parameters that act on few targets. It is judged on all of them.
FIT_TARGETS = {"country-sweeps-stage": ["detained", "detained-7-jan", "calm"],
               "country-toll-stage": ["killed", "security-killed", "security-killed-5-jan", "killed-9-jan"],
               "country-resistance-stage": ["killed", "security-killed", "security-killed-5-jan", "killed-9-jan",
                                            "killed-in-almaty"]}

#: A structure fitted from another's chosen point: that structure, whose parameters this one
#: does not free are fixed at its ``best-NAME.json`` values.
STARTS = {"country-fear": "country-fading", "country-start-calm": "country-start",
          "country-start-hold": "country-start-calm", "country-start-hold-calm": "country-start-hold"}

#: Events a structure adds to the built-in (TOML appended to it, beside the structure's
#: folder), by structure. Empty since country-fear and country-sweeps-stage were adopted
#: (2026-12-07): their events ``almaty-fire`` and ``sweeps`` are in the built-in now, in one
#: place. A structure adopted later moves its events there and leaves this table.
EXTRA_EVENTS: dict[str, str] = {"country-daytime": """
[[events]]
name = "daytime"
type = "daytime"
at = 2022-01-01T00:00:00
local_time = true
hours = [7, 18]
away = 0.8
note = "The day's work, school and households keep people from the square by day (rule Daytime): about 1,000 in Almaty by day on 4 January (RFE/RL), more than 5,000 that evening (AFP, seed 003). Away calibrated; every day alike."
source = "rfe-rl"
"""}
# The sweeps structures (country-sweeps, -narrow, -stage) were fitted with a ``sweeps`` event
# appended here (their pages show it); since country-sweeps-stage's adoption (2026-12-07) the
# event is in the built-in, and the three refit its rate there.


def scenario_of(name: str) -> str:
    """The scenario a structure is fitted to: the built-in, or the built-in with the
    structure's extra events, written to ``NAME.toml`` beside its folder."""
    if name not in EXTRA_EVENTS:
        return lhs.SCENARIO
    from importlib import resources

    text = (resources.files("qantar.scenario") / "builtin" / f"{lhs.SCENARIO}.toml").read_text()
    path = RESULTS / f"{name}.toml"  # beside its folder: a calibration's folder holds nothing else
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text + EXTRA_EVENTS[name]:
        path.write_text(text + EXTRA_EVENTS[name])
    return str(path)


def use_folders(results: Path, page: Path) -> None:
    """Keep the calibrations in ``results`` and write ``page``."""
    global RESULTS, PAGE
    RESULTS, PAGE = results, page


def calibrate_structure(name: str, args) -> None:
    """One structure's ABC-SMC, ``--population`` particles or 10 a parameter."""
    settings = argparse.Namespace(**vars(args))
    settings.population = args.population or 10 * len(STRUCTURES[name])
    calibrate_shown(STRUCTURES[name], RESULTS / name, settings, label=name, fixed=fixed_of(args, name),
                    scenario=scenario_of(name), targets=FIT_TARGETS.get(name))


def fixed_of(args, name: str | None = None) -> list[str]:
    """The assignments every run of structure ``name`` makes: the scale, when one is given,
    and, for a structure fitted from another's point (``STARTS``), the assignments of that
    point (``best-START.json``, itself with its own start's) but for the paths this structure
    frees."""
    fixed = [f"scale={args.scale:g}"] if args.scale else []
    if name in STARTS:
        start = json.loads((RESULTS / f"best-{STARTS[name]}.json").read_text())["assignments"]
        free = {path for p in STRUCTURES[name] for path in (*p.paths, *(d for d, _ in p.derived))}
        fixed += [a for a in start if a.split("=", 1)[0] not in free | {"scale"}]
    return fixed


def verdicts(assignments: list[str], seeds: int, scenario: str = lhs.SCENARIO) -> tuple[list[dict], float]:
    """The ensemble's verdicts, target by target, and the seconds it took."""
    started = time.perf_counter()
    sc = load_scenario(scenario, assignments)
    runs = run_ensemble(sc, seeds, 0)
    if len(runs) < seeds:  # a Ctrl-C: judge nothing on fewer runs than asked
        raise SystemExit(130)
    measures = [measure_run(r) for r in runs]
    return [judge_target(t, measures) for t in sc.targets], time.perf_counter() - started


def judge_structure(name: str, args) -> dict:
    """The best particle of the last generation on fresh runs, then as a 20-run ensemble."""
    from qantar.experiments.calibration import Evaluated, reevaluate
    from qantar.storage.posterior import read_posterior

    parameters = STRUCTURES[name]
    manifest, table = read_posterior(RESULTS / name)
    rows = sorted(table.to_pylist(), key=lambda r: r["distance"])[:args.top]
    names = [p.name for p in parameters]
    top = reevaluate(scenario_of(name), parameters, fixed_of(args, name),
                     [Evaluated(r["generation"], {n: r[n] for n in names}, [], {}, r["distance"]) for r in rows],
                     args.top_seeds, args.entropy, targets=FIT_TARGETS.get(name))
    if top is None:  # a Ctrl-C during the fresh runs
        raise SystemExit(130)
    chosen = top[0]
    assignments = fixed_of(args, name) + [a for p in parameters for a in p.assignments(chosen.values[p.name])]
    judged, seconds = verdicts(assignments, args.seeds, scenario_of(name))
    (RESULTS / f"best-{name}.json").write_text(json.dumps({  # what a built-in taking this fit carries
        "made_by": f"python validation/kazakhstan_structures.py {' '.join(args.command)}",
        "calibration": f"{(RESULTS / name).resolve().relative_to(ROOT)}/", "structure": name,
        f"score_on_{args.top_seeds}_fresh_runs": chosen.score, "values": chosen.values,
        "assignments": assignments}, indent=1))
    return {"structure": name, "values": chosen.values, "score": chosen.score, "assignments": assignments,
            "generations": len(manifest.get("generations", [])) or None, "verdicts": judged,
            "seconds": round(seconds, 1)}


def write_page(results: list[dict], base: list[dict], args) -> None:
    names = [t["target"] for t in base]
    header = "| target | reported | built-in | " + " | ".join(r["structure"] for r in results) + " |"
    lines = [
        "# kazakhstan-2022: structures tried",
        "",
        f"Made by `python validation/kazakhstan_structures.py {' '.join(args.command)}` (qantar {__version__}, "
        f"commit {git_commit()}). Each structure is the built-in with some rules on, calibrated by ABC-SMC over "
        "the parameters listed (its folder in `validation/results/structures/`); the particle with the "
        f"smallest distance over {args.top_seeds} fresh runs among the {args.top} best of its last generation "
        f"then runs {args.seeds} times (`SeedSequence(0).spawn({args.seeds})`, the built-in's seeds). A cell is "
        "the ensemble's value (the report's judge), then yes/no and the share of runs inside the target.",
    ]
    for r in results:
        if r["structure"] in EXTRA_EVENTS:
            lines += ["", f"`{r['structure']}` is fitted to the built-in with events appended "
                      f"(`validation/results/structures/{r['structure']}.toml`):"]
            lines += ["", "```toml", EXTRA_EVENTS[r["structure"]].strip(), "```"]
        if r["structure"] in FIT_TARGETS:
            lines += ["", f"`{r['structure']}` is fitted, and its particle chosen, on these targets only: "
                      + ", ".join(f"`{t}`" for t in FIT_TARGETS[r["structure"]]) + "; it is judged on all."]
    lines += [
        "",
        "## Targets met",
        "",
        f"- built-in: {sum(v['met'] for v in base)} of {len(base)}",
    ]
    for r in results:
        lines.append(f"- {r['structure']}: {sum(v['met'] for v in r['verdicts'])} of {len(r['verdicts'])} "
                     f"(score {r['score']:.3f} on its {args.top_seeds} fresh runs)")
    lines += ["", "## Target by target", "", header, "|---|---|---|" + "---|" * len(results)]
    for k, n in enumerate(names):
        cells = [f"{base[k]['simulated']} ({'yes' if base[k]['met'] else 'no'}, {base[k]['share']:.0%})"]
        for r in results:
            v = r["verdicts"][k]
            cells.append(f"{v['simulated']} ({'yes' if v['met'] else 'no'}, {v['share']:.0%})")
        lines.append(f"| {n} | {base[k]['reported']} | " + " | ".join(cells) + " |")
    lines += ["", "## The chosen particles", ""]
    for r in results:
        lines += [f"### {r['structure']}", "", "| parameter | value | range | what |", "|---|---:|---|---|"]
        for p in STRUCTURES[r["structure"]]:
            lines.append(f"| {p.name} | {r['values'][p.name]:.4g} | {p.low:g} to {p.high:g}{' (log)' if p.log else ''}"
                         f" | {p.note} |")
        lines += ["", "`--set` for `qantar run kazakhstan-2022`: `" + " ".join(f"--set {a}" for a in r["assignments"])
                  + "`", ""]
    PAGE.write_text("\n".join(lines) + "\n")
    (RESULTS / f"judged-{PAGE.stem}.json").write_text(json.dumps({"base": base, "structures": results}, indent=1, default=str))
    print(f"wrote {PAGE}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--structures", nargs="+", default=list(STRUCTURES), choices=list(STRUCTURES))
    ap.add_argument("--population", type=int, default=None, help="particles (default: 10 a parameter)")
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--runs-per-particle", type=int, default=1, help="runs a particle is judged on (their median)")
    ap.add_argument("--max-runs", type=int, default=1500)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--top-seeds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--entropy", type=int, default=2022)
    ap.add_argument("--scale", type=float, default=None, help="people an agent (default: the built-in's)")
    ap.add_argument("--stage", choices=["calibrate", "judge", "all"], default="all")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where the calibrations are kept")
    ap.add_argument("--page", type=Path, default=PAGE, help="the page written")
    args = ap.parse_args()
    args.command = sys.argv[1:]
    use_folders(args.results.resolve(), args.page.resolve())
    if args.stage in ("calibrate", "all"):
        for name in args.structures:
            calibrate_structure(name, args)
    if args.stage in ("judge", "all"):
        base, _ = verdicts(fixed_of(args), args.seeds)
        write_page([judge_structure(name, args) for name in args.structures], base, args)


if __name__ == "__main__":
    main()
