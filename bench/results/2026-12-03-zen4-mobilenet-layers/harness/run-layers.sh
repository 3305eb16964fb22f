#!/bin/bash
# [WI=warm-ups] [CP=classpath-file] [JAVA=java] run-layers.sh SUITE THREADS OUT.json, from the repository root: each
# line of the suite with JMH (ConvBench, forward; the suite's passes column is not read), vecnn (channels-last, weights
# prepared) then ONNX Runtime (channels-first, weights as constant initializers), one after the other so that each pair
# shares the machine's state (vecnn always first); then one JSON list in suite order, vecnn and ONNX Runtime per line.
# The classpath file: mvn -q package dependency:build-classpath -DskipTests -pl core,nn,bench -am -Dmdep.outputFile=/tmp/cp.txt
# (the runs in this directory also passed -Djava.io.tmpdir=/tmp/jbtmp, for ONNX Runtime's native library).
set -e
SUITE=$1 THREADS=$2 OUT=$3
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CPFILE=${CP:-/tmp/cp.txt}
OPTS="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$SUITE" | while read -r name spec rest; do
  [ -z "$name" ] && continue
  for side in "auto channels-last" "onnxruntime channels-first"; do
    set -- $side
    "$J" $OPTS -cp "bench/target/classes:$(cat "$CPFILE")" org.openjdk.jmh.Main -jvmArgsAppend "$OPTS" '^dev.vecnn.bench.ConvBench.run$' \
      -p spec="$spec" -p impl="$1" -p layout="$2" -p weights=prepared -p threads="$THREADS" -f 1 -wi "${WI:-4}" -w 500ms -i 5 -r 500ms \
      -foe true -rf json -rff "$tmp/$name-$1.json" > "$tmp/$name-$1.log"
  done
done
python3 -c "
import json, sys
out = []
for line in open(sys.argv[1]):
    f = line.split()
    if f and not f[0].startswith('#'):
        for side in ('auto', 'onnxruntime'): out += json.load(open(sys.argv[2] + '/' + f[0] + '-' + side + '.json'))
json.dump(out, open(sys.argv[3], 'w'), separators=(',', ':'))
" "$SUITE" "$tmp" "$OUT"
