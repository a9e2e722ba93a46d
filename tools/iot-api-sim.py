#!/usr/bin/env python3
"""The BCMS backend's IoT API as a local test server: records every request and answers as told.

Endpoints (../shared/reference/bcms.md), under any application prefix:
  POST .../api/iot-devices/exists {"hardwareIdentifier"} -> {"exists","rememberDevice","id"}
  POST .../api/iot-devices {"hardwareIdentifier","model","connectionType",...} -> 201 {"id",...}
  GET  .../api/iot-devices/<id>/last-data-submission -> {"timestamp","createdAt"} of the newest
       sample accepted for <id> (null timestamp when none; 404 for an unknown id)
  POST any other path: a data submission, recorded.

Prints "port N" on stdout once listening (port 0 picks a free one). Every request is recorded
as one line in --record: "POST <path> <auth header or -> <body>" for submissions accepted,
"EXISTS <mac> <id or ->", "CREATE <mac> <id> <body>", "LAST <id> <timestamp or ->",
"REFUSED <code> <path>" or "HUNG" for those it did not answer well, and "XHEADER <name>" for
every X-* header seen (the original sends none). stdin commands switch the answer:

  mode ok       200 (the default)
  mode 500      500 for every request, body kept by the client for the retry
  mode hang     accept and never answer (the client's timeout must fire)
  fail ENDPOINT CODE|hang|noid|ok
                only ENDPOINT (exists, create, last, submit) fails: with HTTP CODE, hangs,
                answers without an id (noid), or works again (ok)
  known MAC ID  the backend already knows MAC under ID
  last ID TS    the last data submission of ID is TS (seconds since the epoch)
  quit
Each command that took effect is recorded as "OK <command>".

With --exit-on-eof it exits when stdin closes (tests). Standard library only.
"""
import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    mode = "ok"
    record = None
    lock = threading.Lock()
    failures = {}
    devices = {}      # MAC -> id
    last = {}         # id -> newest accepted sample timestamp


def log(line):
    with State.lock:
        if State.record:
            State.record.write(line + "\n")
            State.record.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def endpoint(self):
        path = self.path.split("?")[0]
        if path.endswith("/api/iot-devices/exists"):
            return "exists"
        if path.endswith("/api/iot-devices"):
            return "create"
        if path.endswith("/last-data-submission"):
            return "last"
        return "submit"

    def refused(self, endpoint):
        """Answers a failure when told to; True when it did."""
        for name in self.headers.keys():
            if name.lower().startswith("x-"):
                log("XHEADER " + name)
        mode = State.failures.get(endpoint) or State.mode
        if mode == "hang":
            log("HUNG")
            while (State.failures.get(endpoint) or State.mode) == "hang":
                time.sleep(0.05)
            self.close_connection = True
            return True
        if mode in ("ok", "noid"):
            return False
        code = int(mode)
        log("REFUSED %d %s" % (code, self.path))
        self.reply(code, b'{"status":"error"}')
        return True

    def do_GET(self):
        if self.refused("last"):
            return
        parts = self.path.split("?")[0].split("/")
        device = parts[-2] if len(parts) >= 2 else ""
        if device not in State.devices.values():
            log("LAST %s 404" % device)
            self.reply(404, b'{"message":"not found"}')
            return
        stamp = State.last.get(device)
        log("LAST %s %s" % (device, "-" if stamp is None else stamp))
        created = None if stamp is None else time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.reply(200, json.dumps({"timestamp": stamp, "createdAt": created}).encode())

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        endpoint = self.endpoint()
        if self.refused(endpoint):
            return
        if endpoint in ("exists", "create"):
            self.registration(endpoint, body)
            return
        try:
            parsed = json.loads(body)
            compact = json.dumps(parsed, separators=(",", ":"))
        except ValueError:
            log("BADJSON " + body.decode(errors="replace"))
            self.reply(400, b'{"status":"bad json"}')
            return
        auth = self.headers.get("Authorization") or "-"
        for group in parsed.get("data", []) if isinstance(parsed, dict) else []:
            for entry in group.get("data", []):
                stamp = entry.get("timestamp")
                if isinstance(stamp, (int, float)):
                    device = group.get("iotDeviceId")
                    State.last[device] = max(State.last.get(device, stamp), stamp)
        log("POST %s %s %s" % (self.path, auth.replace(" ", "_"), compact))
        self.reply(200, b'{"status":"ok"}')

    def registration(self, endpoint, body):
        try:
            parsed = json.loads(body)
            mac = parsed["hardwareIdentifier"]
        except (ValueError, KeyError, TypeError):
            log("BADJSON " + body.decode(errors="replace"))
            self.reply(400, b'{"status":"bad json"}')
            return
        noid = State.failures.get(endpoint) == "noid"
        if endpoint == "exists":
            known = State.devices.get(mac)
            log("EXISTS %s %s" % (mac, known or "-"))
            answer = {"exists": known is not None, "rememberDevice": known is not None, "id": None if noid else known}
            self.reply(200, json.dumps(answer).encode())
            return
        device = State.devices.setdefault(mac, str(uuid.uuid4()))
        log("CREATE %s %s %s" % (mac, device, json.dumps(parsed, separators=(",", ":"), sort_keys=True)))
        answer = dict(parsed)
        if not noid:
            answer["id"] = device
        self.reply(201, json.dumps(answer).encode())

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
        # Acknowledged after it takes effect, so a test knows the next request sees it.
        ack = True
        if words[0] == "mode" and len(words) > 1:
            State.mode = words[1]
        elif words[0] == "fail" and len(words) > 2:
            State.failures[words[1]] = None if words[2] == "ok" else words[2]
        elif words[0] == "known" and len(words) > 2:
            State.devices[words[1]] = words[2]
        elif words[0] == "last" and len(words) > 2:
            State.last[words[1]] = int(words[2])
        else:
            ack = False
        if ack:
            log("OK " + " ".join(words))
    else:
        if not args.exit_on_eof:
            while True:
                time.sleep(3600)
    State.mode = "ok"
    server.shutdown()


if __name__ == "__main__":
    main()
