#!/usr/bin/env python3
"""A small local HTTP(S) server the tests talk to instead of a cloud.

Prints "port N" on stdout once listening (port 0 picks a free one), then serves until killed.

Routes:
  /status/<code>             answers <code> with body "status <code>"
  /echo                      any method: JSON {method, path, query, headers, body}
  /bytes/<n>                 n bytes of "x" with a Content-Length
  /chunked/<n>               n bytes of "x", chunked (no length known in advance)
  /dribble/<chunks>/<ms>     one 1-byte chunk every <ms> ms, <chunks> times
  /hang                      accepts, never answers (until the client goes away)
  /skoda/refresh-token       the MySkoda refresh endpoint, scripted by --skoda-* options (the
                             mode file may say exp:<number text> for the access token's exp)

--tls CERT KEY serves HTTPS.
"""
import argparse
import base64
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class State:
    skoda_mode = "ok"          # ok | garbage | 401 | 500 | exp:<JSON number text>
    skoda_lifetime = 3600      # seconds until the issued access token's exp
    skoda_counter = 0
    skoda_log = None           # file the refresh requests' bodies are appended to
    lock = threading.Lock()


def jwt(claims):
    return jwt_payload(json.dumps(claims).encode())


def jwt_payload(payload):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return header + "." + b64(payload) + ".sig"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, code, body, content_type="text/plain", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def handle_any(self):
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        payload = self.body()
        if parts[:1] == ["status"] and len(parts) == 2:
            code = int(parts[1])
            # 1xx, 204 and 304 have no body by definition.
            no_body = code < 200 or code in (204, 304)
            self.send(code, b"" if no_body else ("status %d" % code).encode())
        elif parts == ["echo"]:
            doc = {"method": self.command, "path": url.path, "query": url.query,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": payload.decode("utf-8", "replace")}
            self.send(200, json.dumps(doc).encode(), "application/json")
        elif parts[:1] == ["bytes"]:
            self.send(200, b"x" * int(parts[1]))
        elif parts[:1] == ["chunked"]:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            left = int(parts[1])
            while left > 0:
                n = min(left, 16384)
                self.chunk(b"x" * n)
                left -= n
            self.wfile.write(b"0\r\n\r\n")
        elif parts[:1] == ["dribble"]:
            chunks, delay = int(parts[1]), int(parts[2]) / 1000.0
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(chunks):
                self.chunk(b"d")
                time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
        elif parts == ["hang"]:
            # Wait for the client to give up (its read returns EOF), at most 60 s.
            self.connection.settimeout(60)
            try:
                self.connection.recv(1)
            except OSError:
                pass
            self.close_connection = True
        elif parts[:2] == ["skoda", "refresh-token"] or url.path.endswith("/authentication/refresh-token"):
            self.skoda_refresh(payload, url.query)
        else:
            self.send(404, b"no such route")

    def skoda_refresh(self, payload, query):
        with State.lock:
            State.skoda_counter += 1
            n = State.skoda_counter
            mode = State.skoda_mode
            if State.skoda_log:
                with open(State.skoda_log, "a") as f:
                    f.write(json.dumps({"query": query, "body": payload.decode("utf-8", "replace")}) + "\n")
        if mode == "401":
            self.send(401, b'{"error":"invalid_grant"}', "application/json")
            return
        if mode == "500":
            self.send(500, b"<html>oops</html>", "text/html")
            return
        if mode == "garbage":
            self.send(200, b"<html>not json</html>", "text/html")
            return
        try:
            token = json.loads(payload)["token"]
        except Exception:
            self.send(400, b'{"error":"no token"}', "application/json")
            return
        exp = int(time.time()) + State.skoda_lifetime
        access = jwt({"sub": "user", "exp": exp, "n": n})
        if mode.startswith("exp:"):
            # The exp claim exactly as written ("9.3e18", "1e400"): what a broken cloud could send.
            access = jwt_payload(('{"sub": "user", "exp": %s, "n": %d}' % (mode[4:], n)).encode())
        doc = {"accessToken": access,
               "refreshToken": "refresh-%d-from-%s" % (n, token[-8:]),
               "idToken": jwt({"sub": "user", "exp": exp})}
        self.send(200, json.dumps(doc).encode(), "application/json")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--skoda-mode", choices=["ok", "garbage", "401", "500"], default="ok")
    parser.add_argument("--skoda-lifetime", type=int, default=3600)
    parser.add_argument("--skoda-log")
    parser.add_argument("--skoda-mode-file", help="read the mode from this file at every request")
    args = parser.parse_args()
    State.skoda_mode = args.skoda_mode
    State.skoda_lifetime = args.skoda_lifetime
    State.skoda_log = args.skoda_log
    if args.skoda_mode_file:
        original = Handler.skoda_refresh

        def scripted(self, payload, query):
            try:
                with open(args.skoda_mode_file) as f:
                    State.skoda_mode = f.read().strip() or "ok"
            except OSError:
                pass
            original(self, payload, query)
        Handler.skoda_refresh = scripted
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
