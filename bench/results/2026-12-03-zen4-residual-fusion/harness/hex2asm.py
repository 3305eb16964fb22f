import re, sys, subprocess
# usage: hex2asm.py printassembly.txt "Compiled method (c2)" [nth]
text = open(sys.argv[1]).read().split('\n')
key = sys.argv[2]
starts = [i for i, l in enumerate(text) if key in l]
i = starts[int(sys.argv[3]) if len(sys.argv) > 3 else -1]
out = bytearray(); base = None
for l in text[i + 1:]:
    if l.startswith('Compiled method') or l.startswith('------'): 
        if out: break
    m = re.match(r'\s*(0x[0-9a-f]+): ((?:[0-9a-f]{2,8}\s?\|?\s?)+)$', l)
    if m and ';' not in l:
        addr = int(m.group(1), 16)
        if base is None: base = addr
        hexs = m.group(2).replace('|', ' ').split()
        b = bytes.fromhex(''.join(hexs))
        if addr - base == len(out): out += b
        elif addr - base > len(out): out += b'\x90' * (addr - base - len(out)) + b
open('/tmp/s45/code.bin', 'wb').write(out)
print(subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', '--adjust-vma=' + hex(base), '/tmp/s45/code.bin'], capture_output=True, text=True).stdout)
