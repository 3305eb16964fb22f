"""pair.py IN-NETWORK.txt: pairs the 52 convolutions of InNetwork's output (vecnn's graph nodes, ONNX Runtime's Conv
nodes, both in execution order) and prints a markdown row per convolution (vecnn ms, ONNX Runtime ms, ratio ONNX
Runtime's time / vecnn's), then the sums by kind (stem, depthwise stride 1 and 2, 1x1 expansions, projections, the
final 1x1) and the other nodes."""
import sys, re, collections
v=[]; o=[]; other_v=0; other_o=0
for line in open(sys.argv[1]):
    f=line.split()
    if line.startswith('v '):
        if 'conv2d' in line: v.append((float(f[1]), line[10:].strip()))
        else: other_v+=float(f[1])
    elif line.startswith('o '):
        if f[2]=='Conv': o.append((float(f[1]), f[3]))
        else: other_o+=float(f[1])
assert len(v)==len(o)==52, (len(v),len(o))
kinds=collections.OrderedDict()
rows=[]
for (tv,nv),(to,no) in zip(v,o):
    m=re.search(r'conv2d (\d+) k(\d)x\d s(\d)x\d .*?(g\d+ )?\[1, \d+, (\d+), \d+\]', nv)
    oc,k,s,g,hw=m.group(1),m.group(2),m.group(3),m.group(4),m.group(5)
    kind='stem' if 'features.0/' in nv else ('depthwise s'+s if g else ('1x1 final' if 'features.18' in nv else ('1x1 expand' if 'conv.0/' in nv else '1x1 project')))
    a=kinds.setdefault(kind,[0,0,0]); a[0]+=tv; a[1]+=to; a[2]+=1
    rows.append((nv.split()[0], tv, to))
for r in rows: print(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[2]/r[1]:.2f} |")
print()
tv=sum(x[1] for x in rows); to=sum(x[2] for x in rows)
for k,a in kinds.items(): print(f"| {k} ({a[2]}) | {a[0]:.2f} | {a[1]:.2f} | {a[1]/a[0]:.2f} |")
print(f"| convolutions (52) | {tv:.2f} | {to:.2f} | {to/tv:.2f} |")
print(f"| the rest (residual adds, pooling, classifier; ONNX Runtime: its output reorder) | {other_v:.2f} | {other_o:.2f} | |")
