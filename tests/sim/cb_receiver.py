#!/usr/bin/env python3
"""HTTPS receiver for COUPON.SEND callbacks in the sim conformance test.

Usage: cb_receiver.py CERT KEY OUTDIR FAIL_FIRST
Listens on 127.0.0.1 (free port), prints "port N" on stdout, answers the
first FAIL_FIRST requests with HTTP 500 and later ones with 200, and writes
each request as OUTDIR/req-<n>.json: {"headers": {...}, "body": "..."}.
"""
import http.server
import json
import os
import ssl
import sys

cert, key, outdir, fail_first = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
count = 0


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        count += 1
        with open(os.path.join(outdir, "req-%d.json" % count), "w") as f:
            json.dump({"headers": {k: v for k, v in self.headers.items()},
                       "body": body.decode("utf-8")}, f, ensure_ascii=False)
        status = 500 if count <= fail_first else 200
        out = b'{"code":"FAIL","message":"test"}' if status == 500 else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("port %d" % srv.server_address[1], flush=True)
srv.serve_forever()
