"""layer-table.py SUITE RESULT.json [RESULT2.json]: a markdown table, per suite line, of vecnn's and ONNX Runtime's us per
call (mean +- JMH's 99.9% error) and the ratio ONNX Runtime's time / vecnn's (above 1: vecnn faster), per result file
(from run-layers.sh: vecnn then ONNX Runtime per line); the last row sums the lines weighted by the -x<N> counts in
their names."""
import json, re, sys

lines = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
files = [json.load(open(f)) for f in sys.argv[2:]]


def us(run):
    s, e = run['primaryMetric']['score'], run['primaryMetric']['scoreError']
    return 1e6 / s, 1e6 * e / s ** 2


head = "| layer |" + "".join(f" vecnn, {r[0]['params']['threads']} thr, us | ONNX Runtime, us | ratio |" for r in files)
print(head)
print("|---|" + "---|---|---|" * len(files))
sums = [[0.0, 0.0] for _ in files]
for k, (name, spec, *rest) in enumerate(lines):
    count = re.search(r'-x(\d+)$', name)
    n = int(count.group(1)) if count else 1
    row = f"| {name} |"
    for f, runs in enumerate(files):
        v, o = runs[2 * k], runs[2 * k + 1]
        for run, impl in ((v, 'auto'), (o, 'onnxruntime')):
            assert run['params']['spec'] == spec and run['params']['impl'] == impl, (name, run['params'])
        assert v['params']['threads'] == o['params']['threads']
        (tv, ev), (to, eo) = us(v), us(o)
        sums[f][0] += n * tv
        sums[f][1] += n * to
        row += f" {tv:.0f} ± {ev:.0f} | {to:.0f} ± {eo:.0f} | {to / tv:.2f} |"
    print(row)
print("| **sum with the counts** |" + "".join(f" {a:.0f} | {b:.0f} | **{b / a:.2f}** |" for a, b in sums))
