"""A memory prefetch hint for the kernel (LLVM's ``llvm.prefetch``), which Numba lacks.

The step visits agents in a random order that is known in advance, and an agent's cell
cannot change before its own turn; hinting the cache about the next agents' records and
cells hides memory latency. A hint changes no result, only timing.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, index):
    """Hint that ``array[index]`` will be read soon (no bounds check: a hint cannot fault)."""

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        stride = builder.extract_value(ary.strides, 0)
        index_ = context.cast(builder, args[1], signature.args[1], types.intp)
        offset = builder.mul(index_, stride)
        base = builder.bitcast(ary.data, ir.IntType(8).as_pointer())
        ptr = builder.gep(base, [offset])
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer(), i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read (0), high temporal locality (3), data cache (1)
        builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen
