#!/usr/bin/python3
"""Bench data for the file-list planning bench (bench/bench_filelist.sh).

fltree.py DIR [ENTRIES] writes
  DIR/local/fedora/...                          a mirror's tree of ENTRIES entries (empty files
                                                and their directories; sizes live in the lists)
  DIR/local/fedora/fullfiletimelist-fedora      the list of the last run, matching that tree
  DIR/up/fedora/fullfiletimelist-fedora         the upstream's new list: 1 % of the entries
                                                changed (0.5 % newer, 0.25 % other size,
                                                0.125 % new, 0.125 % removed)
  DIR/since                                     the last run's start (epoch seconds)
in create-filelist's format (see tests/fixtures/mkfilelist.py), paths shaped
like Fedora's ("linux/updates/40/Everything/x86_64/Packages/d042/...rpm").
"""
import os
import random
import sys

top = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
random.seed(42)
base = 'linux/updates/40/Everything/x86_64/Packages'
parents = ['linux', 'linux/updates', 'linux/updates/40', 'linux/updates/40/Everything',
           'linux/updates/40/Everything/x86_64', base]
ndirs = 1000
nfiles = total - ndirs - len(parents)
T0, T1 = 1700000000, 1700100000   # old entries / the last run's start
local = os.path.join(top, 'local', 'fedora')

dirs = ['%s/d%03d' % (base, d) for d in range(ndirs)]
files = []
for i in range(nfiles):
    files.append(['%s/pkg%07d-%d.%d.%d-%d.fc40.x86_64.rpm' % (dirs[i % ndirs], i, i % 7, i % 13, i % 5, i % 3),
                  T0 + i % 86400, 1000 + i % 100000])

for d in parents + dirs:
    os.makedirs(os.path.join(local, d), exist_ok=True)
for p, _, _ in files:
    os.close(os.open(os.path.join(local, p), os.O_CREAT | os.O_WRONLY, 0o644))
# The sizes the list gives: a local empty file has size 0, so list them as 0 too.
for f in files:
    f[2] = 0


def write(path, entries):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('[Version]\n2\n\n[Files]\n')
        f.writelines('%d\tf\t%d\t%s\n' % (t, s, p) for p, t, s in entries)
        f.writelines('%d\td\t4096\t%s\n' % (T0, d) for d in reversed(parents + dirs))
        f.write('\n[Checksums SHA1]\n\n[End]\n')
    os.rename(tmp, path)


write(os.path.join(local, 'fullfiletimelist-fedora'), files)
n = len(files)
pick = random.sample(range(n), n // 100)
q = len(pick) // 8
newer, sized, gone = pick[:4 * q], pick[4 * q:6 * q], set(pick[6 * q:7 * q])
new = [['%s/new%07d-1.0-1.fc40.noarch.rpm' % (dirs[i % ndirs], i), T1 + 60, 1234] for i in range(len(pick) - 7 * q)]
for i in newer:
    files[i][1] = T1 + 30
for i in sized:
    files[i][1] = T1 + 40
    files[i][2] = 4321
os.makedirs(os.path.join(top, 'up', 'fedora'), exist_ok=True)
write(os.path.join(top, 'up', 'fedora', 'fullfiletimelist-fedora'),
      [f for i, f in enumerate(files) if i not in gone] + new)
with open(os.path.join(top, 'since'), 'w') as f:
    f.write('%d\n' % T1)
