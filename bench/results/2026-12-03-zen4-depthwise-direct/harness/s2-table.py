"""s2-table.py: MobileNet-V2's four stride-2 depthwise layers and the whole network from the InNetwork files of this
page (in-network-{final,head}-N.txt): per build and run, vecnn ms / ONNX Runtime ms for each layer, and the whole
network's times. pair.py (../2026-12-03-zen4-mobilenet-layers/harness) pairs the nodes."""
import subprocess, sys, re, pathlib
here = pathlib.Path(__file__).resolve().parent.parent
pair = here.parent / '2026-12-03-zen4-mobilenet-layers' / 'harness' / 'pair.py'
layers = ['features.2/', 'features.4/', 'features.7/', 'features.14/']
print('| build, run | 96 ch 112->56 | 144 ch 56->28 | 192 ch 28->14 | 576 ch 14->7 | stride-2 sum (ratio) | whole network, vecnn / ONNX Runtime ms |')
print('|---|---|---|---|---|---|---|')
for build in ['head', 'final']:
    for f in sorted(here.glob(f'in-network-{build}-*.txt')):
        rows = subprocess.run([sys.executable, str(pair), str(f)], capture_output=True, text=True).stdout.splitlines()
        cells = []
        for l in layers:
            r = [x for x in rows if l in x and 'conv.1/conv.1.0/Conv' in x][0].split('|')
            cells.append(f'{float(r[2]):.3f} / {float(r[3]):.3f}')
        s2 = [x for x in rows if 'depthwise s2' in x][0].split('|')
        whole = re.search(r'whole network ([\d.]+) ms, ONNX Runtime ([\d.]+) ms', f.read_text())
        print(f'| {build} {f.stem[-1]} | ' + ' | '.join(cells) + f' | {float(s2[2]):.2f} / {float(s2[3]):.2f} ({s2[4].strip()}) | {whole.group(1)} / {whole.group(2)} |')
