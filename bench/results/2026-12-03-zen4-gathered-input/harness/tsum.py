import sys,re,collections
rows=[l.split(None,3) for l in open(sys.argv[1]) if l.startswith('n ')]
blk=collections.OrderedDict(); kinds=collections.OrderedDict()
for _,a,b,d in rows:
    a=float(a); b=float(b)
    m=re.search(r'features\.(\d+)/',d)
    key=(m.group(1) if m else 'other')
    part='proj' if 'conv.2/' in d else ('pair' if ('conv.0/' in d or 'conv.1/' in d) else 'other')
    if 'features.1/' in d: part='f1'
    if 'features.0/' in d: part='stem'
    x=kinds.setdefault(part,[0,0]); x[0]+=a; x[1]+=b
    if part=='pair':
        y=blk.setdefault(key,[0,0]); y[0]+=a; y[1]+=b
for k,(a,b) in blk.items(): print(f"features.{k} pair: separate {a:.3f} fused {b:.3f} ratio {a/b:.2f}")
for k,(a,b) in kinds.items(): print(f"{k}: separate {a:.3f} fused {b:.3f} ratio {a/b:.2f}")
