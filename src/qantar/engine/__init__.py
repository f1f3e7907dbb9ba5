"""How the model runs: state in arrays (``state``), the compiled step (``kernels``), its
plain-Python oracle (``reference``), and ``World``, which ties them to parameters; Model II's
counterparts are the ``intergroup_*`` modules and ``InterGroupWorld``.
"""

from qantar.engine.intergroup_world import InterGroupWorld
from qantar.engine.world import World

__all__ = ["InterGroupWorld", "World"]
