import re,collections,sys
t=open(sys.argv[1]).read()
evs=t.split('jdk.ObjectAllocationSample')[1:]
times=[]
c=collections.Counter()
def ts(ev):
    m=re.search(r'startTime = (\d+):(\d+):([\d.]+)',ev); return int(m.group(1))*3600+int(m.group(2))*60+float(m.group(3))
t0=ts(evs[0]); tend=ts(evs[-1])
for ev in evs:
    if ts(ev)<tend-3: continue
    w=re.search(r'weight = ([\d.]+) (\w+)',ev)
    fr=re.findall(r'^\s+(\S+)\(.*?\)\s+line: (\d+)',ev,re.M)
    v=[f for f in fr if 'vecnn' in f[0]]
    key=v[0][0].split('.')[-2]+'.'+v[0][0].split('.')[-1]+':'+v[0][1] if v else '?'
    mult={'bytes':1,'kB':1e3,'MB':1e6,'GB':1e9}.get(w.group(2),1)
    c[key]+=float(w.group(1))*mult
print('span',tend-t0)
for k,v in c.most_common(12): print(f"{v/1e6:10.1f} MB", k)
