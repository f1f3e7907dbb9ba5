"""qantar: gaming out civil unrest with Epstein's civil violence model, exactly and fast.

Example:
    >>> from qantar import World, rule_set, Params
    >>> w = World.build(Params(), rule_set("netlogo"), seed=1)
    >>> series = w.run(10)
    >>> series.shape
    (10, 3)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qantar")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

from qantar.engine import InterGroupWorld, World  # noqa: E402
from qantar.rules import InterGroupParams, Params, RuleSet, rule_set  # noqa: E402

__all__ = ["InterGroupParams", "InterGroupWorld", "World", "Params", "RuleSet", "rule_set", "__version__"]
