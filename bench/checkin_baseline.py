#!/usr/bin/python3
"""Baseline for bench_checkin.sh: the checkin payload built the way MirrorManager's
report_mirror builds it (os.walk with its exclude_dirs step, json.dumps, bz2,
urlsafe base64).  Usage: checkin_baseline.py DIR OUT; prints the seconds taken."""
import base64
import bz2
import copy
import json
import os
import sys
import time

exclude_list = []


def exclude_dirs(root, dirs):
    for d in copy.copy(dirs):
        testdir = os.path.join(root, d, "")
        for pattern in exclude_list:
            if pattern in testdir:
                dirs.remove(d)
                break


def gen_dirtree(path):
    dirtree = {}
    for dirpath, dirnames, filenames in os.walk(path):
        exclude_dirs(dirpath, dirnames)
        short_path = dirpath[len(path):] if path.endswith("/") else dirpath[len(path) + 1:]
        dirtree[short_path] = {}
    return dirtree


start = time.monotonic()
config = {"version": 0,
          "global": {"enabled": "1", "server": "http://127.0.0.1/xmlrpc"},
          "site": {"enabled": "1", "name": "Example", "password": "x"},
          "host": {"enabled": "1", "name": "mirror.example.edu"},
          "stats": {},
          "fedora linux": {"enabled": "1", "dirtree": gen_dirtree(sys.argv[1])}}
data = base64.urlsafe_b64encode(bz2.compress(json.dumps(config).encode())).decode()
elapsed = time.monotonic() - start
with open(sys.argv[2], "w") as f:
    f.write(data)
print(f"{elapsed:.3f}")
