# python3 ident.py <profiling copy>/core/.../gemm/ChannelsLastGemmF32.java: behind ChannelsLastGemmF32.TOGGLE, where every
# step's slab offset equals the step (a 1x1), a 24 x 1 tile that reads x[u + r] with the positions' bases in locals.
import re,sys
p=sys.argv[1]
s=open(p).read()
s=s.replace('    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;','    public static volatile boolean TOGGLE;\n    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;',1)
i=s.index('    private static void tile24x1(')
j=s.index('    private static void tile24x1m(')
t=s[i:j]
t=t.replace('private static void tile24x1(','private static void tile24x1i(')
t=t.replace('            int o = off[r];\n','')
t=re.sub(r'x\[base\[(\d+)\] \+ o\]', r'x[u\1 + r]', t)
decl='        int '+', '.join('u%d = base[%d]'%(k,k) for k in range(24))+';\n'
t=t.replace('        FloatVector a0_0 = FloatVector.zero(S)', decl+'        FloatVector a0_0 = FloatVector.zero(S)',1)
s=s[:j]+t+s[j:]
old='                        default -> tile24x1(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);'
assert old in s
s=s.replace(old,'''                        default -> {
                            if (ident) tile24x1i(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);
                            else tile24x1(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);
                        }''')
old='        for (int b = b0, k0 = blockStartChannel(nv, b0); b < b1; k0 += nv[b] * L, b++) {'
s=s.replace(old,'''        boolean ident = TOGGLE;
        for (int r = 0; ident && r < red; r++) ident = off[r] == r;
'''+old,1)
open(p,'w').write(s)
