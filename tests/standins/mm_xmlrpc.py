#!/usr/bin/python3
"""Stand-in for MirrorManager2's XML-RPC checkin (mirrormanager2/xml_rpc.py,
lib/hostconfig.py, lib/__init__.py uploaded_config) for the tests: decodes the
payload exactly as MirrorManager does, applies its checks in its order with
its reply strings, and records each decoded config in RECORD (JSON lines).

Usage: mm_xmlrpc.py PORTFILE DB.json RECORD
DB.json: {"sites": [{"name": ..., "password": ...,
          "hosts": [{"name": ..., "private": bool,
                     "categories": {"Fedora Linux": {"topdir": "pub/fedora/linux",
                                    "dirs": ["", "releases", ...]}}}]}]}
"dirs" are the Directory rows MirrorManager knows below the category topdir.
The server listens on 127.0.0.1, a free port written to PORTFILE."""
import base64
import bz2
import json
import pickle
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

portfile, dbfile, record = sys.argv[1:4]
with open(dbfile) as f:
    DB = json.load(f)
HCD = {}   # (host name, category) -> {path: up2date}


def validate_config(config):
    message = ""
    if type(config) != dict:
        return False, "config file is not a dict.\nPlease update your copy of report_mirror.\n"
    if "version" not in config:
        return False, "config file has no version field.\n"
    if config["version"] != 0:
        return False, "config file version is not 0, is %s.\n" % (config["version"])
    for section in ["global", "site", "host"]:
        if section not in config:
            return False, "config file missing section %s.\n" % (section)
    globl = config["global"]
    if "enabled" not in globl or globl["enabled"] != "1":
        return False, "config file section [global] not enabled.\n"
    for opt in ["name", "password"]:
        if opt not in config["site"]:
            return False, "config file [site] missing required option %s.\n" % (opt)
    if "name" not in config["host"]:
        return False, "section [host] missing required option name.\n"
    for category in config:
        if category in ["global", "site", "host", "version", "stats"]:
            continue
        if "dirtree" not in config[category]:
            return False, f"section [{category}] missing required option dirtree.\n"
    return True, message


def uploaded_config(host, config):
    message = ""
    for cat_name in [k for k in config if k not in ["version", "global", "site", "host", "stats"]]:
        if "dirtree" not in config[cat_name]:
            continue
        cat = next((c for c in host["categories"] if c.lower() == cat_name.lower()), None)
        if cat is None:
            # "Only accept entries for existing HostCategories."
            continue
        hcd = HCD.setdefault((host["name"], cat), {})
        known = set(host["categories"][cat]["dirs"])
        updated = added = deleted = 0
        for dirname in config[cat_name]["dirtree"]:
            d = dirname.strip("/")
            if d in hcd:
                updated += 1
                hcd[d] = True
            elif d in known:
                hcd[d] = True
                added += 1
        for path in list(hcd):
            if path not in config[cat_name]["dirtree"]:
                del hcd[path]
                deleted += 1
        message += f"Category {cat} directories updated: {updated}  added: {added}  deleted {deleted}\n"
    return message


def read_host_config(config):
    rc, message = validate_config(config)
    if not rc:
        return None, "", message + "Invalid config file provided, please check your report_mirror.conf."
    csite, chost = config["site"], config["host"]
    site = next((s for s in DB["sites"] if s["name"] == csite["name"]), None)
    if not site or csite["password"] != site["password"]:
        return None, chost["name"], "Config file site name or password incorrect.\n"
    host = next((h for h in site["hosts"] if h["name"] == chost["name"]), None)
    if not host:
        return None, chost["name"], "Config file host name for site not found.\n"
    if host["private"] is False:
        return None, chost["name"], "Only private mirrors are allowed to use report_mirror.\n"
    return True, chost["name"], uploaded_config(host, config)


def checkin(pickledata):
    uncompressed = bz2.decompress(base64.urlsafe_b64decode(pickledata))
    try:
        config = json.loads(uncompressed)
    except ValueError:
        config = pickle.loads(uncompressed)
    with open(record, "a") as f:
        f.write(json.dumps(config) + "\n")
    r, host, message = read_host_config(config)
    if r is not None:
        return message + "checked in successful"
    return message + "error checking in"


class Handler(SimpleXMLRPCRequestHandler):
    # MirrorManager's endpoint is /xmlrpc below its web UI (Fedora: /, Rocky:
    # /mirrormanager/, RPM Fusion: /mm/)
    def is_rpc_path_valid(self):
        return self.path.endswith("/xmlrpc")

    def log_message(self, *args):
        pass


server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Handler, logRequests=False, allow_none=True)
server.register_function(checkin)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
