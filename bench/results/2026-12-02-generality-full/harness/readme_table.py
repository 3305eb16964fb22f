# Turns a suite's report.md into the README's table: one line per problem and pass, 1 and 2 threads side by side.
import re, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    if not line.startswith('| ') or line.startswith('| problem') or line.startswith('|---'):
        continue
    c = [x.strip() for x in line.strip().strip('|').split('|')]
    name, spec, pas, th, dt, lay, vec, impl, ort, ratio = c[:10]
    peak = c[12]
    key = (name, pas)
    if key not in rows:
        rows[key] = {}
        order.append(key)
    rows[key][th] = dict(vec=vec, ort=ort, peak=peak, ratio=ratio)

def num(s):
    m = re.match(r'([\d.]+)', s)
    return float(m.group(1)) if m else None

def strip_unit(s):
    return s.replace(' GFLOP/s', '').replace(' GB/s', '')

pas_order = {'forward': 0, 'backward-data': 1, 'backward-weights': 2, 'backward': 1}
names = []
for n, p in order:
    if n not in names:
        names.append(n)
print('| problem | pass | vecnn 1 t | vecnn 2 t | 2 t / 1 t | ONNX Runtime 1 t | ONNX Runtime 2 t | vecnn / ORT (1 t / 2 t) | backward / forward (1 t) | % of peak (1 t) |')
print('|---|---|---|---|---|---|---|---|---|---|')
for n in names:
    ps = sorted([p for (m, p) in order if m == n], key=lambda p: pas_order[p])
    fwd1 = num(rows[(n, 'forward')]['1']['vec']) if (n, 'forward') in rows else None
    for p in ps:
        r = rows[(n, p)]
        one, two = r.get('1'), r.get('2')
        v1, v2 = num(one['vec']), num(two['vec'])
        unit = ' GB/s' if 'GB/s' in one['vec'] else ''
        scale = f'{v2 / v1:.2f}'
        o1, o2 = one['ort'], two['ort']
        if o1 != '—':
            ratio = f'{one["ratio"]} / {two["ratio"]}'  # the report's ratio, of the unrounded means
        else:
            ratio = '—'
        bf = f'{v1 / fwd1:.2f}' if p != 'forward' and fwd1 and unit == '' else '—'
        print(f'| {n} | {p} | {strip_unit(one["vec"])}{unit} | {strip_unit(two["vec"])} | {scale} | {o1} | {o2} | {ratio} | {bf} | {one["peak"]} |')
