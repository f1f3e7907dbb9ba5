"""The scenario mechanisms' formulas, one function per rule of docs/model.md ("Scenarios").

Pure functions on arrays, like ``formulas``; the scenario runner
(``experiments.scenario_run``) calls them between steps and pushes their results into each
region's world.

Example:
    >>> import numpy as np
    >>> links = link_matrix(["A", "B", "C"], [("A", "B", 1.0)])
    >>> news = news_received(np.array([0.1, 0.0, 0.0]), links, own=0.0, linked=1.0, national=0.0)
    >>> news.round(3).tolist()          # B hears of A's protest; C, linked to nobody, hears nothing
    [0.0, 0.1, 0.0]
"""

from __future__ import annotations

import math

import numpy as np


def link_matrix(regions: list[str], links: list[tuple[str, str, float]]) -> np.ndarray:
    """Symmetric matrix of link weights between regions (0 where unlinked)."""
    index = {name: k for k, name in enumerate(regions)}
    w = np.zeros((len(regions), len(regions)))
    for a, b, weight in links:
        w[index[a], index[b]] = w[index[b], index[a]] = weight
    return w


def news_received(shares: np.ndarray, links: np.ndarray, own: float, linked: float, national: float,
                  populations: np.ndarray | None = None) -> np.ndarray:
    """Rule News: what each region learns of protest beyond its citizens' vision.

    ``own`` x its own active share, plus ``linked`` x the mean over its links of (weight x
    the linked region's share), plus ``national`` x the national share (population-weighted
    when ``populations`` are given). Shares are of the previous step.
    """
    degree = np.count_nonzero(links, axis=1)
    from_links = np.divide(links @ shares, degree, out=np.zeros_like(shares), where=degree > 0)
    weights = populations if populations is not None else np.ones_like(shares)
    national_share = float(np.dot(shares, weights) / weights.sum())
    return own * shares + linked * from_links + national * national_share


def news_memory(heard: np.ndarray, shares: np.ndarray, half_life_steps: float) -> np.ndarray:
    """Rule News' lag: what the media carry is the active shares smoothed exponentially, the
    weight of a step's share halving every ``half_life_steps`` steps (0: no lag, the shares
    as they are). Word of a protest takes time to spread, and lingers after it.

    Example:
        >>> news_memory(np.array([0.0]), np.array([1.0]), 1.0).tolist()   # half the news in one half-life
        [0.5]
    """
    if half_life_steps <= 0:
        return shares
    keep = 0.5 ** (1.0 / half_life_steps)
    return keep * heard + (1.0 - keep) * shares


def grievance_shift(news: np.ndarray, gain: float, channel: np.ndarray, anger: np.ndarray) -> np.ndarray:
    """Rule Shutdown: the grievance every citizen of a region adds to H (1 - L): ``gain`` x
    the channel's strength (1 open, 0 cut) x the news, plus the anger a shutdown causes."""
    return gain * channel * news + anger


def faded_anger(anger: float, start_hours: float, end_hours: float, half_life_hours: float | None) -> float:
    """Rule Shutdown, fading anger: the grievance a shutdown adds over a step that runs from
    ``start_hours`` to ``end_hours`` after the shutdown began, when its anger halves every
    ``half_life_hours`` (people get used to being cut off, or find ways round it). The mean
    over the step, not its value at one instant, so the step length does not change the
    anger a day holds. ``None``: the anger holds while the shutdown lasts.

    Example:
        >>> round(faded_anger(0.02, 0.0, 1e-9, 24.0), 6), round(faded_anger(0.02, 24.0, 24.0 + 1e-9, 24.0), 6)
        (0.02, 0.01)
        >>> faded_anger(0.02, 0.0, 6.0, None)
        0.02
    """
    if half_life_hours is None:
        return anger
    rate = math.log(2.0) / half_life_hours
    span = end_hours - start_hours
    return anger * (math.exp(-rate * start_hours) - math.exp(-rate * end_hours)) / (rate * span)


def sweep_probability(rate_per_day: float, step_hours: float) -> float:
    """Rule Sweeps: the chance that a free citizen who has protested is detained in one step
    of ``step_hours``, when sweeps detain such citizens at ``rate_per_day``. The chance of a
    Poisson process, so that a day of steps detains the same share, 1 - exp(-rate), at any
    step length.

    Example:
        >>> p4, p8 = sweep_probability(0.5, 6.0), sweep_probability(0.5, 3.0)
        >>> round(1 - (1 - p4) ** 4, 12) == round(1 - (1 - p8) ** 8, 12) == round(1 - math.exp(-0.5), 12)
        True
    """
    return 1.0 - math.exp(-rate_per_day * step_hours / 24.0)


def participating(grievance_part, participation: float):
    """Rule Participation: in a region of ``participation`` p, each part of a citizen's
    grievance (its hardship after events, and the news, anger and backlash added to it) is
    p times the region's own, so G = p [H (1 - L) + shift]. Why: the rest of a unit, its
    small towns and villages, protest less than its cities (1: as a city; a fitted value,
    the sources give none).

    Example:
        >>> participating(np.array([0.4, 0.1]), 0.5).tolist()
        [0.2, 0.05]
    """
    return participation * grievance_part


def backlash_shift(killed_share: np.ndarray, per_share: float) -> np.ndarray:
    """Rule Backlash: the grievance a region's citizens add for the killings they know of:
    ``per_share`` x the share of its citizens killed so far (after Bennett 2008)."""
    return per_share * killed_share


def fed_back_legitimacy(base: np.ndarray, jailed_share: np.ndarray, killed_share: np.ndarray,
                        quiet_change: np.ndarray, jailed: float, killed: float, quiet: float) -> np.ndarray:
    """Rule Legitimacy feedback (after Lemos, Lopes & Coelho 2016; this linear form is
    qantar's): the events' L less ``jailed`` x the jailed share and ``killed`` x the
    civilians-killed share, plus ``quiet`` x the change of the quiet share since the start,
    clipped to [0, 1]."""
    return np.clip(base - jailed * jailed_share - killed * killed_share + quiet * quiet_change, 0.0, 1.0)


def people_killed(at_risk: np.ndarray, people: float, kill_probability: np.ndarray, death_probability: float | None,
                  rng: np.random.Generator) -> np.ndarray:
    """Rule Casualties: the people who die among ``at_risk`` agents put at risk (an array of
    counts, e.g. per step: actives an enforcement took under lethal force, or cop turns
    outnumbered in a clash), where the kernel kills such an agent with ``kill_probability``
    (the same shape, or one number). An agent stands for ``people`` people (at_risk x people
    is rounded to whole people); each of them is killed on their own with that probability
    and then dies with ``death_probability`` (None: 1): one binomial draw per count,
    Binomial(at_risk x people, kill x death).

    Why the people at risk and not the agents the kernel killed: the expected toll is the
    same, but a run kills a dozen agents of the country's toll at 20 people an agent, so a
    count of those moved by a whole agent's people at a time and its spread between runs
    fell with the scale; drawn for each person at risk, the toll's spread is that of a run
    at one person an agent, at any scale. The kernel's own killings, agent by agent, still
    take crowds and units off the streets (the dynamics).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> people_killed(np.array([0, 2, 1]), 200, 1.0, None, rng).tolist()     # certain death
        [0, 400, 200]
        >>> round(int(people_killed(np.array([10_000]), 200, 0.1, 0.25, rng)[0]) / 10_000)  # 200 x 0.025
        5
    """
    persons = np.rint(np.asarray(at_risk, np.int64) * people).astype(np.int64)
    p = np.asarray(kill_probability, float) * (1.0 if death_probability is None else death_probability)
    return rng.binomial(persons, p)
