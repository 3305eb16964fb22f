# For LayerToggle (../harness): applied to a profiling copy's generated ChannelsLastGemmF32.java (sync.sh's copy of an
# unpatched checkout), it adds the parts behind ChannelsLastGemmF32.TOGGLE, with -Dvecnn.ch (steps) and -Dvecnn.group (tiles).
import re,sys
p=sys.argv[1]
s=open(p).read()
s=s.replace('    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;','    public static volatile boolean TOGGLE;\n    static final int CH = Integer.getInteger("vecnn.ch", 128), GROUP = Integer.getInteger("vecnn.group", 8);\n    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;',1)
i=s.index('    private static void tile6x4(')
j=s.index('    private static void tile6x4m(')
t=s[i:j]
t=t.replace('private static void tile6x4(','private static void tile6x4c(').replace('int red, MemorySegment ys','int r0, int r1, boolean first, boolean last, MemorySegment ys')
init_old=t[t.index('        FloatVector a0_0 = FloatVector.zero(S)'):t.index('        for (int r = 0; r < red;')]
names=[f'a{p}_{v}' for p in range(6) for v in range(4)]
init='        FloatVector '+', '.join(names)+';\n'
init+='        if (first) {\n            a0_0 = FloatVector.zero(S); '+' '.join(f'{n} = a0_0;' for n in names[1:])+'\n        } else {\n'
for p_ in range(6):
    for v in range(4):
        init+=f'            a{p_}_{v} = FloatVector.fromMemorySegment(S, ys, (out[{p_}] + k0 + {v} * L) * ES, NO);\n'
init+='        }\n'
t=t.replace(init_old,init)
t=t.replace('for (int r = 0; r < red;','for (int r = 0; r < r1 - r0;').replace('int o = off[r];','int o = off[r0 + r];')
k=t.index('        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);')
st='        if (!last) {\n'
for p_ in range(6):
    for v in range(4):
        st+=f'            a{p_}_{v}.intoMemorySegment(ys, (out[{p_}] + k0 + {v} * L) * ES, NO);\n'
st+='            return;\n        }\n'
t=t[:k]+st+t[k:]
s=s[:j]+t+s[j:]
old='''                if (k0 + v * L <= kg) {
                    switch (v) {'''
assert old in s
loop_old='''            for (int p = 0; p < positions; p += mr) {
                for (int j = 0; j < mr; j++) {'''
assert loop_old in s
new_chunk='''            if (TOGGLE && v == 4 && k0 + v * L <= kg && red > CH) {
                for (int g0 = 0; g0 < positions; g0 += GROUP * mr)
                for (int c = 0; c < red; c += CH) {
                    int c1 = Math.min(red, c + CH);
                    for (int p = g0; p < Math.min(positions, g0 + GROUP * mr); p += mr) {
                        for (int j = 0; j < mr; j++) {
                            int q = Math.min(p + j, positions - 1);
                            base[j] = at == null ? (from + q) * pitch : at[q];
                            out[j] = to == null ? y0 + (long) q * kg : to[q];
                        }
                        tile6x4c(xs, base, off, a, (wo + (long) c * 4 * L) * ES, c, c1, c == 0, c1 == red, ys, out, k0, biasRow, lo, hi);
                    }
                }
                continue;
            }
'''
s=s.replace(loop_old,new_chunk+loop_old,1)
open(p,'w').write(s)
