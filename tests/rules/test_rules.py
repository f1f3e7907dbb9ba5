"""Formulas, vision shapes, rule-set presets and parameter validation."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qantar.errors import QantarInputError
from qantar.rules import MESA, NETLOGO, PAPER, arrest_probability, can_be_active, grievance, is_active
from qantar.rules import jail_term_bound, make_params, net_risk, rule_set, vision_offsets
from qantar.rules.formulas import RATIO_CONTINUOUS, RATIO_FLOOR, RATIO_ROUND_HALF_EVEN, arrest_ratio


def test_epstein_calibration_point():
    # k = 2.3 makes P(C=1, A=1) ~ 0.9 (Epstein 2002)
    assert arrest_probability(1, 1, 2.3, RATIO_CONTINUOUS) == pytest.approx(1 - math.exp(-2.3))
    assert round(arrest_probability(1, 1, 2.3, RATIO_CONTINUOUS), 2) == 0.9


def test_ratio_modes():
    assert arrest_ratio(3, 2, RATIO_CONTINUOUS) == 1.5
    assert arrest_ratio(3, 2, RATIO_FLOOR) == 1
    assert arrest_ratio(1, 2, RATIO_ROUND_HALF_EVEN) == 0  # round(0.5) == 0, as Python's round
    assert arrest_ratio(5, 2, RATIO_ROUND_HALF_EVEN) == 2  # round(2.5) == 2
    assert arrest_ratio(3, 2, RATIO_ROUND_HALF_EVEN) == 2  # round(1.5) == 2
    assert arrest_ratio(1, 3, RATIO_FLOOR) == 0


@given(st.integers(0, 500), st.integers(1, 500), st.floats(0, 50), st.sampled_from([0, 1, 2]))
def test_probability_in_unit_interval(c, a, k, mode):
    assert 0.0 <= arrest_probability(c, a, k, mode) <= 1.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_shortcut_never_changes_rule_a(h, legit, r, p, t):
    """The kernel skips the scan when G <= T: then rule A must say quiet whatever P is."""
    g = grievance(h, legit)
    if not can_be_active(g, t):
        assert not is_active(g, net_risk(r, p), t)


def test_grievance_and_activation():
    assert grievance(0.5, 0.2) == pytest.approx(0.4)
    assert is_active(0.4, 0.2, 0.1) and not is_active(0.3, 0.2, 0.1)


def test_jail_term_bounds():
    assert jail_term_bound(30, inclusive=True) == 31  # randint(0, 30)
    assert jail_term_bound(30, inclusive=False) == 30  # NetLogo random 30
    assert jail_term_bound(0, inclusive=False) == 1  # random 0 -> 0


def test_vision_sizes_match_sources():
    assert len(vision_offsets(7, "disk", include_centre=True)) == 149  # NetLogo in-radius 7
    assert len(vision_offsets(7, "von_neumann", include_centre=False)) == 112  # Mesa radius 7
    assert len(vision_offsets(1.7, "disk", include_centre=False)) == 8  # paper run 1: Moore ring
    assert len(vision_offsets(2, "moore", include_centre=False)) == 24


def test_vision_order_is_canonical_and_symmetric():
    offs = vision_offsets(3, "disk", include_centre=False).tolist()
    assert offs == sorted(offs)  # rows north to south, then columns west to east
    assert sorted([-dy, -dx] for dy, dx in offs) == sorted(offs)


def test_presets_follow_sources():
    assert (PAPER.arrest_ratio, NETLOGO.arrest_ratio, MESA.arrest_ratio) == ("continuous", "floor", "round_half_even")
    assert NETLOGO.vision_includes_centre and not MESA.vision_includes_centre
    assert MESA.turn_order == "act_then_move" and NETLOGO.turn_order == "move_then_act"
    assert MESA.jailed_block and not NETLOGO.jailed_block
    assert (MESA.jail_countdown, NETLOGO.jail_countdown) == ("own_turn", "end_of_step")
    assert (MESA.placement, NETLOGO.placement) == ("bernoulli", "exact")
    assert NETLOGO.cops_move_when_movement_off and not MESA.cops_move_when_movement_off


def test_rule_set_overrides_and_errors():
    assert rule_set("mesa", vision_shape="moore").vision_shape == "moore"
    with pytest.raises(QantarInputError, match="unknown rule set 'nope'; accepted: paper, netlogo, mesa"):
        rule_set("nope")
    with pytest.raises(QantarInputError, match="unknown setting 'colour'"):
        rule_set("mesa", colour="red")
    with pytest.raises(QantarInputError, match="rules.vision_shape"):
        rule_set("mesa", vision_shape="hexagon")


@pytest.mark.parametrize(
    "values, message",
    [
        ({"citizen_density": 0.99}, "citizen_density \\+ cop_density must be at most 1"),
        ({"cop_density": -0.1}, "cop_density: Input should be greater than or equal to 0"),
        ({"citizen_vision": -1}, "citizen_vision: Input should be greater than 0"),
        ({"width": 10, "height": 10}, "citizen_vision=7 needs a grid of at least 15x15"),
        ({"legitimacy": 2}, "legitimacy: Input should be less than or equal to 1"),
    ],
)
def test_bad_params_name_the_field(values, message):
    with pytest.raises(QantarInputError, match=message):
        make_params(**values)
