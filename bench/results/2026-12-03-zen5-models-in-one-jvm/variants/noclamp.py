# python3 noclamp.py <profiling copy>/core/src/main/java/dev/vecnn/kernel/conv/gemm/ChannelsLastGemmF32.java: behind
# ChannelsLastGemmF32.TOGGLE, the tiles skip the clamp's compare and blend where both bounds are infinite.
import re,sys
p=sys.argv[1]
s=open(p).read()
s=s.replace('    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;','    public static volatile boolean TOGGLE;\n    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;',1)
# in every tile method: after the reduction loop, a flag
n=0
def fix(m):
    global n; n+=1
    return m.group(0)
s=re.sub(r'(\n        (FloatVector|DoubleVector) b0 = (FloatVector|DoubleVector)\.fromArray\(S, biasRow, k0\);)', r'\n        boolean cl = !TOGGLE || lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;\1', s)
s=re.sub(r'(\n        )(a\d+_\d+) = \2\.blend\(lo, \2\.compare\(VectorOperators\.LE, lo\)\);', r'\1if (cl) \2 = \2.blend(lo, \2.compare(VectorOperators.LE, lo));', s)
s=re.sub(r'(\n        )(a\d+_\d+)\.blend\(hi, \2\.compare\(VectorOperators\.GE, hi\)\)\.into', r'\1(cl ? \2.blend(hi, \2.compare(VectorOperators.GE, hi)) : \2).into', s)
print(s.count('if (cl)'), s.count('boolean cl ='))
open(p,'w').write(s)
