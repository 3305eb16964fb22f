#!/bin/bash
# toggle.sh 'old' 'new': builds the profiling copy (prof.sh), adds `public static volatile boolean TOGGLE` to
# ChannelsLastGemmF32 there and replaces old by new in it (the switch LayerToggle.java flips), and rebuilds core.
# For the half-width tile (6b94294): toggle.sh 'boolean half = 2 * LH == L' 'boolean half = TOGGLE && 2 * LH == L'
set -e
cd "$(dirname "$0")" && bash prof.sh
cd /tmp/s48/prof
python3 - "$1" "$2" <<'PY'
import sys
p='core/src/main/java/dev/vecnn/kernel/conv/gemm/ChannelsLastGemmF32.java'
s=open(p).read()
s=s.replace('    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;','    public static volatile boolean TOGGLE;\n    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;',1)
assert sys.argv[1] in s, 'old not found'
s=s.replace(sys.argv[1],sys.argv[2])
open(p,'w').write(s)
PY
mvn -o -q package -DskipTests -Dmaven.javadoc.skip=true -pl core
