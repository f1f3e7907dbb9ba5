"""Seeds that are never consumed: children of a ``SeedSequence`` made without advancing it.

``SeedSequence.spawn`` counts the children it has given out and starts the next call after
them, so spawning from a caller's sequence changes what the caller's next spawn gives: the
same seed object run twice would give two different runs. ``children`` builds the first
``n`` children directly from the sequence's entropy and spawn key, the same ones a fresh
sequence's ``spawn(n)`` gives, and leaves the sequence as it was.

Example:
    >>> import numpy as np
    >>> seq = np.random.SeedSequence(7)
    >>> a, b = children(seq, 2), children(seq, 2)
    >>> [c.spawn_key for c in a] == [c.spawn_key for c in b] == [(0,), (1,)], seq.n_children_spawned
    (True, 0)
    >>> children(3, 1)[0].generate_state(1) == np.random.SeedSequence(3).spawn(1)[0].generate_state(1)
    array([ True])
"""

from __future__ import annotations

import numpy as np


def as_sequence(seed) -> np.random.SeedSequence:
    """``seed`` as a ``SeedSequence`` (an int or None is its entropy); a sequence is taken as it is."""
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


def child(seed, k: int) -> np.random.SeedSequence:
    """The ``k``-th child of ``seed``, as a fresh sequence's ``spawn(k + 1)[k]``, without
    advancing ``seed``."""
    seq = as_sequence(seed)
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, k), pool_size=seq.pool_size)


def children(seed, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children of ``seed`` (an int or a ``SeedSequence``), as a fresh
    sequence's ``spawn(n)`` gives them, without advancing ``seed``."""
    return [child(seed, k) for k in range(n)]
