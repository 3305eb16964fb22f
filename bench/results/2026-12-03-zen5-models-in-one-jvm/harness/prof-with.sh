#!/bin/bash
# prof-with.sh SWITCH.py: builds the profiling copy the Toggle harness runs against: the checkout copied to $PROF by the
# earlier page's sync.sh (which adds the node timers Graph.PROF), then SWITCH.py run in it (an experiment's switch:
# ../parts/whole-switch.py, ../residual/separate-switch.py, ../slab/budget-switch.py; each says which Toggle it needs
# and what to apply to the checkout first), then core and nn built offline.
set -e
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
switch=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PROF=${PROF:-/tmp/s50/prof}
REPO=$repo PROF=$PROF bash "$repo/bench/results/2026-12-03-zen4-pointwise-depthwise/harness/sync.sh"
cd "$PROF"
python3 "$switch"
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn
echo "built $PROF: put its core and nn jars first on Toggle's class path"
