#!/usr/bin/env python3
"""The seed's IoT API as a local test server: records every submission and answers as told.

Prints "port N" on stdout once listening (port 0 picks a free one). Every POST is recorded
as one line in --record: "POST <path> <auth header or -> <body>" for the bodies it accepted,
"REFUSED <code>" or "HUNG" for those it did not. stdin commands switch the answer:

  mode ok       200 with {"status":"ok"} (the default)
  mode 500      500, body kept by the client for the retry
  mode hang     accept and never answer (the client's timeout must fire)
  quit

With --exit-on-eof it exits when stdin closes (tests). Standard library only.
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    mode = "ok"
    record = None
    lock = threading.Lock()


def log(line):
    with State.lock:
        if State.record:
            State.record.write(line + "\n")
            State.record.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        mode = State.mode
        if mode == "hang":
            log("HUNG")
            while State.mode == "hang":
                time.sleep(0.05)
            self.close_connection = True
            return
        if mode != "ok":
            code = int(mode)
            log("REFUSED %d" % code)
            self.reply(code, b'{"status":"error"}')
            return
        try:
            parsed = json.loads(body)
            compact = json.dumps(parsed, separators=(",", ":"))
        except ValueError:
            log("BADJSON " + body.decode(errors="replace"))
            self.reply(400, b'{"status":"bad json"}')
            return
        auth = self.headers.get("Authorization") or "-"
        log("POST %s %s %s" % (self.path, auth.replace(" ", "_"), compact))
        self.reply(200, b'{"status":"ok"}')

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record")
    parser.add_argument("--exit-on-eof", action="store_true")
    args = parser.parse_args()
    State.record = open(args.record, "a") if args.record else None
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("port %d" % server.server_address[1], flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "mode" and len(words) > 1:
            State.mode = words[1]
    else:
        if not args.exit_on_eof:
            while True:
                time.sleep(3600)
    State.mode = "ok"
    server.shutdown()


if __name__ == "__main__":
    main()
