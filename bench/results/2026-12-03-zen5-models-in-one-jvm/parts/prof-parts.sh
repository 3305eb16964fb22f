#!/bin/bash
# Apply reduction-parts.patch to the checkout first (git apply: it changes the template and its generator), then
# regenerate the kernels from the checkout's root (java core/src/test/java/dev/vecnn/codegen/KernelTemplates.java .,
# with a JDK 25 java), then run this.
# The profiling copy Toggle runs against: the working tree (copied by the earlier page's sync.sh, which adds the node
# timers Graph.PROF) with a switch in ChannelsLastGemmF32, WHOLE, that runs every reduction whole as before the parts.
# Its Toggle.java is the earlier page's Toggle with its switch and labels replaced:
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32.WHOLE/g; s/"separate"/"whole"/; s/"fused"/"parts"/;
#        s/separate \/ fused/whole \/ parts/' ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
set -e
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
PROF=${PROF:-/tmp/s50/prof}
REPO=$repo PROF=$PROF bash "$repo/bench/results/2026-12-03-zen4-pointwise-depthwise/harness/sync.sh"
cd "$PROF"
python3 - <<'PY'
p='core/src/main/java/dev/vecnn/kernel/conv/gemm/ChannelsLastGemmF32.java'
s=open(p).read()
s=s.replace('    private static final int PART_STEPS','    public static volatile boolean WHOLE;\n    private static final int PART_STEPS',1)
assert 'red > 2 * PART_STEPS' in s
s=s.replace('red > 2 * PART_STEPS','!WHOLE && red > 2 * PART_STEPS')
open(p,'w').write(s)
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn
echo "built $PROF: put its core and nn jars first on Toggle's class path"
