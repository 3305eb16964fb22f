#!/bin/bash
# The profiling copy the Toggle harness runs against: the working tree with a switch in Graph (NOGATHER) that makes
# ConvLayer copy a channels-first input into channels-last as before this change; Graph.PROF timers around each node.
# (The timers and describe()/size() come from the previous results page's sync.sh, 2026-12-03-zen4-pointwise-depthwise.)
set -e
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
REPO=$repo PROF=/tmp/s48/prof bash "$repo/bench/results/2026-12-03-zen4-pointwise-depthwise/harness/sync.sh"   # Graph.PROF, Graph.NOFUSE
cd /tmp/s48/prof
python3 - <<'PY'
p='nn/src/main/java/dev/vecnn/nn/Graph.java'
s=open(p).read()
s=s.replace('public static volatile boolean NOFUSE;','public static volatile boolean NOFUSE;\n    public static volatile boolean NOGATHER;',1)
open(p,'w').write(s)
p='nn/src/main/java/dev/vecnn/nn/layer/ConvLayer.java'
s=open(p).read()
s=s.replace('if (ctx.frozen() && Conv.readsAsItLies','if (!dev.vecnn.nn.Graph.NOGATHER && ctx.frozen() && Conv.readsAsItLies')
open(p,'w').write(s)
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn
echo "built /tmp/s48/prof: put its core and nn jars first on the classpath of Toggle"
