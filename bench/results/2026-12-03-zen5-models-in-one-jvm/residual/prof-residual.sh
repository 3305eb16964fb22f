#!/bin/bash
# Apply residual-in-tasks.patch to the checkout first (git apply: it carries the generated kernels too), then run this.
# The profiling copy Toggle runs against: the working tree, copied by the earlier page's sync.sh (which adds the node
# timers Graph.PROF), with a switch in GemmConv, SEPARATE, that adds a residual in a pass after the convolution as
# before this change. Its Toggle.java is the earlier page's Toggle with its switch and a label replaced:
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.GemmConv.SEPARATE/g; s/"fused"/"tasks"/; s/separate \/ fused/separate \/ tasks/' \
#       ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
set -e
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
PROF=${PROF:-/tmp/s50/prof}
REPO=$repo PROF=$PROF bash "$repo/bench/results/2026-12-03-zen4-pointwise-depthwise/harness/sync.sh"
cd "$PROF"
python3 - <<'PY'
p='core/src/main/java/dev/vecnn/kernel/conv/gemm/GemmConv.java'
s=open(p).read()
old='''    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor residual, Tensor y, Epilogue e, Execution ex) {
'''
assert old in s
s=s.replace(old, '    public static volatile boolean SEPARATE;\n\n    @Override\n' + old + '''        if (SEPARATE) {
            super.runForward(s, x, w, packed, bias, residual, y, e, ex);
            return;
        }
''',1)
s=s.replace('    @Override\n    public static volatile boolean SEPARATE;','    public static volatile boolean SEPARATE;',1)
open(p,'w').write(s)
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn
echo "built $PROF: put its core and nn jars first on Toggle's class path"
