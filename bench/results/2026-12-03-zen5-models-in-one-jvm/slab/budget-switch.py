# The smaller slab's switch, run by ../harness/prof-with.sh in the profiling copy of an unchanged checkout:
# ChannelsLastGemmF32.TOGGLE gives the channels-last GEMM a slab budget of -Dvecnn.budget elements (default 2^17)
# instead of 2^18. Toggle.java for it, from the earlier page's (run in this directory):
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32.TOGGLE/g; s/"separate"/"small"/; s/"fused"/"large"/;
#        s/separate \/ fused/small \/ large/' ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
# budget-r18-b1-17.txt: -Dvecnn.budget=131072 (512 KB of float32), budget-r18-b1-16.txt: 65536 (256 KB); both
# "Toggle resnet18 1 1 24" (model, threads, batch, rounds).
for T in ('F32', 'F64'):
    p = 'core/src/main/java/dev/vecnn/kernel/conv/gemm/ChannelsLastGemm%s.java' % T
    s = open(p).read()
    old = '        return ChannelsLastSlab%s.rowsPerTask(g, SLAB_BUDGET, true);' % T
    assert old in s
    s = s.replace(old, '        return ChannelsLastSlab%s.rowsPerTask(g, ChannelsLastGemmF32.TOGGLE ? SMALL_BUDGET : SLAB_BUDGET, true);' % T)
    s = s.replace('    private static final long SLAB_BUDGET = 1L << 18;', '    private static final long SLAB_BUDGET = 1L << 18;\n'
                  '    static final long SMALL_BUDGET = Long.getLong("vecnn.budget", 1L << 17);'
                  + ('\n    public static volatile boolean TOGGLE;' if T == 'F32' else ''), 1)
    open(p, 'w').write(s)
