#!/usr/bin/env python3
"""BMW CarData's HTTP side, faked for tests and `make demo`: the OAuth device flow with
PKCE, the token refresh and the data catalogue, answering the way BMW does.

The client_id picks the scenario of a device-code login (so one server serves every test):
  anything else    authorization_pending, then slow_down, then tokens (--approve-after polls)
  "deny"           403 access_denied after one pending
  "expire"         401 expired_token after one pending
  "invalid"        401 invalid_client at the device/code request
  "garbage"        the token endpoint answers 200 with an HTML page
  "no-id-token"    logins work; refreshes come back without an id_token
  "flaky"          after one pending, two 503s in a row (a plain HTML page), then tokens
  "down"           after one pending, 502 to every poll
  "dead-token"     after one pending, 500 with the API gateway's invalid_access_token fault
  "no-link"        the device code answer has no verification_uri_complete and no expires_in
Refresh tokens rotate at every refresh; an unknown one gets 400 invalid_grant.

  POST /oauth/device/code     form: client_id, response_type, scope, code_challenge(_method)
  POST /oauth/token           device_code grant (checks the PKCE verifier) or refresh_token
  GET  /catalogue?offset=N    10 items a page of --catalogue-items, data.hasNextPage

With --passwd FILE every id_token issued is written there for its gcid (mosquitto_passwd)
and --broker-pid gets SIGHUP to reload it, so a local mosquitto stands in for BMW's broker.
--stale N keeps the first N tokens out of that file (the broker refuses them: "not
authorized" recovery). --id-token-ttl sets the JWT exp. Each request is appended to
--record as a JSON line (never with a token value in it). The port is printed first.
Standard library only: a test and demo tool, not firmware.
"""
import argparse
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Cloud:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.devices = {}        # device_code -> {client_id, challenge, polls}
        self.refresh_tokens = {}  # refresh_token -> {client_id, gcid}
        self.issued = 0
        self.gcid = args.gcid

    def record(self, entry):
        if self.args.record:
            with self.lock, open(self.args.record, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def id_token(self, serial):
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
        claims = {"sub": self.gcid, "exp": int(time.time()) + self.args.id_token_ttl, "n": serial}
        return header + "." + b64url(json.dumps(claims).encode()) + "." + b64url(b"not-a-signature")

    def tokens(self, client_id, with_id_token=True):
        with self.lock:
            self.issued += 1
            serial = self.issued
            refresh = "rt-%d-%s" % (serial, b64url(os.urandom(6)))
            self.refresh_tokens[refresh] = {"client_id": client_id}
        body = {"access_token": "at-%d" % serial, "token_type": "Bearer", "expires_in": 3599,
                "refresh_token": refresh, "scope": "authenticate_user openid cardata:streaming:read cardata:api:read",
                "gcid": self.gcid}
        if with_id_token:
            body["id_token"] = self.id_token(serial)
            if serial > self.args.stale:
                self.allow(body["id_token"])
        return body

    def allow(self, id_token):
        if not self.args.passwd:
            return
        subprocess.run(["mosquitto_passwd", "-b", self.args.passwd, self.gcid, id_token], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(self.args.passwd, 0o644)
        if self.args.broker_pid:
            os.kill(self.args.broker_pid, signal.SIGHUP)


class Handler(BaseHTTPRequestHandler):
    cloud = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length", "0"))
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/catalogue":
            return self.reply(404, {"error": "not_found"})
        query = urllib.parse.parse_qs(url.query)
        offset = int(query.get("offset", ["0"])[0])
        self.cloud.record({"path": "catalogue", "offset": offset})
        count = self.cloud.args.catalogue_items
        items = [catalogue_item(i) for i in range(offset, min(offset + 10, count))]
        data = {"items": items, "hasNextPage": offset + 10 < count,
                "categories": {"VEHICLE_STATUS": {"description": "Status of the vehicle", "rank": 2},
                               "BEV_PHEV_DATA": {"description": "Electric drive", "rank": 5}}}
        self.reply(200, {"success": True, "data": data})

    def do_POST(self):
        cloud = self.cloud
        fields = self.form()
        client_id = fields.get("client_id", "")
        if self.path == "/oauth/device/code":
            cloud.record({"path": "device/code", "client_id": client_id, "scope": fields.get("scope"),
                          "method": fields.get("code_challenge_method")})
            if client_id == "invalid":
                return self.reply(401, {"error": "invalid_client"})
            if fields.get("response_type") != "device_code" or fields.get("code_challenge_method") != "S256":
                return self.reply(400, {"error": "invalid_request"})
            code = "dc-" + b64url(os.urandom(6))
            with cloud.lock:
                cloud.devices[code] = {"client_id": client_id, "challenge": fields.get("code_challenge", ""), "polls": 0}
            port = self.server.server_address[1]
            answer = {"user_code": "ABCD-1234", "device_code": code,
                      "verification_uri": "http://127.0.0.1:%d/link" % port,
                      "verification_uri_complete": "http://127.0.0.1:%d/link?code=ABCD-1234" % port,
                      "expires_in": cloud.args.code_ttl, "interval": cloud.args.interval}
            if client_id == "no-link":
                del answer["verification_uri_complete"], answer["expires_in"]
            return self.reply(200, answer)
        if self.path != "/oauth/token":
            return self.reply(404, {"error": "not_found"})
        grant = fields.get("grant_type", "")
        if grant == "refresh_token":
            token = fields.get("refresh_token", "")
            with cloud.lock:
                known = cloud.refresh_tokens.pop(token, None)
            cloud.record({"path": "token", "grant": "refresh", "known": known is not None})
            if known is None:
                return self.reply(400, {"error": "invalid_grant", "error_description": "unknown refresh token"})
            return self.reply(200, cloud.tokens(client_id, with_id_token=client_id != "no-id-token"))
        if grant != "urn:ietf:params:oauth:grant-type:device_code":
            return self.reply(400, {"error": "unsupported_grant_type"})
        with cloud.lock:
            device = cloud.devices.get(fields.get("device_code", ""))
            if device:
                device["polls"] += 1
                polls = device["polls"]
        cloud.record({"path": "token", "grant": "device_code", "polls": polls if device else 0})
        if device is None:
            return self.reply(400, {"error": "invalid_grant"})
        verifier = fields.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != device["challenge"]:
            return self.reply(400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
        scenario = device["client_id"]
        if polls == 1:
            return self.reply(403, {"error": "authorization_pending"})
        if scenario == "deny":
            return self.reply(403, {"error": "access_denied"})
        if scenario == "expire":
            return self.reply(401, {"error": "expired_token"})
        if scenario == "flaky" and polls in (2, 3):
            return self.reply(503, b"<html><body>503 Service Temporarily Unavailable</body></html>", "text/html")
        if scenario == "down":
            return self.reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if scenario == "dead-token":
            return self.reply(500, {"fault": {"faultstring": "Invalid Access Token",
                                              "detail": {"errorcode": "keymanagement.service.invalid_access_token"}}})
        if scenario == "flaky" and polls < max(4, cloud.args.approve_after):
            return self.reply(403, {"error": "authorization_pending"})
        if scenario == "garbage":
            return self.reply(200, b"<html><body>Service unavailable</body></html>", "text/html")
        if polls == 2:
            return self.reply(400, {"error": "slow_down"})
        if polls < cloud.args.approve_after:
            return self.reply(403, {"error": "authorization_pending"})
        with cloud.lock:
            cloud.devices.pop(fields.get("device_code", ""), None)
        return self.reply(200, cloud.tokens(scenario))


def catalogue_item(i):
    known = [("vehicle.cabin.door.row2.driver.isOpen", "Status of rear left door", "", "VEHICLE_STATUS", "boolean"),
             ("vehicle.drivetrain.batteryManagement.header", "State of charge", "%", "BEV_PHEV_DATA", "integer"),
             ("vehicle.vehicle.travelledDistance", "Mileage", "km", "VEHICLE_STATUS", "integer")]
    if i < len(known):
        key, name, unit, category, datatype = known[i]
    else:
        key, name, unit, category, datatype = ("vehicle.test.item%d" % i, "Test item %d" % i, "-",
                                               "VEHICLE_STATUS", "string")
    return {"id": key, "name": name, "description": name + ".", "unit": unit, "range": "", "datatype": datatype,
            "streamable": True, "vehicletypes": ["BEV"], "brand": ["BMW"], "category": category}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record")
    parser.add_argument("--gcid", default="0b2bc8a1-5f7c-4c1e-9b1f-2f3c4d5e6f70")
    parser.add_argument("--interval", type=int, default=1)
    parser.add_argument("--code-ttl", type=int, default=300)
    parser.add_argument("--approve-after", type=int, default=3)
    parser.add_argument("--id-token-ttl", type=int, default=3600)
    parser.add_argument("--passwd")
    parser.add_argument("--broker-pid", type=int)
    parser.add_argument("--stale", type=int, default=0)
    parser.add_argument("--catalogue-items", type=int, default=25)
    args = parser.parse_args()
    Handler.cloud = Cloud(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
