#!/bin/bash
# REPO=<checkout> PROF=<scratch dir> sync.sh: copies the checkout to PROF (deleting PROF first), gives Graph a timer around
# each node (Graph.PROF) and a switch that runs pointwise-depthwise pairs one by one (Graph.NOFUSE), and builds core and nn
# there (offline); Toggle.java runs against PROF's jars
set -e
rm -rf ${PROF:-/tmp/prof} && mkdir -p ${PROF:-/tmp/prof} && cd ${REPO:-.} && tar cf - --exclude=target --exclude=.git . | (cd ${PROF:-/tmp/prof} && tar xf -)
cd ${PROF:-/tmp/prof} && python3 - <<'PY'
p='nn/src/main/java/dev/vecnn/nn/Graph.java'
s=open(p).read()
s=s.replace('''    /** Runs every node; returns the outputs by name. */
''','''    /** Runs every node; returns the outputs by name. */
    public static long[] PROF;
    public static volatile boolean NOFUSE;
    public String describe(int k) { Entry e = entries.get(k); return e.name + " " + (e.layer != null ? e.layer.toString() : String.valueOf(e.merge)) + " " + java.util.Arrays.toString(values[k] == null ? null : values[k].shape()); }
    public int size() { return entries.size(); }
''',1)
s=s.replace('''                Entry e = entries.get(k);
                Tensor pair;''','''                Entry e = entries.get(k);
                long t0 = System.nanoTime();
                Tensor pair;''')
s=s.replace('''                if (plan) releaseDead(k);
            }''','''                if (PROF != null) { PROF[k] += System.nanoTime() - t0; }
                if (plan) releaseDead(k);
            }''')
s=s.replace('if (plan && pairedDepthwise[k] >= 0 &&', 'if (plan && !NOFUSE && pairedDepthwise[k] >= 0 &&')
open(p,'w').write(s)
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core,nn 2>&1 | tail -3
