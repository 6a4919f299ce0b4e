#!/usr/bin/python3
"""Stand-in HTTP endpoint (MirrorCache's POST /rest/server): records each
request as one JSON line {"path", "headers", "body"} in RECORD and answers
200 with {"id": 1}.  Listens on 127.0.0.1, a free port written to PORTFILE.
Usage: http_record.py PORTFILE RECORD"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

portfile, record = sys.argv[1:3]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(record, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers),
                                "body": json.loads(body)}) + "\n")
        reply = b'{"id": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
