"""What the model *is*: rule sets, validated parameters, formulas, vision.

Example:
    >>> from qantar.rules import rule_set, Params
    >>> rule_set("mesa").turn_order, Params().legitimacy
    ('act_then_move', 0.82)
"""

from qantar.rules.formulas import (
    arrest_probability,
    arrest_ratio,
    can_be_active,
    grievance,
    is_active,
    jail_term_bound,
    net_risk,
)
from qantar.rules.params import InterGroupParams, Params, make_params
from qantar.rules.ruleset import MESA, NETLOGO, PAPER, RULE_SETS, RuleSet, RuleSetError, rule_set
from qantar.rules.vision import vision_offsets

__all__ = [
    "MESA",
    "NETLOGO",
    "PAPER",
    "RULE_SETS",
    "InterGroupParams",
    "Params",
    "RuleSet",
    "RuleSetError",
    "arrest_probability",
    "arrest_ratio",
    "can_be_active",
    "grievance",
    "is_active",
    "jail_term_bound",
    "make_params",
    "net_risk",
    "rule_set",
    "vision_offsets",
]
