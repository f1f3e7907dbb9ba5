"""LLVM operations the kernel needs and Numba lacks: a prefetch hint, a wide multiply, and
the step of NumPy's PCG64 generator.

``prefetch``: the step visits agents in a random order that is known in advance, and an
agent's cell cannot change before its own turn; hinting the cache about the next agents'
records and cells hides memory latency. A hint changes no result, only timing.

``scaled_index``: floor(m n / 2^53) in 128-bit integer arithmetic, the draw of a uniform
index (``kernels.draw_index``) without a round trip through floating point.

``pcg64_next``: the next 64-bit word of PCG64 (XSL RR 128/64, NumPy's default generator)
from its state held in a small array (``engine.rng_state``), computed in place of a call
through the generator's function pointer per draw.
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


#: PCG64's 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128 of the PCG family, as NumPy's).
PCG64_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


@intrinsic
def pcg64_next(typingctx, state):
    """Advance a PCG64 state held as uint64[4] (state low, high; increment low, high) and
    return its next 64-bit word: s = s M + inc, then rotr(high(s) ^ low(s), high(s) >> 58),
    as NumPy's ``PCG64.random_raw()`` does."""

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(ary.data, i128.as_pointer())
        inc_ptr = builder.gep(ptr, [ir.Constant(ir.IntType(32), 1)])
        s = builder.load(ptr, align=8)
        inc = builder.load(inc_ptr, align=8)
        s = builder.add(builder.mul(s, ir.Constant(i128, PCG64_MULTIPLIER)), inc)
        builder.store(s, ptr, align=8)
        high = builder.trunc(builder.lshr(s, ir.Constant(i128, 64)), i64)
        x = builder.xor(high, builder.trunc(s, i64))
        rot = builder.lshr(high, ir.Constant(i64, 58))
        fnty = ir.FunctionType(i64, [i64, i64, i64])
        fshr = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fshr.i64")
        return builder.call(fshr, [x, x, rot])

    return types.uint64(state), codegen
