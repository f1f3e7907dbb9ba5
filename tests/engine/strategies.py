"""Random small worlds for the engine's property tests (shared by oracle and invariants)."""

from hypothesis import strategies as st

from qantar import Params

RULES = ["paper", "netlogo", "mesa"]


@st.composite
def small_params(draw, max_size: int = 9) -> Params:
    """Parameters of a small world: any densities, visions 1-2.5, any L, J_max incl. 0 and life."""
    citizens = draw(st.floats(0.0, 0.95))
    return Params(
        width=draw(st.integers(5, max_size)),
        height=draw(st.integers(5, max_size)),
        citizen_density=citizens,
        cop_density=min(draw(st.floats(0.0, 0.3)), 1 - citizens),
        citizen_vision=draw(st.sampled_from([1.0, 1.7, 2.0, 2.5])),
        cop_vision=draw(st.sampled_from([1.0, 2.0])),
        legitimacy=draw(st.floats(0.0, 1.0)),
        max_jail_term=draw(st.sampled_from([None, 0, 1, 3, 10])),
        movement=draw(st.booleans()),
    )
