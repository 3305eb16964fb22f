import re, sys, collections
kl=re.compile(r"<klass id='(\d+)' name='([^']+)'")
me=re.compile(r"<method id='(\d+)' holder='(\d+)' name='([^']+)'(?: return='(\d+)')?(?: arguments='([^']*)')?")
ca=re.compile(r"<call method='(\d+)'")
fa=re.compile(r"<inline_fail reason='([^']+)'")
def scan(path):
    K={};M={};cur=None;out=collections.Counter()
    with open(path,errors='replace') as f:
        for line in f:
            m=kl.search(line)
            if m: K[m.group(1)]=m.group(2); continue
            m=me.search(line)
            if m: M[m.group(1)]=(K.get(m.group(2),'?')+'::'+m.group(3)); continue
            m=ca.search(line)
            if m: cur=M.get(m.group(1),'?'); continue
            m=fa.search(line)
            if m and cur and ('vecnn' in cur or 'vector' in cur.lower()):
                out[(cur,m.group(1))]+=1
    return out
res={}
for line in open('/tmp/box/map.txt'):
    n,st,fn=line.split()
    res[fn]=(st,set(scan('/tmp/box/'+fn)))
boxed=[v[1] for v in res.values() if v[0]=='BOXED']; ok=[v[1] for v in res.values() if v[0]=='ok']
allk=set().union(*boxed,*ok)
rows=[]
for k in allk:
    b=sum(k in s for s in boxed); o=sum(k in s for s in ok)
    rows.append((b/len(boxed)-o/len(ok),b,o,k))
rows.sort(reverse=True)
print(len(boxed),len(ok))
for r in rows[:40]: print(r)
