# dis.py out.txt: the bytes of the last tier-4 (C2) compilation that -XX:CompileCommand=print printed without hsdis,
# disassembled with objdump into code.s (AT&T syntax).
import sys,re,subprocess
txt=open(sys.argv[1]).read()
i=txt.rindex('Compiled method (c2)')
j=txt.find('[Stub Code]',i)
sec=txt[i:j]
start=None;data=bytearray()
for l in sec.splitlines():
    m=re.match(r'\s+0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$',l)
    if m:
        addr=int(m.group(1),16)
        if start is None: start=addr
        hexs=m.group(2).replace('|','').split()
        h=''.join(hexs)
        if addr!=start+len(data):
            # gap (comment lines split): pad
            if addr>start+len(data): data+=b'\x90'*(addr-start-len(data))
        data+=bytes.fromhex(h)
open('code.bin','wb').write(data)
out=subprocess.run(['objdump','-D','-b','binary','-m','i386:x86-64','--adjust-vma=%#x'%start,'code.bin'],capture_output=True,text=True).stdout
open('code.s','w').write(out)
print(len(data),start)
