#!/usr/bin/python3
"""Decodes two checkin payloads as MirrorManager does (urlsafe base64, bz2,
json) and exits 0 when the objects are equal.  Usage: checkin_compare.py A B"""
import base64
import bz2
import json
import sys


def decode(path):
    with open(path) as f:
        return bz2.decompress(base64.urlsafe_b64decode(f.read()))


a, b = decode(sys.argv[1]), decode(sys.argv[2])
ja, jb = json.loads(a), json.loads(b)
dirs = len(ja["fedora linux"]["dirtree"])
print(f"{dirs} directories, decoded objects {'equal' if ja == jb else 'DIFFERENT'},"
      f" JSON text {'identical' if a == b else 'differs'}")
sys.exit(0 if ja == jb else 1)
