"""Rule sets: the switches on which the published versions of Epstein's model differ.

Epstein (2002) leaves several details open; NetLogo's *Rebellion* and Mesa's example close
them differently. Each difference is one field of :class:`RuleSet`, and the three presets
``PAPER``, ``NETLOGO`` and ``MESA`` set them as their sources do (see ``docs/model.md``,
section "Rule sets", for the table and the source of every value).

Example:
    >>> from qantar.rules import rule_set
    >>> rule_set("netlogo").arrest_ratio
    'floor'
    >>> rule_set("mesa", arrest_ratio="continuous").arrest_ratio
    'continuous'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from qantar.errors import QantarInputError, explain

ArrestRatio = Literal["continuous", "floor", "round_half_even"]
VisionShape = Literal["disk", "von_neumann", "moore"]
TurnOrder = Literal["move_then_act", "act_then_move"]
JailTermRange = Literal["exclusive", "inclusive"]
CopAfterArrest = Literal["stay", "to_arrestee"]
JailCountdown = Literal["end_of_step", "own_turn"]
Placement = Literal["exact", "bernoulli"]


class RuleSet(BaseModel):
    """One complete reading of the model's ambiguous details (frozen).

    Fields (each a row of the variants table in ``docs/model.md``):
        name: the preset it came from, with ``+custom`` once a field is overridden.
        arrest_ratio: how C/A enters the arrest probability: ``continuous`` C/A (paper),
            ``floor`` (NetLogo), ``round_half_even`` (Mesa, Python's ``round``).
        vision_includes_centre: whether the agent's own cell is part of its vision. With
            it (NetLogo) an active agent counts itself in A on top of the ``1 +``.
        vision_shape: ``disk`` (Euclidean), ``von_neumann`` (diamond) or ``moore`` (square).
        turn_order: ``move_then_act`` (paper, NetLogo) or ``act_then_move`` (Mesa).
        jail_term_range: integer term drawn from ``0..J_max-1`` (``exclusive``, NetLogo)
            or ``0..J_max`` (``inclusive``, Mesa and our reading of the paper's U(0, J_max)).
        jailed_block: whether a jailed agent keeps its cell occupied (Mesa) or others may
            move onto it (NetLogo, paper).
        cop_after_arrest: ``to_arrestee`` (NetLogo: the cop steps onto the arrestee's cell)
            or ``stay``; Mesa's cop then makes its ordinary move (turn order ``act_then_move``).
        jail_countdown: ``end_of_step`` (every jailed agent, after all turns; NetLogo) or
            ``own_turn`` (a jailed agent spends its turn counting down; Mesa).
        placement: ``exact`` counts round(density x cells) (NetLogo) or ``bernoulli`` per cell (Mesa).
        cops_move_when_movement_off: the paper's (run 1: agents still, cops patrol) and
            NetLogo's cops keep moving when movement is off; Mesa's freeze.
        citizens_use_cop_vision: reproduce Mesa 3.5.1's bug (citizens see with the cop
            vision); off in every preset, so ``citizen_vision`` always means what it says.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    arrest_ratio: ArrestRatio
    vision_includes_centre: bool
    vision_shape: VisionShape
    turn_order: TurnOrder
    jail_term_range: JailTermRange
    jailed_block: bool
    cop_after_arrest: CopAfterArrest
    jail_countdown: JailCountdown
    placement: Placement
    cops_move_when_movement_off: bool
    citizens_use_cop_vision: bool = False


PAPER = RuleSet(
    name="paper",
    arrest_ratio="continuous",
    vision_includes_centre=False,
    vision_shape="disk",
    turn_order="move_then_act",
    jail_term_range="inclusive",
    jailed_block=False,
    cop_after_arrest="stay",
    jail_countdown="end_of_step",
    placement="exact",
    cops_move_when_movement_off=True,  # Table 2, run 1: the agents do not move, the cops do
)

NETLOGO = RuleSet(
    name="netlogo",
    arrest_ratio="floor",
    vision_includes_centre=True,
    vision_shape="disk",
    turn_order="move_then_act",
    jail_term_range="exclusive",
    jailed_block=False,
    cop_after_arrest="to_arrestee",
    jail_countdown="end_of_step",
    placement="exact",
    cops_move_when_movement_off=True,
)

MESA = RuleSet(
    name="mesa",
    arrest_ratio="round_half_even",
    vision_includes_centre=False,
    vision_shape="von_neumann",
    turn_order="act_then_move",
    jail_term_range="inclusive",
    jailed_block=True,
    cop_after_arrest="stay",
    jail_countdown="own_turn",
    placement="bernoulli",
    cops_move_when_movement_off=False,
)

RULE_SETS: dict[str, RuleSet] = {r.name: r for r in (PAPER, NETLOGO, MESA)}
RULE_SETTING_NAMES = tuple(f for f in RuleSet.model_fields if f != "name")


class RuleSetError(QantarInputError):
    """A rule set name or setting that does not exist; the message names the accepted values."""


def rule_set(name: str, **overrides: object) -> RuleSet:
    """The preset ``name`` with any settings overridden.

    Example:
        >>> rule_set("paper", vision_shape="von_neumann").name
        'paper+custom'
    """
    if name not in RULE_SETS:
        raise RuleSetError(f"rules: unknown rule set {name!r}; accepted: {', '.join(RULE_SETS)}")
    base = RULE_SETS[name]
    if not overrides:
        return base
    unknown = sorted(set(overrides) - set(RULE_SETTING_NAMES))
    if unknown:
        raise RuleSetError(
            f"rules: unknown setting {unknown[0]!r}; accepted: {', '.join(RULE_SETTING_NAMES)}"
        )
    data = base.model_dump() | dict(overrides) | {"name": f"{name}+custom"}
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise RuleSetError(str(explain(exc, prefix="rules."))) from None
