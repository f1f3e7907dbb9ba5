"""How the model runs: state in arrays (``state``), the compiled step (``kernels``), its
plain-Python oracle (``reference``), and ``World``, which ties them to parameters.
"""

from qantar.engine.world import World

__all__ = ["World"]
