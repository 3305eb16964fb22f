#!/bin/bash
# The profiling copy for the smaller slab: the earlier page's sync.sh copy of the checkout, with the channels-last GEMM's
# slab budget behind a switch (ChannelsLastGemmF32.TOGGLE: -Dvecnn.budget elements, default 2^17, instead of 2^18). Its
# Toggle.java is the earlier page's Toggle with its switch and labels replaced:
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32.TOGGLE/g; s/"separate"/"small"/; s/"fused"/"large"/;
#        s/separate \/ fused/small \/ large/' ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
# budget-r18-b1-17.txt: -Dvecnn.budget=131072 (512 KB of float32), budget-r18-b1-16.txt: 65536 (256 KB); both
# "Toggle resnet18 1 1 24" (model, threads, batch, rounds).
set -e
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
PROF=${PROF:-/tmp/s50/prof}
REPO=$repo PROF=$PROF bash "$repo/bench/results/2026-12-03-zen4-pointwise-depthwise/harness/sync.sh"
cd "$PROF"
python3 - <<'PY'
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
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn
echo "built $PROF: put its core and nn jars first on Toggle's class path"
