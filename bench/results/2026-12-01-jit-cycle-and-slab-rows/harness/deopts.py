import re,sys,collections,subprocess
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
out=subprocess.run([J,'print','--events','jdk.Deoptimization','--stack-depth','1',sys.argv[1]],capture_output=True,text=True).stdout
evs=out.split('jdk.Deoptimization {')[1:]
times=[]; rows=[]
for e in evs:
    t=re.search(r'startTime = (\S+)',e).group(1)
    m=re.search(r'method = ([^\n]+)',e).group(1)
    m=re.sub(r'\(.*','',m)
    ln=(re.search(r'lineNumber = (\d+)',e) or re.search(r'(x)','x')).group(1)
    r=re.search(r'reason = "([^"]+)"',e).group(1)
    a=re.search(r'action = "([^"]+)"',e).group(1)
    rows.append((t,m,ln,r,a))
rows.sort()
skip=float(sys.argv[2]) if len(sys.argv)>2 else 0.5
late=rows[int(len(rows)*skip):]
c=collections.Counter((m,ln,r,a) for t,m,ln,r,a in late)
print(len(rows),'deopts;',len(late),'in the last', 1-skip, 'of them; first', rows[0][0] if rows else '', 'last', rows[-1][0] if rows else '')
for k,v in c.most_common(15): print(v,*k)
