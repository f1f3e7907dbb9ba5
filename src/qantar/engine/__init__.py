"""How the model runs: state in arrays (``state``), the compiled step (``kernels``), its
plain-Python oracle (``reference``), and ``World``, which ties them to parameters; Model II's
counterparts are the ``intergroup_*`` modules and ``InterGroupWorld``. ``WorldStepper``
steps several worlds at once on threads; ``warm_up`` compiles the kernels once, up front.
"""

from qantar.engine.intergroup_world import InterGroupWorld
from qantar.engine.threads import WorldStepper
from qantar.engine.warm import warm_up
from qantar.engine.world import World

__all__ = ["InterGroupWorld", "World", "WorldStepper", "warm_up"]
