#!/usr/bin/env python3
"""An SLCAN (Lawicel ASCII) adapter simulator on a pseudo-terminal, answering like a CANable.

Prints the pty's slave path on the first line of stdout, then serves it:

  commands from the host    V N S0-S9 Y2/Y5 O L C Z0/Z1 F, answered CR (done) or BEL (refused)
  frames from the host      t T r R d D b B lines; accepted only while open (not listen-only),
                            answered CR, and reported as "TX <line>" on stdout and in --record
  frames to the host        "frame <line>" on stdin (e.g. frame t1238DEADBEEF01020304), sent
                            only while the channel is open, with a timestamp when Z1 is on;
                            "DROP <line>" is reported when the channel is closed
  garbage to the host       "raw <text>" on stdin sends text with \\r \\a \\n \\xHH escapes as is
  scheduled frames          --every SECONDS sends a counting demo frame set (or --frame LINE);
                            --demo is --every 0.5

Other stdin commands: "quit". With --exit-on-eof the simulator exits when stdin closes
(tests); without it, it keeps serving (demo, stdin from /dev/null).
Standard library only (pty, os, select, tty): this is a test and demo tool, not firmware.
"""
import argparse
import os
import select
import sys
import time
import tty

FRAME_KINDS = {
    "t": (3, False, False), "T": (8, False, False), "r": (3, True, False), "R": (8, True, False),
    "d": (3, False, True), "D": (8, False, True), "b": (3, False, True), "B": (8, False, True),
}
FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
HEX = set("0123456789ABCDEFabcdef")


def valid_frame(line):
    """Whether line (without CR) is a well-formed frame the host may send."""
    if not line or line[0] not in FRAME_KINDS:
        return False
    digits, remote, fd = FRAME_KINDS[line[0]]
    if len(line) < 2 + digits or any(c not in HEX for c in line[1:2 + digits]):
        return False
    ident = int(line[1:1 + digits], 16)
    if ident > (0x7FF if digits == 3 else 0x1FFFFFFF):
        return False
    dlc_char = line[1 + digits]
    if dlc_char not in HEX:
        return False
    dlc = int(dlc_char, 16)
    if not fd and dlc > 8:
        return False
    length = FD_LENGTHS[dlc] if fd else dlc
    data = line[2 + digits:]
    if remote:
        return data == ""
    return len(data) == 2 * length and all(c in HEX for c in data)


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "r":
                out += b"\r"; i += 2; continue
            if n == "n":
                out += b"\n"; i += 2; continue
            if n == "a":
                out += b"\a"; i += 2; continue
            if n == "x" and i + 3 < len(text) + 1:
                out.append(int(text[i + 2:i + 4], 16)); i += 4; continue
        out += c.encode("latin-1")
        i += 1
    return bytes(out)


class Adapter:
    def __init__(self, master, record, verbose, quiet):
        self.master = master
        self.quiet = quiet
        self.record = record
        self.verbose = verbose
        self.open = False
        self.listen_only = False
        self.bitrate = None
        self.data_bitrate = None
        self.timestamps = False
        self.pending = b""
        self.started = time.monotonic()

    def report(self, text):
        if not self.quiet:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        if self.record:
            with open(self.record, "a") as f:
                f.write(text + "\n")

    def send(self, data):
        try:
            os.write(self.master, data)
        except OSError:
            pass  # the host is not reading; a real adapter would drop too

    def from_host(self, data):
        self.pending += data
        while b"\r" in self.pending:
            end = self.pending.index(b"\r")
            line = self.pending[:end].decode("latin-1").lstrip("\n")
            self.pending = self.pending[end + 1:]
            self.command(line)
        if len(self.pending) > 1024:
            self.pending = b""

    def command(self, line):
        ok, bell = b"\r", b"\a"
        if self.verbose:
            self.report("CMD " + line)
        if line == "":
            return
        c = line[0]
        if c in FRAME_KINDS:
            if self.open and not self.listen_only and valid_frame(line):
                self.report("TX " + line)
                self.send(ok)
            else:
                self.report("REFUSED " + line)
                self.send(bell)
        elif line == "V":
            self.send(b"V1013\r")
        elif line == "N":
            self.send(b"NSIM1\r")
        elif line == "F":
            self.send(b"F00\r")
        elif c == "S" and len(line) == 2 and line[1] in "0123456789":
            if self.open:
                self.send(bell)
            else:
                self.bitrate = int(line[1])
                self.report("BITRATE S" + line[1])
                self.send(ok)
        elif c == "Y" and len(line) == 2 and line[1] in "25":
            if self.open:
                self.send(bell)
            else:
                self.data_bitrate = int(line[1])
                self.send(ok)
        elif line in ("O", "L"):
            if self.open or self.bitrate is None:
                self.send(bell)
            else:
                self.open = True
                self.listen_only = line == "L"
                self.report("OPEN " + ("listen-only" if self.listen_only else "normal"))
                self.send(ok)
        elif line == "C":
            # A CANable answers CR even when already closed.
            if self.open:
                self.report("CLOSE")
            self.open = False
            self.send(ok)
        elif line in ("Z0", "Z1"):
            self.timestamps = line == "Z1"
            self.send(ok)
        else:
            self.report("UNKNOWN " + line)
            self.send(bell)

    def to_host(self, line):
        if not self.open:
            self.report("DROP " + line)
            return
        if self.timestamps:
            ms = int((time.monotonic() - self.started) * 1000) % 60000
            line += "%04X" % ms
        self.send(line.encode("latin-1") + b"\r")


def demo_frames(counter):
    """A small changing bus: engine speed, a counter, a static id, an extended id."""
    rpm = 800 + (counter * 37) % 3000
    return [
        "t0C68%04X000000000000" % rpm,
        "t1232%02X00" % (counter & 0xFF),
        "t7DF802010C0000000000",
        "T18FEF1008%02X11223344556677" % (counter & 0xFF),
    ]


def main():
    parser = argparse.ArgumentParser(description="SLCAN adapter simulator on a pty")
    parser.add_argument("--record", help="also append TX/OPEN/... lines to this file")
    parser.add_argument("--every", type=float, default=0, help="send scheduled frames every SECONDS")
    parser.add_argument("--frame", action="append", help="scheduled frame line (default: a demo set)")
    parser.add_argument("--demo", action="store_true", help="the demo bus: the demo set every 0.5 s")
    parser.add_argument("--exit-on-eof", action="store_true", help="exit when stdin closes")
    parser.add_argument("--verbose", action="store_true", help="report every command as CMD <line>")
    parser.add_argument("--quiet", action="store_true", help="report only to --record, not on stdout")
    args = parser.parse_args()
    if args.demo and args.every <= 0:
        args.every = 0.5

    master, slave = os.openpty()
    # Raw on the slave before the host opens it: no CR->LF translation, no echo.
    tty.setraw(slave)
    os.set_blocking(master, False)
    sys.stdout.write(os.ttyname(slave) + "\n")
    sys.stdout.flush()
    adapter = Adapter(master, args.record, args.verbose, args.quiet)
    stdin = sys.stdin.fileno()
    watching = [master, stdin]
    stdin_buffer = b""
    next_tick = time.monotonic() + args.every if args.every > 0 else None
    counter = 0
    while True:
        timeout = None if next_tick is None else max(0, next_tick - time.monotonic())
        ready, _, _ = select.select(watching, [], [], timeout)
        if master in ready:
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                data = b""
            except OSError:
                data = b""  # EIO while no host has the slave open
                time.sleep(0.01)
            adapter.from_host(data)
        if stdin in ready:
            chunk = os.read(stdin, 4096)
            if not chunk:
                if args.exit_on_eof:
                    return 0
                watching = [master]
            stdin_buffer += chunk
            while b"\n" in stdin_buffer:
                raw, stdin_buffer = stdin_buffer.split(b"\n", 1)
                text = raw.decode("latin-1").rstrip("\r")
                if text.startswith("frame "):
                    adapter.to_host(text[6:].strip())
                elif text.startswith("raw "):
                    adapter.send(unescape(text[4:]))
                elif text == "quit":
                    return 0
        if next_tick is not None and time.monotonic() >= next_tick:
            for line in (args.frame or demo_frames(counter)):
                adapter.to_host(line)
            counter += 1
            next_tick += args.every


if __name__ == "__main__":
    sys.exit(main())
