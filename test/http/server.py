#!/usr/bin/env python3
"""A small HTTP server for the HTTP sink's tests.

Every request is appended to --log as one JSON line (method, path, headers,
body, the status answered). Behaviour:
  --fail-first N   answer 503 to the first N requests
  --user U:P       require basic auth with these credentials (else 401)
  a body containing "bad-request" is answered 400
  --delay-ms D     wait D ms before answering each request
  --serve FILE     GET answers FILE's contents (read at each request) with
                   an ETag of them and Last-Modified; If-None-Match with
                   that ETag is answered 304 (the polling source's tests)
  --token T        require "Authorization: Bearer T" (else 401)
Prints "listening <port>" once bound (port 0 picks a free one).
"""
import argparse
import base64
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
count = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def handle_any(self):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            count += 1
            n = count
        status = 200
        if args.user:
            want = "Basic " + base64.b64encode(args.user.encode()).decode()
            if self.headers.get("Authorization") != want:
                status = 401
        if args.token:
            if self.headers.get("Authorization") != "Bearer " + args.token:
                status = 401
        if status == 200 and n <= args.fail_first:
            status = 503
        if status == 200 and "bad-request" in body:
            status = 400
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000.0)
        if args.serve and status == 200 and self.command == "GET":
            with open(args.serve, "rb") as f:
                content = f.read()
            etag = '"%s"' % hashlib.sha1(content).hexdigest()
            if self.headers.get("If-None-Match") == etag:
                status = 304
            self.log_request_line(n, body, status)
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Sat, 05 Dec 2026 10:00:00 GMT")
            self.send_header("Content-Type", "application/json")
            if status == 304:
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            return
        self.log_request_line(n, body, status)
        out = b'{"ok":true}' if status == 200 else b'{"error":"no"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_request_line(self, n, body, status):
        rec = {"n": n, "method": self.command, "path": self.path,
               "headers": dict(self.headers), "body": body, "status": status}
        with lock:
            with open(args.log, "a") as f:
                f.write(json.dumps(rec) + "\n")

    do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = handle_any


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--user", default=None)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--serve", default=None)
    p.add_argument("--token", default=None)
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print("listening %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
