import json, sys, statistics, collections
ev = json.load(open(sys.argv[1]))
d = collections.defaultdict(list); order = []; ops = {}
for e in ev:
    if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
        n = e['name'][:-12]
        if n not in d: order.append(n)
        d[n].append(e['dur']); ops[n] = e['args'].get('op_name')
tot = 0
for n in order:
    v = d[n][len(d[n])//3:]
    m = statistics.median(v); tot += m
    print(f"{n[:60]:60s} {ops[n]:>20s} {m:8.1f}")
print("total ms", tot/1000)
