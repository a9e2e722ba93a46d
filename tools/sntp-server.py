#!/usr/bin/env python3
"""A tiny SNTP server (RFC 4330) on UDP for tests: answers every client request (mode 3)
with the host's time plus --offset seconds, as a stratum-2 server would. Prints the port
it listens on, then one line per request answered. --mute-file PATH: while PATH exists,
requests are counted but not answered (a server that is down). --exit-on-eof: exit when
stdin closes (a test's ToolSimulator); --record FILE: the answered lines go there too.

Usage: tools/sntp-server.py [--port N] [--bind ADDR] [--offset SECONDS] [--mute-file PATH]
                            [--exit-on-eof] [--record FILE]
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

NTP_UNIX = 2208988800


def ntp_stamp(t):
    seconds = int(t)
    return ((seconds + NTP_UNIX) & 0xFFFFFFFF) << 32 | int((t - seconds) * (1 << 32))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--offset", type=float, default=0.0)
    parser.add_argument("--mute-file")
    parser.add_argument("--exit-on-eof", action="store_true")
    parser.add_argument("--record")
    args = parser.parse_args()
    if args.exit_on_eof:
        def watch_stdin():
            while sys.stdin.buffer.read1(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    record = open(args.record, "a", buffering=1) if args.record else None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.bind, args.port))
    print(sock.getsockname()[1], flush=True)
    while True:
        data, peer = sock.recvfrom(1024)
        if len(data) < 48 or data[0] & 7 != 3:
            print("dropped", len(data), "bytes from", peer, flush=True)
            continue
        if args.mute_file and os.path.exists(args.mute_file):
            print("muted", peer, flush=True)
            continue
        received = time.time() + args.offset
        origin = data[40:48]
        # LI 0, version 4, mode 4 (server); stratum 2; poll 4; precision -20.
        head = struct.pack("!BBbb", 0x24, 2, 4, -20) + struct.pack("!II", 0, 0) + b"LOCL"
        reply = head + struct.pack("!Q", ntp_stamp(received)) + origin + struct.pack("!Q", ntp_stamp(received)) \
            + struct.pack("!Q", ntp_stamp(time.time() + args.offset))
        # Recorded before the reply goes: a test that saw its client synchronise may read
        # the record at once, and the record must already hold the answer.
        print("answered", peer[0], peer[1], flush=True)
        if record:
            record.write(f"answered {peer[0]} {peer[1]}\n")
        sock.sendto(reply, peer)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
