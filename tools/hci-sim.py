#!/usr/bin/env python3
"""An HCI LE controller simulator speaking H4 on a pseudo-terminal (an HCI UART controller).

Prints the pty's slave path on the first line of stdout, then serves it with real HCI bytes:

  commands from the host   H4 command packets (01 | opcode LE16 | len | params), answered with
                           Command Complete (0E): Reset, Set Event Mask, LE Set Event Mask,
                           LE Set (Extended) Scan Parameters/Enable; others get status 0x01.
                           Setting parameters while scanning, disabling an idle scan, and mixing
                           legacy with extended scan commands answer 0x0C (Command Disallowed),
                           as a controller does. Each is recorded as "CMD <opcode> <params>".
  adverts to the host      LE Advertising Report (3E/02) or LE Extended Advertising Report
                           (3E/0D), whichever kind of scan the host enabled, only while scanning.
      advert AD_HEX [MAC] [RSSI] [scan_rsp]   one report (MAC in display order)
      sensors                                 one report from every demo sensor
  faults
      silent / loud          stop / resume delivering adverts (the scan "dies" silently)
      mute / unmute          stop / resume answering commands (command timeouts)
      raw HEX                send bytes as they are (garbage, broken packets)
  the kernel in between    what Linux does on a kernel adapter it shares with a raw socket:
      kernel-connect [MAC] [STATUS] [SECONDS]   it pauses the scan to connect (LE Set Scan
                             Enable off: a Command Complete the host never asked for), sends
                             LE Create Connection (Command Status), and SECONDS (default 0.3)
                             later the LE Connection Complete arrives with STATUS (hex, default
                             00); the scan stays off
      kernel-disconnect      Disconnection Complete, then the kernel's passive-scan update
                             turns the scan off again if the host had turned it back on
  scheduled adverts        --every SECONDS sends the demo sensors (BTHome, encrypted BTHome
                           with a rising counter, ATC1441, pvvx, RuuviTag 5, a phone); --demo is
                           --every 1. --flood N sends N adverts per burst as fast as it can
                           (benchmark), then "FLOOD done" on stdout.

Other stdin commands: "quit". With --exit-on-eof it exits when stdin closes (tests).
Vectors: ../shared/reference/ble.md; the encrypted BTHome advert is made with the
`cryptography` package's AESCCM (an implementation independent of ours) when it is installed.
Standard library otherwise (pty, os, select, tty): a test and demo tool, not firmware.
"""
import argparse
import os
import select
import sys
import time
import tty

BTHOME_KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
BTHOME_KEY_MAC = "54:48:E6:8F:80:A5"


def mac_wire(mac):
    return bytes(reversed(bytes.fromhex(mac.replace(":", ""))))


def bthome_encrypted(mac, counter, plain=bytes.fromhex("02C40903BF13"), key=BTHOME_KEY):
    """AD structure of an encrypted BTHome v2 advert, or None without `cryptography`."""
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESCCM
    except ImportError:
        return None
    info = 0x41
    ctr = counter.to_bytes(4, "little")
    nonce = bytes.fromhex(mac.replace(":", "")) + bytes([0xD2, 0xFC, info]) + ctr
    sealed = AESCCM(key, tag_length=4).encrypt(nonce, plain, None)
    data = bytes([info]) + sealed[:-4] + ctr + sealed[-4:]
    return bytes([len(data) + 3, 0x16, 0xD2, 0xFC]) + data


def demo_sensors(counter):
    """(MAC, AD bytes, RSSI) of every demo device."""
    sensors = [
        ("A4:C1:38:00:00:01", bytes.fromhex("020106") + bytes.fromhex("0A16D2FC4002C40903BF13")
         + bytes([7, 0x09]) + b"BTHome", -60),
        ("C2:76:12:34:56:78", bytes.fromhex("1BFF99040512FC5394C37C0004FFFC040CAC364200CDCBB8334C884F"), -70),
        ("A4:C1:38:01:02:03", bytes([0x10, 0x16, 0x1A, 0x18]) + bytes.fromhex("A4C138010203") +
         bytes([0x00, 0xEA, 45, 87, 0x0B, 0x86, counter & 0xFF]), -65),
        ("A4:C1:38:04:05:06", bytes([0x12, 0x16, 0x1A, 0x18]) + mac_wire("A4:C1:38:04:05:06") +
         bytes([0x00, 0xFE, 0xEB, 0x17, 0xB9, 0x0B, 92, counter & 0xFF, 4]), -66),
        ("5A:11:22:33:44:55", bytes.fromhex("020106") + bytes.fromhex("0AFF4C001005031C0B2E3F"), -80),
    ]
    enc = bthome_encrypted(BTHOME_KEY_MAC, counter)
    if enc is not None:
        sensors.append((BTHOME_KEY_MAC, enc, -62))
    return sensors


class Controller:
    def __init__(self, fd, record):
        self.fd = fd
        self.record = record
        self.scanning = False
        self.kind = None  # "legacy" or "ext" once scan commands were used
        self.active = False
        self.muted = False
        self.silent = False
        self.inbuf = bytearray()
        self.out = bytearray()
        self.counter = 1
        self.later = []  # (monotonic time, bytes): events the "kernel" sends after a delay

    def due(self, now):
        """Queues the delayed events whose time has come; the seconds until the next one."""
        for item in [item for item in self.later if item[0] <= now]:
            self.later.remove(item)
            self.send(item[1])
            self.log("KERNEL CONNECTED")
        return min((item[0] for item in self.later), default=now + 3600) - now

    def kernel_scan_off(self):
        """The kernel's own LE Set Scan Enable (off), answered to the host's event stream."""
        if not self.scanning:
            return
        self.scanning = False
        self.log("KERNEL SCAN off")
        if self.kind == "ext":
            self.complete(0x2042, 0)
        else:
            self.complete(0x200C, 0)

    def kernel_connect(self, mac, status, seconds):
        self.kernel_scan_off()
        self.send(bytes([0x04, 0x0F, 4, 0, 1]) + (0x200D).to_bytes(2, "little"))
        self.log("KERNEL CONNECT %s %02x" % (mac, status))
        params = bytes([0x01, status]) + (0x0040).to_bytes(2, "little") + bytes([0, 0]) + mac_wire(mac) \
            + (24).to_bytes(2, "little") + (0).to_bytes(2, "little") + (72).to_bytes(2, "little") + bytes([0])
        self.later.append((time.monotonic() + seconds, bytes([0x04, 0x3E, len(params)]) + params))

    def kernel_disconnect(self):
        self.send(bytes([0x04, 0x05, 4, 0]) + (0x0040).to_bytes(2, "little") + bytes([0x13]))
        self.log("KERNEL DISCONNECT")
        self.kernel_scan_off()

    def log(self, line):
        if self.record:
            self.record.write(line + "\n")
            self.record.flush()

    def send(self, data):
        self.out += data

    def flush(self):
        while self.out:
            try:
                n = os.write(self.fd, self.out)
            except BlockingIOError:
                return
            except OSError:
                self.out.clear()
                return
            del self.out[:n]

    def complete(self, opcode, status, extra=b""):
        params = bytes([1]) + opcode.to_bytes(2, "little") + bytes([status]) + extra
        self.send(bytes([0x04, 0x0E, len(params)]) + params)

    def feed(self, data):
        self.inbuf += data
        while self.inbuf:
            if self.inbuf[0] != 0x01:
                self.log("GARBAGE %02x" % self.inbuf[0])
                del self.inbuf[0]
                continue
            if len(self.inbuf) < 4 or len(self.inbuf) < 4 + self.inbuf[3]:
                return
            opcode = int.from_bytes(self.inbuf[1:3], "little")
            params = bytes(self.inbuf[4:4 + self.inbuf[3]])
            del self.inbuf[:4 + len(params)]
            self.command(opcode, params)

    def uses(self, kind):
        if self.kind is None:
            self.kind = kind
        return self.kind == kind

    def command(self, opcode, params):
        self.log("CMD %04x %s" % (opcode, params.hex()))
        if self.muted:
            self.log("MUTED %04x" % opcode)
            return
        status = 0
        if opcode == 0x0C03:  # Reset
            self.scanning = False
            self.kind = None
        elif opcode in (0x0C01, 0x2001):
            pass
        elif opcode in (0x200B, 0x2041):
            if not self.uses("legacy" if opcode == 0x200B else "ext") or self.scanning:
                status = 0x0C
            else:
                self.active = (params[0] if opcode == 0x200B else params[3]) == 1
                self.log("PARAMS " + ("active" if self.active else "passive"))
        elif opcode in (0x200C, 0x2042):
            enable = params[0] == 1 if params else False
            if not self.uses("legacy" if opcode == 0x200C else "ext") or enable == self.scanning:
                status = 0x0C
            else:
                self.scanning = enable
                self.log("SCAN " + ("on" if enable else "off"))
        else:
            status = 0x01
        self.complete(opcode, status)

    def advert(self, mac, ad, rssi, scan_rsp=False):
        if not self.scanning or self.silent:
            self.log("DROP " + mac)
            return
        addr_type = 1 if int(mac[:2], 16) & 0xC0 == 0xC0 else 0
        if self.kind == "ext":
            evt = 0x0008 | 0x0002 | 0x0010 if scan_rsp else 0x0013
            rep = evt.to_bytes(2, "little") + bytes([addr_type]) + mac_wire(mac) + bytes(
                [1, 0, 0xFF, 0x7F, rssi & 0xFF]) + (0).to_bytes(2, "little") + bytes([0]) + bytes(6) + bytes([len(ad)]) + ad
            params = bytes([0x0D, 1]) + rep
        else:
            rep = bytes([4 if scan_rsp else 0, addr_type]) + mac_wire(mac) + bytes([len(ad)]) + ad + bytes([rssi & 0xFF])
            params = bytes([0x02, 1]) + rep
        self.send(bytes([0x04, 0x3E, len(params)]) + params)

    def sensors(self):
        for mac, ad, rssi in demo_sensors(self.counter):
            self.advert(mac, ad, rssi)
        self.counter += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=0, help="seconds between demo sensor bursts")
    parser.add_argument("--demo", action="store_true", help="--every 1")
    parser.add_argument("--flood", type=int, default=0, help="adverts per flood burst (benchmark)")
    parser.add_argument("--record", help="file to log commands and events to")
    parser.add_argument("--exit-on-eof", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    every = 1.0 if args.demo else args.every

    master, slave = os.openpty()
    tty.setraw(slave)
    os.set_blocking(master, False)
    print(os.ttyname(slave), flush=True)
    record = open(args.record, "a") if args.record else None
    ctl = Controller(master, record)
    next_burst = time.monotonic() + every if every > 0 else None
    stdin_open = True
    flood_pending = 0
    stdin_buf = b""
    while True:
        timeout = 0.2
        if next_burst is not None:
            timeout = max(0, min(timeout, next_burst - time.monotonic()))
        if flood_pending:
            timeout = 0
        timeout = max(0, min(timeout, ctl.due(time.monotonic())))
        watch = [master] + ([sys.stdin] if stdin_open else [])
        writers = [master] if ctl.out else []
        readable, writable, _ = select.select(watch, writers, [], timeout)
        if master in readable:
            try:
                data = os.read(master, 4096)
            except (BlockingIOError, OSError):
                data = b""
            if data:
                ctl.feed(data)
        lines = []
        if sys.stdin in readable:
            # os.read, not readline: a buffered reader would hide a second line from select.
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                stdin_open = False
                if args.exit_on_eof:
                    break
            stdin_buf += chunk
            while b"\n" in stdin_buf:
                raw_line, _, stdin_buf = stdin_buf.partition(b"\n")
                lines.append(raw_line.decode(errors="replace"))
        quit_now = False
        for line in lines:
            words = line.split()
            if not words:
                continue
            cmd = words[0]
            if cmd == "quit":
                quit_now = True
                break
            elif cmd == "advert":
                mac = words[2] if len(words) > 2 else "A4:C1:38:00:00:01"
                rssi = int(words[3]) if len(words) > 3 else -60
                ctl.advert(mac, bytes.fromhex(words[1]), rssi, scan_rsp="scan_rsp" in words)
            elif cmd == "sensors":
                ctl.sensors()
            elif cmd == "silent":
                ctl.silent = True
            elif cmd == "loud":
                ctl.silent = False
            elif cmd == "mute":
                ctl.muted = True
            elif cmd == "unmute":
                ctl.muted = False
            elif cmd == "kernel-connect":
                ctl.kernel_connect(words[1] if len(words) > 1 else "C0:11:22:33:44:55",
                                   int(words[2], 16) if len(words) > 2 else 0,
                                   float(words[3]) if len(words) > 3 else 0.3)
            elif cmd == "kernel-disconnect":
                ctl.kernel_disconnect()
            elif cmd == "raw":
                ctl.send(bytes.fromhex(words[1]))
            elif cmd == "flood":
                flood_pending = int(words[1]) if len(words) > 1 else args.flood
            ctl.log("STDIN " + line.strip())
        if quit_now:
            break
        if next_burst is not None and time.monotonic() >= next_burst:
            ctl.sensors()
            next_burst += every
        if flood_pending and len(ctl.out) < 65536:
            # Distinct addresses, a valid BTHome advert each: the benchmark's source.
            for _ in range(min(flood_pending, 256)):
                n = flood_pending
                mac = "A4:C1:%02X:%02X:%02X:%02X" % ((n >> 24) & 0xFF, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)
                ctl.advert(mac, bytes.fromhex("0A16D2FC4002C40903BF13"), -50)
                flood_pending -= 1
            if not flood_pending:
                print("FLOOD queued", flush=True)
        ctl.flush()
    ctl.flush()
    os.close(master)


if __name__ == "__main__":
    main()
