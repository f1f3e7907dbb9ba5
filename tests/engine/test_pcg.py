"""The kernels' inline PCG64 (engine.pcg, intrinsics.pcg64_next) draws NumPy's words."""

import numpy as np
import pytest
from numba import njit

from qantar import Params, World, rule_set
from qantar.engine.intrinsics import pcg64_next
from qantar.engine.pcg import put_state, take_state
from qantar.errors import QantarInputError


@njit
def _words(state, out):
    for k in range(out.shape[0]):
        out[k] = pcg64_next(state)


@pytest.mark.parametrize("seed", [0, 1, 2**40 + 3])
def test_inline_words_are_random_raw_and_the_generator_ends_where_numpy_would(seed):
    rng, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    ref.random()  # a buffered half or not, the state's other fields are kept
    rng.random()
    state = take_state(rng)
    out = np.empty(5000, np.uint64)
    _words(state, out)
    put_state(rng, state)
    assert (out == ref.bit_generator.random_raw(5000)).all()
    assert rng.bit_generator.state == ref.bit_generator.state


def test_a_world_steps_alike_in_one_call_or_many_and_leaves_its_generator_advanced():
    p = Params(width=30, height=30, legitimacy=0.7)
    one, many = (World.build(p, rule_set("netlogo"), seed=5) for _ in range(2))
    before = one.rng.bit_generator.state
    counts = one.run(12)
    assert one.rng.bit_generator.state != before
    assert (np.concatenate([many.run(1) for _ in range(12)]) == counts).all()
    assert one.rng.bit_generator.state == many.rng.bit_generator.state


def test_another_bit_generator_is_refused_with_a_one_line_error():
    w = World.build(Params(width=20, height=20), rule_set("mesa"), seed=0)
    w.rng = np.random.Generator(np.random.MT19937(0))
    with pytest.raises(QantarInputError, match="^rng: "):
        w.run(1)
