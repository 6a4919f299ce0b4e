#!/usr/bin/env python3
"""Rewrites the generated part of man/mirrorprov-profiles.7 (everything after the
GENERATED marker): the rules table and the sources of every shipped profile, from
`mirrorprov profiles show NAME -J`, so the page says exactly what the profiles hold.
Usage: profiles-table.py MIRRORPROV PAGE [--check]   (--check: exit 1 when stale)"""
import json
import subprocess
import sys


def run(mp, *args):
    return json.loads(subprocess.run([mp, "profiles", *args, "-J"], check=True, capture_output=True, text=True).stdout)


def esc(s):
    return s.replace("\\", "\\e").replace("-", "\\-")


def refs(p, key):
    fact = p["facts"].get(key)
    if fact is None:
        return ""
    nums = [str(i + 1) for i, s in enumerate(p["sources"]) if key in s["supports"]]
    out = " [" + ",".join(nums) + "]" if nums else ""
    return out + (" UNVERIFIED" if fact["unverified"] else "")


def main():
    mp = sys.argv[1]
    names = [row["name"] for row in run(mp)["profiles"]]
    profiles = [run(mp, "show", n) for n in names]
    out = [".nh", ".ad l", ".TS", "allbox tab(|);", "lb lb lb lb lb", "l lx lx lx lx.",
           "PROFILE|PULL FROM|METHOD|POLL MARKER|BACKEND"]
    for p in profiles:
        pull = p["pull"] + refs(p, "pull") + ": "
        if p["pull"] == "public":
            pull += "default " + p["upstreams"][0] + refs(p, "upstream")
        else:
            pull += "host.conf names one of " + p["upstream_list"]
        method = p["method"] + refs(p, "method")
        if p.get("archive") is not None:
            method += " (ftpsync%s.conf)" % ("-" + p["archive"] if p["archive"] else "")
        poll = ", ".join(p["poll"]) + refs(p, "poll") if p["poll"] else "none (always a full run)"
        if p["poll_refresh"]:
            poll += "; refreshes " + ", ".join(p["poll_refresh"])
        backend = (p["backend"] + " " + (p["backend_url"] or "") + refs(p, "backend")) if p["backend"] else "none"
        cells = [p["name"], pull, method, poll, backend]
        # URLs may break after a slash or dot (\:) in the narrow columns.
        cells = [esc(c).replace("/", "/\\:").replace(".", ".\\:").replace("\\-", "\\-\\:").replace("_", "_\\:") for c in cells]
        out.append("|".join("T{\n" + c + "\nT}" if i else c for i, c in enumerate(cells)))
    out += [".TE", ".hy", ".ad b"]
    out.append(".SH SOURCES")
    out.append("Numbers in the table refer to these lists; each source names the keys it supports and the"
               " day it was checked.")
    for p in profiles:
        out.append(".SS " + p["name"])
        for i, s in enumerate(p["sources"]):
            out.append(".TP\n[%d] %s (checked %s; supports %s)" % (i + 1, esc(s["url"]), s["checked"],
                                                                  esc(", ".join(s["supports"]))))
            if s.get("note"):
                out.append(esc(s["note"]))
        unv = [k for k, f in p["facts"].items() if f["unverified"]]
        if unv:
            out.append(".TP\nUNVERIFIED\n" + esc(", ".join(unv)))
    page = sys.argv[2]
    text = open(page).read()
    marker = ".\\\" GENERATED\n"
    new = text[:text.index(marker) + len(marker)] + "\n".join(out) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if new == text else "%s is stale: run make man-profiles" % page)
    if new != text:
        open(page, "w").write(new)


main()
