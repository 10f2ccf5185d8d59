#!/usr/bin/env python3
"""raw_request.py — send hand-made HTTP requests over TLS and check that
each is refused with a JSON error, whatever bytes it carried.

Usage: raw_request.py HOST PORT CAFILE STATUS FILE...
Each FILE holds one raw request (request line, headers, body) exactly as
it goes on the wire. Every answer must have a status starting with STATUS
(e.g. "401" or "4"), a JSON object body with a non-empty "code", and none
of the bytes 0xff or ESC. Prints "ok" when all hold, else why (exit 1).
"""
import json
import socket
import ssl
import sys

host, port, ca, want = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
for path in sys.argv[5:]:
    req = open(path, "rb").read()
    s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
    s.sendall(req)
    r = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        r += d
    s.close()
    head, _, body = r.partition(b"\r\n\r\n")
    status = head[9:12].decode("ascii", "replace")
    try:
        code = json.loads(body).get("code")
    except ValueError:
        code = None
    if not status.startswith(want) or not code or b"\xff" in body or b"\x1b" in body:
        print("%s: status %s, body %r" % (path, status, body[:200]))
        sys.exit(1)
print("ok")
