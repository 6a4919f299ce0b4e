#!/usr/bin/python3
"""A hostile peer on 127.0.0.1 for timeout and size-limit tests.

Usage: hostile_server.py PORTFILE MODE
MODE:
  hang      accept connections, never send a byte (TCP or any protocol)
  trickle   send one byte every second, for ever
  huge      answer any HTTP request with 200 and a 100 MB body (Content-Length)
  endless   answer any HTTP request with 200 and an endless chunked body
  xmlrpc    answer with a 100 MB XML-RPC methodResponse string
The free port is written to PORTFILE; the server runs until killed."""
import os
import socket
import sys
import threading
import time

portfile, mode = sys.argv[1:3]
MB = 1 << 20


def read_request(c):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            return False
        data += chunk
    return True


def serve(c):
    try:
        if mode == "hang":
            while c.recv(65536):
                pass
        elif mode == "trickle":
            while True:
                c.sendall(b"x")
                time.sleep(1)
        elif mode in ("huge", "xmlrpc"):
            if not read_request(c):
                return
            if mode == "huge":
                head, body, tail = b"", b"\0" * MB, b""
            else:
                head = b"<?xml version='1.0'?><methodResponse><params><param><value><string>"
                body, tail = b"A" * MB, b"</string></value></param></params></methodResponse>"
            size = len(head) + 100 * len(body) + len(tail)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % size + head)
            for _ in range(100):
                c.sendall(body)
            c.sendall(tail)
        elif mode == "endless":
            if not read_request(c):
                return
            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (MB, b"\0" * MB)
            while True:
                c.sendall(chunk)
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
