"""What each of Epstein (2002)'s claims looks like in one run's series, as numbers.

Each function reads one run: counts (Model I: steps x 3, quiet, active, jailed; Model II:
per group, then killed, died, born; row 0 = initial state) and, where the claim needs them, the legitimacy and number of cops each step ran
with. It returns plain numbers that can be averaged over seeds and compared with the
paper's (``summarize_over_seeds``). The verdicts themselves belong to the reproduction
report, which states the paper's value next to these.

Example:
    >>> import numpy as np
    >>> counts = np.array([[100, 0, 0], [90, 10, 0], [40, 60, 0], [80, 5, 15], [85, 0, 15]])
    >>> m = measure_shift(counts, from_step=2, threshold=50)
    >>> m["peak_active_after"], m["exploded"], m["final_jailed"]
    (60, True, 15)
"""

from __future__ import annotations

import numpy as np

from qantar.analysis.outbursts import find_outbursts, waiting_times
from qantar.engine.state import ACTIVE, QUIET


def measure_punctuated(counts, threshold: float) -> dict:
    """Run 2: outbursts, the calm between them, and their size.

    Waiting times are counted between complete outbursts, and total activation (the sum of
    actives over an outburst's steps) over complete ones only, as the paper's figures do.
    """
    active = np.asarray(counts)[:, 1]
    found = find_outbursts(active, threshold)
    complete = [o for o in found if o.complete]
    return {
        "outbursts": len(found),
        "peak_active": int(active.max()),
        "calm_share": float(np.mean(active <= threshold)),
        "waiting_times": waiting_times(complete).tolist(),
        "activations": [o.total for o in complete],
        "outburst_peaks": [o.peak for o in complete],
    }


def measure_shift(counts, from_step: int, threshold: float) -> dict:
    """Runs 3 and 4: what follows a change of legitimacy that starts at ``from_step``.

    The peak of actives from that step on, whether it passes the outburst threshold (an
    explosion), the number of steps above it, and the jailed at the end.
    """
    counts = np.asarray(counts)
    after = counts[from_step:, 1]
    return {
        "peak_active_after": int(after.max()),
        "peak_step": int(from_step + np.argmax(after)),
        "exploded": bool(after.max() > threshold),
        "steps_above_threshold": int(np.sum(after > threshold)),
        "final_jailed": int(counts[-1, 2]),
    }


def measure_tipping(counts, cops, from_step: int, threshold: float) -> dict:
    """Run 5: the first step from ``from_step`` on when actives pass the threshold, and how
    many cops there were then (None if it never tips)."""
    counts = np.asarray(counts)
    cops = np.asarray(cops)
    above = np.flatnonzero(counts[from_step:, 1] > threshold)
    tipped = len(above) > 0
    step = int(from_step + above[0]) if tipped else None
    return {
        "tipped": tipped,
        "tipping_step": step,
        "cops_at_tipping": int(cops[step]) if tipped else None,
        "cops_at_start": int(cops[0]),
        "peak_active": int(counts[from_step:, 1].max()),
        "final_jailed": int(counts[-1, 2]),
    }


def measure_deception(states, cops_seen, aggrieved) -> dict:
    """Run 1: do aggrieved citizens hide while a cop is in sight, and act when it leaves?

    ``states`` and ``cops_seen`` are (steps + 1) x citizens: each citizen's state and the
    cops in its vision after each step (row 0: the start). ``aggrieved`` marks the citizens
    with G > T, who would be active if no cop could see them (P = 0).

    - ``turned_active``: quiet-to-active changes over the run.
    - ``share_after_cop_left``: the share of those where the citizen had a cop in sight
      after the previous step and has none now. Citizens do not move in run 1, so only a
      cop's move changes what they see.
    - ``base_share_cop_left``: for comparison, how often a cop leaves the sight of a quiet
      aggrieved citizen from one step to the next, whether it then turns active or not.
      Deception shows as ``share_after_cop_left`` well above this base rate.
    - ``hidden_share``: on average over steps, the share of free aggrieved citizens that
      are quiet with a cop in sight.
    """
    states = np.asarray(states)
    cops_seen = np.asarray(cops_seen)
    aggrieved = np.asarray(aggrieved, bool)
    turned = (states[:-1] == QUIET) & (states[1:] == ACTIVE)
    cop_left = (cops_seen[:-1] > 0) & (cops_seen[1:] == 0)
    free_aggrieved = (states <= ACTIVE) & aggrieved
    hidden = (states == QUIET) & aggrieved & (cops_seen > 0)
    per_step = hidden.sum(axis=1) / np.maximum(1, free_aggrieved.sum(axis=1))
    n = int(turned.sum())
    waiting = (states[:-1] == QUIET) & aggrieved
    return {
        "turned_active": n,
        "share_after_cop_left": float((turned & cop_left).sum() / n) if n else 0.0,
        "base_share_cop_left": float((waiting & cop_left).sum() / max(1, waiting.sum())),
        "hidden_share": float(per_step.mean()),
        "mean_active": float((states == ACTIVE).sum(axis=1).mean()),
    }


def measure_groups(counts, from_step: int = 0) -> dict:
    """Runs 6-8 and the peacekeepers (Model II): does a group die out, when, who is left,
    and how much killing there is. ``counts`` has the columns of
    ``engine.intergroup_state.COLUMNS`` (row 0 = initial).

    - ``extinct_step``: the first step after which a group has no living member (None if
      both live to the end); ``victor``: the surviving group, 0 (blue) or 1 (green).
    - ``both_alive_at_end``; ``final_blue``, ``final_green``: living citizens at the end.
    - ``killed``: kills over the run; ``kills_per_step``: kills per step while both groups
      lived, from ``from_step`` on (the peacekeepers' effect is measured after they arrive).
    """
    counts = np.asarray(counts)
    blue, green = counts[:, 0:3].sum(axis=1), counts[:, 3:6].sum(axis=1)
    gone = np.flatnonzero((blue == 0) | (green == 0))
    extinct = int(gone[0]) if len(gone) else None
    both = slice(from_step + 1, extinct + 1 if extinct is not None else len(counts))
    victor = None
    if extinct is not None and blue[extinct] + green[extinct] > 0:
        victor = 0 if blue[extinct] > 0 else 1
    return {
        "extinct_step": extinct,
        "victor": victor,
        "both_alive_at_end": extinct is None,
        "final_blue": int(blue[-1]),
        "final_green": int(green[-1]),
        "killed": int(counts[1:, 6].sum()),
        "kills_per_step": float(counts[both, 6].mean()) if counts[both, 6].size else 0.0,
        "peak_active": int((counts[:, 1] + counts[:, 4]).max()),
    }


def summarize_over_seeds(values) -> dict:
    """Mean, s.d., min, max and count of a list of numbers (None and NaN left out), and for
    booleans the number that are true."""
    kept = [v for v in values if v is not None and not (isinstance(v, float | np.floating) and np.isnan(v))]
    if kept and all(isinstance(v, bool | np.bool_) for v in kept):
        return {"true": int(sum(kept)), "of": len(values)}
    if not kept:
        return {"mean": None, "sd": None, "min": None, "max": None, "n": 0}
    arr = np.asarray(kept, dtype=float)
    return {
        "mean": float(arr.mean()),
        "sd": float(arr.std(ddof=1)) if len(arr) > 1 else 0.0,
        "min": float(arr.min()),
        "max": float(arr.max()),
        "n": len(arr),
    }
