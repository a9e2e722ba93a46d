#!/usr/bin/env python3
"""A tiny MQTT 5 broker stand-in that records every CONNECT and answers as told.

A subscriber never sees another client's CONNECT, so this is how tests check what a client
really sends: username, password, clean start, keepalive, session expiry and the user
properties (e.g. Skoda's auth_method/auth_credentials, a BMW gcid/id_token pair).

  --port N            listen on 127.0.0.1:N (0: pick one; the port is printed first on stdout)
  --record FILE       append one JSON line per CONNECT: {"client_id", "username", "password",
                      "user_properties": [[name, value], ...], "session_expiry", "clean_start",
                      "keepalive", "protocol"}
  --reasons LIST      CONNACK reason codes for successive connects, comma separated; the last
                      one repeats (default "0"). "0d142" accepts, then sends a DISCONNECT with
                      reason 142 after --disconnect-after seconds (default 0.3).
  --suback LIST       SUBACK answers for successive SUBSCRIBE packets, comma separated; the last
                      one repeats (default "grant": the QoS asked). A number from 128 up refuses
                      every filter of that SUBSCRIBE with that reason code (MQTT 3.1.1 gets 0x80,
                      its only refusal), e.g. "135,grant": refuse the first, grant the rest.
                      Each SUBSCRIBE is recorded too: {"subscribe": [filters], "answer": [codes]}.

An accepted client gets SUBACKs (granting the QoS asked), PINGRESPs and PUBACKs; its
PUBLISHes are dropped. Malformed packets close the connection and print "malformed ...".
Standard library only: a test tool, not firmware. Stops on SIGTERM or when stdin closes
with --exit-on-eof.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time


class Malformed(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.at = 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise Malformed("cut short")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def byte(self):
        return self.take(1)[0]

    def u16(self):
        return int.from_bytes(self.take(2), "big")

    def u32(self):
        return int.from_bytes(self.take(4), "big")

    def varint(self):
        value, shift = 0, 0
        for _ in range(4):
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
        raise Malformed("varint too long")

    def binary(self):
        return self.take(self.u16())

    def string(self):
        return self.binary().decode("utf-8")

    def done(self):
        return self.at >= len(self.data)


# Property identifier -> how its value is encoded (MQTT 5 section 2.2.2.2).
PROPERTY_KINDS = {
    1: "byte", 2: "u32", 3: "string", 8: "string", 9: "binary", 11: "varint", 17: "u32",
    18: "string", 19: "u16", 21: "string", 22: "binary", 23: "byte", 24: "u32", 25: "byte",
    26: "string", 28: "string", 31: "string", 33: "u16", 34: "u16", 35: "u16", 36: "byte",
    37: "byte", 38: "pair", 39: "u32", 40: "byte", 41: "byte", 42: "byte",
}


def read_properties(reader):
    length = reader.varint()
    inner = Reader(reader.take(length))
    props = []
    while not inner.done():
        ident = inner.varint()
        kind = PROPERTY_KINDS.get(ident)
        if kind is None:
            raise Malformed("unknown property %d" % ident)
        if kind == "pair":
            value = [inner.string(), inner.string()]
        elif kind == "string":
            value = inner.string()
        elif kind == "binary":
            value = inner.binary().hex()
        else:
            value = getattr(inner, kind)()
        props.append((ident, value))
    return props


def parse_connect(body):
    r = Reader(body)
    name = r.string()
    level = r.byte()
    if name not in ("MQTT", "MQIsdp"):
        raise Malformed("protocol name %r" % name)
    flags = r.byte()
    keepalive = r.u16()
    props = read_properties(r) if level == 5 else []
    record = {
        "protocol": level, "keepalive": keepalive, "clean_start": bool(flags & 0x02),
        "client_id": r.string(), "username": None, "password": None,
        "user_properties": [v for (i, v) in props if i == 38],
        "session_expiry": next((v for (i, v) in props if i == 17), None),
    }
    if flags & 0x04:  # will
        if level == 5:
            read_properties(r)
        r.string()
        r.binary()
    if flags & 0x80:
        record["username"] = r.string()
    if flags & 0x40:
        record["password"] = r.binary().decode("utf-8", "replace")
    return record


def encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def split_packet(buf):
    """(first byte, body, rest) when `buf` holds a whole packet, else None."""
    if len(buf) < 2:
        return None
    length, shift = 0, 0
    for at in range(1, 5):
        if at >= len(buf):
            return None
        b = buf[at]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            end = at + 1 + length
            return (buf[0], buf[at + 1:end], buf[end:]) if len(buf) >= end else None
    raise Malformed("remaining length too long")


def packet(kind, body):
    return bytes([kind]) + encode_varint(len(body)) + body


class Probe:
    def __init__(self, args):
        self.record = args.record
        self.reasons = [r.strip() for r in args.reasons.split(",") if r.strip()] or ["0"]
        self.disconnect_after = args.disconnect_after
        self.subacks = [a.strip() for a in args.suback.split(",") if a.strip()] or ["grant"]
        self.subscribes = 0
        self.connects = 0
        self.lock = threading.Lock()

    def next_reason(self):
        with self.lock:
            plan = self.reasons[min(self.connects, len(self.reasons) - 1)]
            self.connects += 1
        code, _, later = plan.partition("d")
        return int(code), (int(later) if later else None)

    def next_suback(self):
        with self.lock:
            plan = self.subacks[min(self.subscribes, len(self.subacks) - 1)]
            self.subscribes += 1
        if plan == "grant":
            return None
        code = int(plan, 0)
        if not 128 <= code <= 255:
            raise SystemExit("--suback: %r is neither grant nor a refusal code (128...255)" % plan)
        return code

    def write_record(self, record):
        with self.lock:
            with open(self.record, "a") as f:
                f.write(json.dumps(record) + "\n")

    def serve(self, conn):
        conn.settimeout(120)
        buffer = b""
        level = 4

        def read_packet():
            nonlocal buffer
            while True:
                parsed = split_packet(buffer)
                if parsed:
                    kind, body, buffer = parsed
                    return kind, body
                chunk = conn.recv(4096)
                if not chunk:
                    return None, None
                buffer += chunk

        try:
            kind, body = read_packet()
            if kind is None:
                return
            if kind & 0xF0 != 0x10:
                raise Malformed("first packet is not CONNECT (0x%02x)" % kind)
            record = parse_connect(body)
            level = record["protocol"]
            self.write_record(record)
            code, disconnect_reason = self.next_reason()
            if level == 5:
                conn.sendall(packet(0x20, bytes([0, code, 0])))
            else:
                conn.sendall(packet(0x20, bytes([0, code if code < 128 else 5])))
            if code != 0:
                time.sleep(0.1)
                return
            if disconnect_reason is not None:
                def kick():
                    time.sleep(self.disconnect_after)
                    try:
                        conn.sendall(packet(0xE0, bytes([disconnect_reason, 0])))
                        conn.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                threading.Thread(target=kick, daemon=True).start()
            while True:
                kind, body = read_packet()
                if kind is None:
                    return
                command = kind & 0xF0
                if command == 0x80:  # SUBSCRIBE
                    r = Reader(body)
                    pid = r.u16()
                    if level == 5:
                        read_properties(r)
                    filters, granted = [], []
                    while not r.done():
                        filters.append(r.string())
                        granted.append(r.byte() & 0x03)
                    refusal = self.next_suback()
                    if refusal is not None:
                        granted = [refusal if level == 5 else 0x80] * len(granted)
                    self.write_record({"subscribe": filters, "answer": granted})
                    head = pid.to_bytes(2, "big") + (b"\x00" if level == 5 else b"")
                    conn.sendall(packet(0x90, head + bytes(granted)))
                elif command == 0xC0:  # PINGREQ
                    conn.sendall(bytes([0xD0, 0]))
                elif command == 0x30:  # PUBLISH
                    qos = (kind >> 1) & 0x03
                    if qos:
                        r = Reader(body)
                        r.string()
                        conn.sendall(packet(0x40 if qos == 1 else 0x50, r.take(2)))
                elif command == 0xE0:  # DISCONNECT
                    return
        except Malformed as error:
            print("malformed", error, flush=True)
        except OSError:
            pass
        finally:
            conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--reasons", default="0")
    parser.add_argument("--disconnect-after", type=float, default=0.3)
    parser.add_argument("--suback", default="grant")
    parser.add_argument("--exit-on-eof", action="store_true")
    args = parser.parse_args()
    probe = Probe(args)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.port))
    server.listen(8)
    print(server.getsockname()[1], flush=True)
    if args.exit_on_eof:
        def watch_stdin():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=probe.serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
