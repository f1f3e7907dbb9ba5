"""Two LLVM operations the kernel needs and Numba lacks: a prefetch hint and a wide multiply.

``prefetch``: the step visits agents in a random order that is known in advance, and an
agent's cell cannot change before its own turn; hinting the cache about the next agents'
records and cells hides memory latency. A hint changes no result, only timing.

``scaled_index``: floor(m n / 2^53) in 128-bit integer arithmetic, the draw of a uniform
index (``kernels.draw_index``) without a round trip through floating point.
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


@intrinsic
def scaled_index(typingctx, m, n):
    """floor(m * n / 2**53) for 0 <= m < 2**53 and 0 <= n < 2**63, exactly (128-bit product).

    With m the top 53 bits of a random 64-bit word, this is floor(u n) for the u = m / 2**53
    that ``Generator.random()`` makes of the same word, computed without rounding.
    """

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        m_ = builder.zext(context.cast(builder, args[0], signature.args[0], types.uint64), i128)
        n_ = builder.zext(context.cast(builder, args[1], signature.args[1], types.int64), i128)
        product = builder.mul(m_, n_)
        return builder.trunc(builder.lshr(product, ir.Constant(i128, 53)), i64)

    return types.int64(m, n), codegen
