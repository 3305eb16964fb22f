import sys, re, collections
# pairs vecnn conv nodes with ORT's; kinds: stem, expand+dw (s1/s2), dw alone, project, final
v=[]; o=[]; ov=0; oo=0
for line in open(sys.argv[1]):
    f=line.split()
    if line.startswith('v '):
        if 'conv2d' in line: v.append((float(f[1]), line[10:].strip()))
        else: ov+=float(f[1])
    elif line.startswith('o '):
        if f[2]=='Conv': o.append((float(f[1]), f[3]))
        else: oo+=float(f[1])
    elif line.startswith('#'): print(line.strip())
assert len(v)==len(o)==52
k=collections.OrderedDict()
def add(name,a,b):
    x=k.setdefault(name,[0,0,0]); x[0]+=a; x[1]+=b; x[2]+=1
i=0
while i<52:
    tv,nv=v[i]; to,no=o[i]
    if 'features.0/' in nv: add('stem',tv,to)
    elif 'features.18' in nv: add('final',tv,to)
    elif 'conv.0/' in nv and 'conv.1/' in v[i+1][1] and ' g' in v[i+1][1]:
        s=re.search(r' s(\d)x', v[i+1][1]).group(1)
        add('expand+dw s'+s, tv+v[i+1][0], to+o[i+1][0]); i+=1
    elif ' g' in nv: add('dw alone s'+re.search(r' s(\d)x', nv).group(1), tv, to)
    else: add('project', tv, to)
    i+=1
tv=sum(x[0] for x in k.values()); to=sum(x[1] for x in k.values())
for n,a in k.items(): print(f"| {n} ({a[2]}) | {a[0]:.2f} | {a[1]:.2f} | {a[1]/a[0]:.2f} |")
print(f"| convolutions | {tv:.2f} | {to:.2f} | {to/tv:.2f} |")
print(f"| rest | {ov:.2f} | {oo:.2f} |")
