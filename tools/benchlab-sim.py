#!/usr/bin/env python3
"""Benchlab USB device simulator on pseudo-terminals, for Switchyard's tests and demo.

Creates one pty per --device and answers the Benchlab serial protocol on it like the chosen
model and firmware (see reference/benchlab.md):

  0x00 WELCOME           9 bytes "BENCHLAB\\0" (ORIGINAL fw<=4, BL2 fw<=5) or 32 NUL-padded
  0x01 READ_SENSORS      216 bytes (ORIGINAL), 384 (BL2 fw>=5) or 368 (BL2 fw<5), encoded
                         little-endian with natural alignment from the device's values
  0x03 READ_NAME         32 bytes, NUL-padded
  0x0D READ_UID          12 raw bytes
  0x0E READ_VENDOR_DATA  0xEE, 0x10 (ORIGINAL) or 0x11 (BL2), firmware version
  anything else          no reply, as the firmware does

RTS: firmware that pushes a 32-byte welcome when RTS rises (ORIGINAL fw>=5, BL2 fw>=6) gets
it sent when the host OPENS the port, because a pty carries no modem lines the simulator
could watch. The open is seen as the master's POLLHUP clearing (the simulator holds no slave
descriptor itself); the welcome goes out 5 ms later, about when a host raises RTS after
configuring the line.

Stdout, one line each (flushed):
  device N MODEL FW UID SLAVE PATH   at start and after each replug; PATH, the last field, is
                                     the one to configure: the --link-dir link, else SLAVE
  ready                              once every device is up
  ok COMMAND...                      after each command below
  unplugged N
  stats N sensors=S requests=R
  error TEXT

Commands, one per line, on stdin and on --control FIFO (tests use the FIFO):
  fault N none|short|garbled|long|silence
        short: READ_SENSORS answers half its bytes; garbled: full length of junk that fails
        the frame's field checks; long: a valid frame plus 5 junk bytes; silence: no reply
        to anything
  values N JSON   merges raw values (device units, see VALUES below) into device N's
  unplug N        closes the pty master (the host sees a hang-up) and removes the link
  replug N        a new pty for device N, same UID; the link (if any) points to it
  stats N
  quit

VALUES (JSON object, all optional): vin[13] mV, vdd, vref mV, tchip (raw: whole degC on
ORIGINAL fw2, tenths later), ts[4|8] tenths, tamb tenths, hum tenths %RH, fan_switch,
rgb_switch, rgb_ext, fan_ext_duty, power [[mV, mA, mW] x 11 or 23], fans [[enable, duty %,
rpm] x 9], fault_status, fault_log. Unset values get plausible defaults; the currents and fan
speeds wobble over time unless --steady (tests compare exact values).

Standard library only (pty, os, select, struct, termios): a test and demo tool, not firmware.
"""
import argparse
import json
import math
import os
import pty
import random
import select
import stat
import struct
import sys
import time
import tty

MODELS = {"original": (0x10, "ORIGINAL"), "bl2": (0x11, "BL2")}
RAIL_MILLIVOLTS = [12100, 12050, 3310, 5020, 5010, 12080, 12040, 12030, 12020, 12060, 12010]
RAIL_MILLIAMPS = [8000, 7000, 1500, 2000, 300, 4000, 10000, 9000, 0, 20000, 0]
DEFAULT_SPECS = ["original:5", "bl2:7", "original:3", "original:2"]
PUSH_DELAY = 0.005
LOOP_WAIT = 0.005


def default_values(index, model, fw):
    """Plausible readings, different per device so several devices are told apart."""
    probes = 4 if model == "original" else 8
    power = []
    for rail in range(11):
        mv, ma = RAIL_MILLIVOLTS[rail], RAIL_MILLIAMPS[rail] + 100 * index
        power.append([mv, ma, mv * ma // 1000])
    if model == "bl2":
        for connector in (9, 10):
            mv, ma = power[connector][0], power[connector][1] // 6
            power += [[mv, ma, mv * ma // 1000] for _ in range(6)]
    return {
        "vin": [12000 + 10 * channel + index for channel in range(13)],
        "vdd": 3300, "vref": 2500,
        "tchip": 38 + index if (model == "original" and fw <= 2) else 385 + index,
        "ts": [250 + 10 * index + 5 * probe for probe in range(probes)],
        "tamb": 231 + index, "hum": 452,
        "fan_switch": 0, "rgb_switch": 1, "rgb_ext": 0, "fan_ext_duty": 255,
        "power": power,
        "fans": [[1 if fan < 6 else 0, 40 + 5 * fan, 900 + 100 * fan if fan < 6 else 0] for fan in range(9)],
        "fault_status": 0, "fault_log": 0,
    }


def encode_sensors(model, fw, values):
    """The READ_SENSORS reply: the firmware's C struct, little-endian, natural alignment."""
    probes = 4 if model == "original" else 8
    rails = 11 if model == "original" else 23
    ts = list(values["ts"])[:probes]
    ts += [0] * (probes - len(ts))
    out = struct.pack("<13hHHh", *values["vin"], values["vdd"], values["vref"], values["tchip"])
    out += struct.pack("<%dh" % probes, *ts)
    out += struct.pack("<hH4B", values["tamb"], values["hum"], values["fan_switch"], values["rgb_switch"],
                       values["rgb_ext"], values["fan_ext_duty"])
    power = list(values["power"])[:rails]
    power += [[0, 0, 0]] * (rails - len(power))
    for mv, ma, mw in power:
        out += struct.pack("<h2xii", mv, ma, mw)
    for enable, duty, rpm in values["fans"]:
        out += struct.pack("<BBH", enable, duty, rpm)
    if model == "bl2" and fw >= 5:
        out += struct.pack("<QQ", values["fault_status"], values["fault_log"])
    return out


class Device:
    def __init__(self, index, model, fw, uid, link_dir, base_values, vary):
        self.index, self.model, self.fw, self.uid = index, model, fw, uid
        self.link = os.path.join(link_dir, "benchlab%d" % index) if link_dir else None
        self.values = default_values(index, model, fw)
        self.values.update(base_values)
        self.vary = vary
        self.fault = "none"
        self.master = None
        self.slave_path = None
        self.slave_open = False
        self.push_at = None
        self.sensor_replies = 0
        self.requests = 0

    def pushes_welcome(self):
        return self.fw >= 5 if self.model == "original" else self.fw >= 6

    def welcome(self):
        old = self.fw <= 4 if self.model == "original" else self.fw <= 5
        return b"BENCHLAB\0" if old else b"BENCHLAB".ljust(32, b"\0")

    def plug(self):
        master, slave = pty.openpty()
        tty.setraw(slave)  # kept across the host's opens: no echo of binary replies
        self.slave_path = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        self.master, self.slave_open, self.push_at = master, False, None
        if self.link:
            if os.path.lexists(self.link):
                os.unlink(self.link)
            os.symlink(self.slave_path, self.link)

    def unplug(self):
        if self.master is not None:
            os.close(self.master)
        self.master, self.slave_open, self.push_at = None, False, None
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)

    def announcement(self):
        return ("device %d %s %d %s %s %s" % (self.index, MODELS[self.model][1], self.fw, self.uid.hex().upper(),
                                          self.slave_path, self.link or self.slave_path))

    def announce(self):
        say(self.announcement())

    def check_open(self, now):
        """Notices the host opening or closing the slave (the master's POLLHUP)."""
        if self.master is None:
            return
        poller = select.poll()
        poller.register(self.master, select.POLLIN)
        hung_up = any(events & select.POLLHUP for _, events in poller.poll(0))
        if hung_up and self.slave_open:
            self.slave_open, self.push_at = False, None
        elif not hung_up and not self.slave_open:
            self.slave_open = True
            if self.pushes_welcome() and self.fault != "silence":
                self.push_at = now + PUSH_DELAY

    def run_due(self, now):
        if self.push_at is not None and now >= self.push_at:
            self.push_at = None
            self.send(self.welcome())

    def send(self, data):
        if self.master is None or not self.slave_open:
            return
        try:
            os.write(self.master, data)
        except (BlockingIOError, OSError):
            pass  # the host closed meanwhile, or stopped reading: a real device drops it too

    def receive(self):
        try:
            data = os.read(self.master, 4096)
        except (BlockingIOError, OSError):
            return
        for byte in data:
            self.answer(byte)

    def sensors(self):
        values = dict(self.values)
        if self.vary:
            wobble = 1 + 0.05 * math.sin(time.time() / 3 + self.index)
            values["power"] = [[mv, int(ma * wobble), int(mv * ma * wobble) // 1000] for mv, ma, _ in values["power"]]
            values["fans"] = [[e, d, int(rpm * wobble)] for e, d, rpm in values["fans"]]
        return encode_sensors(self.model, self.fw, values)

    def answer(self, opcode):
        self.requests += 1
        if self.fault == "silence":
            return
        if opcode == 0x00:
            self.send(self.welcome())
        elif opcode == 0x01:
            frame = self.sensors()
            self.sensor_replies += 1
            if self.fault == "short":
                frame = frame[:len(frame) // 2]
            elif self.fault == "garbled":
                junk = bytearray(random.getrandbits(8) for _ in frame)
                fans = 180 if self.model == "original" else 332
                junk[fans] = 0xA5  # an enable flag no firmware sends: the junk is always caught
                frame = bytes(junk)
            elif self.fault == "long":
                frame += b"\xFF\x00\xFF\x00\xFF"
            self.send(frame)
        elif opcode == 0x03:
            self.send(("BENCHLAB SIM %d" % self.index).encode().ljust(32, b"\0"))
        elif opcode == 0x0D:
            self.send(self.uid)
        elif opcode == 0x0E:
            self.send(bytes([0xEE, MODELS[self.model][0], self.fw]))


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse_device(spec, index):
    parts = spec.split(":")
    model = parts[0].lower()
    if model not in MODELS or len(parts) < 2:
        raise SystemExit("bad --device %r: use original:FW[:UID] or bl2:FW[:UID]" % spec)
    fw = int(parts[1])
    if len(parts) > 2:
        uid = bytes.fromhex(parts[2])
        if len(uid) != 12:
            raise SystemExit("bad UID in %r: 24 hex digits" % spec)
    else:
        uid = bytes([0x20, 0x6C, 0x35, 0xA0, 0x52, 0x50, 0x4B, 0x31, 0x00, 0x0B, 0x00, index])
    return model, fw, uid


def command(devices, line):
    words = line.split(None, 2)
    if not words:
        return True
    name = words[0]
    if name == "quit":
        say("ok quit")
        return False
    try:
        device = devices[int(words[1])]
    except (IndexError, ValueError):
        say("error no such device: " + line)
        return True
    if name == "fault" and len(words) == 3 and words[2] in ("none", "short", "garbled", "long", "silence"):
        device.fault = words[2]
    elif name == "values" and len(words) == 3:
        try:
            device.values.update(json.loads(words[2]))
        except ValueError as error:
            say("error bad JSON: %s" % error)
            return True
    elif name == "unplug":
        device.unplug()
        say("unplugged %d" % device.index)
    elif name == "replug":
        device.unplug()
        device.plug()
        device.announce()
    elif name == "stats":
        say("stats %d sensors=%d requests=%d" % (device.index, device.sensor_replies, device.requests))
    else:
        say("error unknown command: " + line)
        return True
    say("ok " + line)
    return True


class LineSource:
    """A descriptor of command lines (stdin or the control FIFO)."""

    def __init__(self, fd):
        self.fd, self.pending = fd, b""

    def lines(self):
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return [], True
        if not data:
            return [], False
        self.pending += data
        *complete, self.pending = self.pending.split(b"\n")
        return [line.decode(errors="replace").strip() for line in complete], True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", action="append", default=[], metavar="MODEL:FW[:UID]",
                        help="a device to simulate (repeatable)")
    parser.add_argument("--count", type=int, default=1,
                        help="without --device: this many devices, cycling through " + ", ".join(DEFAULT_SPECS))
    parser.add_argument("--link-dir", help="keep a symlink DIR/benchlabN to each device's pty")
    parser.add_argument("--values", help="JSON file of raw values for every device")
    parser.add_argument("--control", help="create this FIFO and read commands from it")
    parser.add_argument("--steady", action="store_true", help="keep the readings exactly as set (tests)")
    parser.add_argument("--exit-on-eof", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()

    base_values = {}
    if args.values:
        with open(args.values) as file:
            base_values = json.load(file)
    specs = args.device or [DEFAULT_SPECS[index % len(DEFAULT_SPECS)] for index in range(args.count)]
    devices = []
    for index, spec in enumerate(specs):
        model, fw, uid = parse_device(spec, index)
        devices.append(Device(index, model, fw, uid, args.link_dir, base_values, not args.steady))
    for device in devices:
        device.plug()

    sources = []
    if not stat.S_ISCHR(os.fstat(0).st_mode) or os.isatty(0):
        os.set_blocking(0, False)
        sources.append(LineSource(0))
    keep_open = None
    if args.control:
        if not os.path.exists(args.control):
            os.mkfifo(args.control)
        fifo = os.open(args.control, os.O_RDONLY | os.O_NONBLOCK)
        keep_open = os.open(args.control, os.O_WRONLY)  # so the FIFO never reads end-of-file
        sources.append(LineSource(fifo))
    # One write: a reader polling the output file sees every device line at once.
    say("\n".join([device.announcement() for device in devices] + ["ready"]))

    running = True
    while running:
        now = time.monotonic()
        for device in devices:
            device.check_open(now)
            device.run_due(now)
        watched = {source.fd: source for source in sources}
        masters = {device.master: device for device in devices if device.master is not None and device.slave_open}
        ready, _, _ = select.select(list(watched) + list(masters), [], [], LOOP_WAIT)
        for fd in ready:
            if fd in masters:
                masters[fd].receive()
            elif fd in watched:
                lines, alive = watched[fd].lines()
                for line in lines:
                    running = command(devices, line) and running
                if not alive:
                    sources.remove(watched[fd])
                    if fd == 0 and args.exit_on_eof:
                        running = False
    for device in devices:
        device.unplug()
    if keep_open is not None:
        os.close(keep_open)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
