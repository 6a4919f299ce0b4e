#!/usr/bin/python3
"""Synthetic mirror tree for bench_checkin.sh: DIRS directories shaped like a
Fedora release tree (version/variant/arch/kind/PackagesN); every leaf directory
holds FILES empty files, every inner directory one repomd.xml.
Usage: mktree.py ROOT DIRS FILES"""
import os
import sys

root, total, nfiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
levels = [[str(v) for v in range(20, 45)], ["Everything", "Server", "Workstation", "Cloud"],
          ["x86_64", "aarch64", "ppc64le", "s390x", "i686"], ["os", "debug", "iso", "images"]]
os.makedirs(root)
count, inner = 1, [""]
for names in levels:
    nxt = []
    for parent in inner:
        if count + len(names) > total:
            break
        for n in names:
            rel = f"{parent}/{n}" if parent else n
            os.mkdir(os.path.join(root, rel))
            nxt.append(rel)
            count += 1
        os.close(os.open(os.path.join(root, parent, "repomd.xml"), os.O_CREAT | os.O_WRONLY, 0o644))
    inner = nxt or inner
i = 0
flags = os.O_CREAT | os.O_WRONLY
while count < total:
    leaf = os.path.join(root, inner[i % len(inner)], f"Packages{i // len(inner)}")
    os.mkdir(leaf)
    for f in range(nfiles):
        os.close(os.open(f"{leaf}/pkg-{i}-{f}.rpm", flags, 0o644))
    count += 1
    i += 1
