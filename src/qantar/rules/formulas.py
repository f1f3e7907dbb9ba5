"""The formulas of Model I, one function per rule of ``docs/model.md``.

They are compiled with Numba so that the engine's kernel calls them directly, and they are
plain functions for Python callers (the reference implementation calls the same ones: a
formula lives in one place; the oracle differs from the kernel in how it finds neighbours
and keeps state, which is where bugs hide).

Example:
    >>> round(arrest_probability(1, 1, 2.3, RATIO_CONTINUOUS), 3)
    0.9
    >>> is_active(grievance(0.9, 0.5), net_risk(0.1, 0.9), 0.1)
    True
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Integer codes of RuleSet.arrest_ratio, as the kernel sees them.
RATIO_CONTINUOUS = 0
RATIO_FLOOR = 1
RATIO_ROUND_HALF_EVEN = 2
ARREST_RATIO_CODES = {"continuous": RATIO_CONTINUOUS, "floor": RATIO_FLOOR, "round_half_even": RATIO_ROUND_HALF_EVEN}


@njit(cache=True)
def grievance(hardship: float, legitimacy: float, shift: float = 0.0) -> float:
    """Rule G: grievance G = H (1 - L), plus ``shift``, what a citizen learns from outside
    its vision (0 in Epstein's model; scenarios' news and blackouts set it, docs/model.md)."""
    return hardship * (1.0 - legitimacy) + shift


@njit(cache=True)
def arrest_ratio(cops: int, actives: int, mode: int) -> float:
    """The cop-to-active ratio (C/A)_v as the rule set reads it.

    ``actives`` already counts the agent itself (A >= 1). ``mode`` is one of
    RATIO_CONTINUOUS (C/A), RATIO_FLOOR (floor(C/A)), RATIO_ROUND_HALF_EVEN (round(C/A),
    ties to even as Python's ``round``).
    """
    ratio = cops / actives
    if mode == RATIO_FLOOR:
        return math.floor(ratio)
    if mode == RATIO_ROUND_HALF_EVEN:
        return np.rint(ratio)
    return ratio


@njit(cache=True)
def arrest_probability(cops: int, actives: int, k: float, mode: int) -> float:
    """Rule P: estimated arrest probability P = 1 - exp(-k (C/A)_v)."""
    return 1.0 - math.exp(-k * arrest_ratio(cops, actives, mode))


@njit(cache=True)
def net_risk(risk_aversion: float, probability: float) -> float:
    """Rule N: net risk N = R P."""
    return risk_aversion * probability


@njit(cache=True)
def feared_probability(probability: float, fear: float) -> float:
    """Rule Fear (scenarios): the chance of being taken that enters rule N, P + fear, where
    fear is the chance of being shot that a citizen reckons with wherever it stands while an
    order to fire is in force (0 without one: Epstein's P). Why: under NetLogo's floor(C/A) a
    citizen in a crowd sees P = 0 and so no risk at all; an order to fire announced on
    television reaches the crowd too (fact sheet: after the order of 7 January 2022 the
    protest ended within a day or two). The fear is fitted; no source gives it."""
    return probability + fear


@njit(cache=True)
def is_active(grievance_: float, net_risk_: float, threshold: float) -> bool:
    """Rule A: active if G - N > T, else quiet."""
    return grievance_ - net_risk_ > threshold


@njit(cache=True)
def can_be_active(grievance_: float, threshold: float) -> bool:
    """Whether rule A can make this agent active at all: G > T.

    Since N >= 0 and floating-point subtraction is monotonic, G <= T implies G - N <= T, so
    an agent failing this test is quiet whatever it sees. The kernel uses it to skip the
    neighbourhood scan; the decision is exactly rule A's.
    """
    return grievance_ > threshold


@njit(cache=True)
def jail_term_bound(max_jail_term: int, inclusive: bool) -> int:
    """Rule J: the exclusive upper bound of the integer jail-term draw.

    Terms are drawn uniformly from ``0..J_max-1`` (NetLogo's ``random J_max``) or
    ``0..J_max`` (Mesa's ``randint(0, J_max)``, our reading of the paper's U(0, J_max)).
    With J_max = 0 and the exclusive range, the term is 0.
    """
    if inclusive:
        return max_jail_term + 1
    return max(max_jail_term, 1)
