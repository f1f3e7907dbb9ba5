"""Outburst bookkeeping as the literature does it (Epstein 2002 and later replications).

An outburst starts when the number of actives exceeds a threshold and ends when it falls
below it; the default threshold is 50 actives on a 40x40 grid, scaled by area for other
grids. A count exactly at the threshold keeps the current status (in or out). For each
outburst: start and end step, peak actives, total activation (the sum of actives over its
steps); between outbursts: waiting times (steps from one's end to the next's start).

Example:
    >>> active = [0, 60, 80, 10, 0, 0, 70, 20]
    >>> [(o.start, o.end, o.peak, o.total) for o in find_outbursts(active, threshold=50)]
    [(1, 3, 80, 140), (6, 7, 70, 70)]
    >>> waiting_times(find_outbursts(active, threshold=50)).tolist()
    [3]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The literature's threshold, in actives, on Epstein's 40x40 grid.
BASE_THRESHOLD = 50
BASE_CELLS = 40 * 40


def outburst_threshold(width: int, height: int, base: float = BASE_THRESHOLD) -> float:
    """The threshold for a grid: ``base`` actives per 40x40, scaled by area.

    Example:
        >>> outburst_threshold(40, 40), outburst_threshold(80, 80)
        (50.0, 200.0)
    """
    return base * (width * height) / BASE_CELLS


@dataclass(frozen=True)
class Outburst:
    """One outburst: steps ``start`` (first above) to ``end`` (first below; exclusive)."""

    start: int
    end: int
    peak: int
    total: int
    complete: bool  # False if the run ended during it

    @property
    def duration(self) -> int:
        return self.end - self.start


def find_outbursts(active, threshold: float) -> list[Outburst]:
    """Outbursts in a series of active counts (index = step)."""
    active = np.asarray(active)
    found: list[Outburst] = []
    start = None
    for t, n in enumerate(active):
        if start is None and n > threshold:
            start = t
        elif start is not None and n < threshold:
            seg = active[start:t]
            found.append(Outburst(start, t, int(seg.max()), int(seg.sum()), True))
            start = None
    if start is not None:
        seg = active[start:]
        found.append(Outburst(start, len(active), int(seg.max()), int(seg.sum()), False))
    return found


def waiting_times(outbursts: list[Outburst]) -> np.ndarray:
    """Calm spells between consecutive outbursts: next start minus previous end."""
    return np.array([b.start - a.end for a, b in zip(outbursts, outbursts[1:])], dtype=np.int64)


def summarize(active, jailed, threshold: float) -> dict[str, float]:
    """The usual one-run summary: mean and peak actives, outbursts, jailed at the end and on
    average, share of calm steps (actives at or below the threshold).

    Example:
        >>> summarize([0, 60, 80, 10], [0, 0, 5, 30], threshold=50)["outbursts"]
        1
    """
    active = np.asarray(active)
    jailed = np.asarray(jailed)
    found = find_outbursts(active, threshold)
    waits = waiting_times(found)
    return {
        "mean_active": float(active.mean()),
        "peak_active": int(active.max()),
        "outbursts": len(found),
        "mean_activation_per_outburst": float(np.mean([o.total for o in found])) if found else 0.0,
        "mean_waiting_time": float(waits.mean()) if len(waits) else float("nan"),
        "calm_share": float(np.mean(active <= threshold)),
        "final_jailed": int(jailed[-1]),
        "mean_jailed": float(jailed.mean()),
    }
