"""One C2 compilation from a -XX:+LogCompilation file: the class-check trap counts C2 adds up while it
parses (observe trap='class_check'), the methods whose profiles contribute them, and the call sites it
compiled with a virtual call beside the inlined code (virtual_call), with the stack of parsed methods
(a late-inlined method is parsed on its own, so its stack starts with it; bci 6 of FloatVector::fma is its
call of lanewise).
Usage: python3 compile-traps.py LOG COMPILE_ID"""
import re, sys, collections
path, cid = sys.argv[1], sys.argv[2]
task, on = [], False
for line in open(path, errors='replace'):
    if line.startswith(f"<task compile_id='{cid}'"): on = True
    if on: task.append(line)
    if on and line.startswith('</task>'): break
K, M, stack, contrib, last = {}, {}, [], collections.Counter(), None
parses = collections.Counter()  # (method, traps in its profile) -> times parsed
virtual = []
for l in task:
    m = re.search(r"<klass id='(\d+)' name='([^']+)'", l)
    if m: K[m.group(1)] = m.group(2).split('.')[-1]
    m = re.search(r"<method id='(\d+)' holder='(\d+)' name='([^']+)'", l)
    if m: M[m.group(1)] = K.get(m.group(2), '?') + '::' + m.group(3)
    m = re.match(r"<parse method='(\d+)'", l)
    if m: stack.append(M.get(m.group(1)))
    if l.startswith('</parse>'): stack.pop()
    m = re.search(r"<observe trap='class_check' count='(\d+)' total='(\d+)'", l)
    if m: contrib[stack[-1]] += int(m.group(1)); parses[(stack[-1], int(m.group(1)))] += 1; last = m.group(2)
    if '<virtual_call' in l: virtual.append(' > '.join(stack) + ' ' + l.strip())
print(task[0].strip()[:160])
print('nmethod:', [l.strip() for l in task if l.startswith('<task_done')][0])
print('class_check traps added up over the parse:', last, dict(contrib))
print('  as traps in the profile x times parsed:', ', '.join(f'{m} {c} x {n}' for (m, c), n in parses.items()))
print('Vector classes in the compile:', sorted({v for v in K.values() if 'Vector' in v and ('Float' in v or 'Double' in v)}))
print('virtual calls kept beside inlined code:', len(virtual))
for v in virtual: print('  ', v)
