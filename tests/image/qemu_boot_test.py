#!/usr/bin/env python3
"""`make qemu-test`: boots the qemu-virt SD image under qemu-system-aarch64 -M virt (TCG)
and checks the gateway from outside, the way a person with a UART cable and a broker would.

  * a mosquitto on the host's loopback (a free port); the guest reaches it as 10.0.2.2
    through qemu's user-mode network (no packet leaves the machine);
  * the image's kernel and initramfs, read from its boot partition with mtools, and the
    image itself as a virtio disk (a sparse copy, so the build output stays pristine);
  * the emulated PL011 UART on a Unix socket: the boot log, then the gateway's console.

Checks: the gateway publishes `online`; console commands over the UART get their replies;
vcan loads in the guest and the CAN tunnel carries classic, extended, remote and FD frames
both ways between the guest's SocketCAN and the host broker (a second tunnel in the guest,
topic `tap`, plays the rest of the bus: see board/qemu-virt/init.sh); `can restart`
reopens the bus and frames flow again; an OTA push is committed and a setting saved over the
UART survive a power cut. Then the real-driver path vcan cannot show: two emulated SJA1000
controllers (qemu's kvaser_pci) share a CAN bus as can0 (the gateway, moved there over the
console) and can1 (a third tunnel, topic `tap1`): the bit rate is set and read back through
libsocketcan, the controller state comes from the driver, and frames cross the bus both ways.
A USB serial adapter (qemu's FTDI usb-serial on tools/slcan-sim.py's pty) is plugged into
the running guest: mdev loads its driver and the gateway speaks SLCAN over /dev/ttyUSB0. Last,
a pushed firmware that dies at start is rolled back by the supervisor, and `factory-reset`
over the UART (confirmed twice) brings the gateway back on the board's defaults.
Extra check groups live in tests/image/checks_*.py (see load_check_groups), each run once the
first boot is online; QEMU_TEST_ONLY=name runs just that group after the first boot.
Prints how long the boot took, and one `N passed, N failed` line.

Usage: tests/image/qemu_boot_test.py IMAGE [--keep]   (--keep leaves the work directory)
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import glob
import importlib.util

# The version the OTA push stamps on the image's own firmware: newer than any build's.
OTA_VERSION = "99.0.0-qemu"
# A still newer one that dies at start: the supervisor must roll it back.
OTA_BAD_VERSION = "99.0.1-bad"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOT_TIMEOUT = 240  # s; a boot takes ~15-40 s under TCG on a busy 2-core machine
STEP_TIMEOUT = 60


def load_check_groups():
    """The extra check groups: every tests/image/checks_*.py, in name order. Each module has
    NAME (a short word), optionally qemu_args(test) -> list and cmdline(test) -> str to add
    to every boot, and run(test), called once the first boot is online and the console
    answers. With QEMU_TEST_ONLY=name[,name] only those groups run after that first boot
    (for working on one group; CI runs everything)."""
    groups = []
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        groups.append(module)
    return groups


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stream:
    """Collects lines from a file object on a thread; wait() blocks until one matches."""

    def __init__(self, name):
        self.name = name
        self.lines = []
        self.text = ""
        self.lock = threading.Condition()

    def feed(self, chunk):
        with self.lock:
            self.text += chunk
            while "\n" in self.text:
                line, self.text = self.text.split("\n", 1)
                self.lines.append(line.rstrip("\r"))
            self.lock.notify_all()

    def wait(self, predicate, timeout, start=0):
        """The first line from index `start` on for which predicate(line) holds, or None."""
        deadline = time.monotonic() + timeout
        with self.lock:
            index = start
            while True:
                while index < len(self.lines):
                    if predicate(self.lines[index]):
                        return self.lines[index]
                    index += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(left)

    def mark(self):
        with self.lock:
            return len(self.lines)


def pump(source, stream, log):
    while True:
        data = source()
        if not data:
            return
        text = data.decode("utf-8", "replace")
        log.write(text)
        log.flush()
        stream.feed(text)


class Test:
    def __init__(self, image, keep):
        self.image = image
        self.keep = keep
        self.work = tempfile.mkdtemp(prefix="qemu-test.")
        self.results = []
        self.skipped = 0
        self.procs = []
        self.groups = load_check_groups()
        only = os.environ.get("QEMU_TEST_ONLY", "")
        self.only = set(only.split(",")) if only else None

    def check(self, name, ok, detail=""):
        self.results.append((name, bool(ok)))
        print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)[:600]), flush=True)
        return ok

    def spawn(self, args, **kw):
        proc = subprocess.Popen(args, **kw)
        self.procs.append(proc)
        return proc

    def start_broker(self):
        self.port = free_port()
        conf = os.path.join(self.work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n")
        self.broker = self.spawn(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(self.work, "mosquitto.log"), "w"))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        self.mqtt = Stream("mqtt")
        sub = self.spawn(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.port), "-v", "-t", "#",
                          "-F", "%t %x"], stdout=subprocess.PIPE)
        log = open(os.path.join(self.work, "mqtt.log"), "w")
        threading.Thread(target=pump, args=(lambda: sub.stdout.read1(4096), self.mqtt, log), daemon=True).start()

    def publish(self, topic, hex_payload):
        payload = bytes.fromhex(hex_payload)
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-t", topic, "-s"],
                       input=payload, check=True, timeout=30)

    def start_slcan(self):
        """tools/slcan-sim.py on a host pty: qemu opens the pty as the back end of the USB
        serial adapter the test plugs into the guest later."""
        self.slcan = self.spawn([sys.executable, os.path.join(REPO, "tools/slcan-sim.py"), "--exit-on-eof"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.slcan_pty = self.slcan.stdout.readline().decode().strip()
        self.slcan_out = Stream("slcan")
        log = open(os.path.join(self.work, "slcan.log"), "w")
        threading.Thread(target=pump, args=(lambda: self.slcan.stdout.read1(4096), self.slcan_out, log),
                         daemon=True).start()

    def prepare(self):
        self.start_slcan()
        self.disk = os.path.join(self.work, "disk.img")
        subprocess.run(["cp", "--sparse=always", self.image, self.disk], check=True)
        self.bootdir = os.path.join(self.work, "boot")
        os.mkdir(self.bootdir)
        subprocess.run(["mcopy", "-n", "-i", self.disk + "@@1M", "::vmlinuz", "::initrd.img", "::cmdline.txt",
                        self.bootdir], check=True)

    def boot(self, round=1):
        disk, boot = self.disk, self.bootdir
        with open(os.path.join(boot, "cmdline.txt")) as f:
            cmdline = f.read().strip()
        # Kernel parameters with '=' and no '.' in the name become init's environment: the
        # broker port for the gateway and the tap, and the gateway's log on the UART.
        cmdline += f" MQTT_PORT={self.port} SWITCHYARD_CAN_TAP={self.port} SWITCHYARD_LOG=console"
        for group in self.groups:
            if hasattr(group, "cmdline"):
                cmdline += " " + group.cmdline(self)
        self.serial_path = os.path.join(self.work, f"serial{round}.sock")
        args = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "512",
                "-nographic", "-no-reboot",
                "-monitor", f"unix:{os.path.join(self.work, f'monitor{round}.sock')},server=on,wait=off",
                "-kernel", os.path.join(boot, "vmlinuz"), "-initrd", os.path.join(boot, "initrd.img"),
                "-append", cmdline,
                "-drive", f"file={disk},if=none,format=raw,id=disk", "-device", "virtio-blk-pci,drive=disk",
                "-netdev", "user,id=net", "-device", "virtio-net-pci,netdev=net,romfile=",
                # Two SJA1000 controllers on one emulated CAN bus: can0 and can1 in the guest.
                "-object", "can-bus,id=canbus0",
                "-device", "kvaser_pci,canbus=canbus0", "-device", "kvaser_pci,canbus=canbus0",
                # A USB host controller; the test plugs a USB serial adapter (qemu's FTDI
                # usb-serial, on the SLCAN simulator's pty) into it while the guest runs.
                "-device", "qemu-xhci,id=xhci", "-chardev", f"serial,id=slcan,path={self.slcan_pty}",
                "-chardev", f"socket,id=uart,path={self.serial_path},server=on,wait=on",
                "-serial", "chardev:uart"]
        for group in self.groups:
            if hasattr(group, "qemu_args"):
                args += group.qemu_args(self)
        self.round = round
        self.started = time.monotonic()
        self.qemu = self.spawn(args, stdout=open(os.path.join(self.work, f"qemu{round}.log"), "w"),
                               stderr=subprocess.STDOUT)
        # wait=on: qemu holds the guest until we connect, so no boot output is lost.
        self.uart = socket.socket(socket.AF_UNIX)
        for _ in range(200):
            try:
                self.uart.connect(self.serial_path)
                break
            except OSError:
                if self.qemu.poll() is not None:
                    raise RuntimeError("qemu exited: see " + os.path.join(self.work, "qemu.log"))
                time.sleep(0.05)
        self.console = Stream("uart")
        log = open(os.path.join(self.work, f"uart{round}.log"), "w")
        threading.Thread(target=pump, args=(lambda: self.uart.recv(4096), self.console, log), daemon=True).start()

    def command(self, line, expect, timeout=STEP_TIMEOUT):
        """Types `line` on the UART console; the first later UART line containing `expect`."""
        mark = self.console.mark()
        self.uart.sendall((line + "\r").encode())
        return self.console.wait(lambda l: expect in l, timeout, mark)

    def command_retried(self, line, expect, tries=10, timeout=6):
        """`command`, typed again up to `tries` times: right after a (re)start the console may
        not be reading yet. The reply line, or None."""
        for _ in range(tries):
            reply = self.command(line, expect, timeout=timeout)
            if reply:
                return reply
        return None

    def json_command(self, line, timeout=STEP_TIMEOUT):
        """Types `line`; its JSON reply as a dict, or None. The console prints JSON with a
        tab per level; the gateway's log shares the UART here, so only the reply's own lines
        (from `{` to `}` at the margin, indented ones between) are kept."""
        mark = self.console.mark()
        self.uart.sendall((line + "\r").encode())
        if self.console.wait(lambda l: l.startswith("}"), timeout, mark) is None:
            return None
        with self.console.lock:
            lines = self.console.lines[mark:]
        start = next((i for i, l in enumerate(lines) if l.endswith("{") and not l.startswith("\t")), None)
        end = next((i for i, l in enumerate(lines) if l.startswith("}")), None)
        if start is None or end is None:
            return None
        body = ["{"] + [l for l in lines[start + 1:end] if l.startswith("\t")] + ["}"]
        try:
            return json.loads("\n".join(body))
        except ValueError:
            return None

    def repeat_until_seen(self, action, prefix, suffix):
        """Runs `action` every 3 s until a broker line starting with `prefix` and ending with
        `suffix` arrives (a tunnel may still be connecting); the line, or None."""
        mark = self.mqtt.mark()
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            action()
            seen = self.mqtt.wait(lambda l: l.startswith(prefix) and l.endswith(suffix), 3, mark)
            if seen:
                return seen
        return None

    def frame(self, flags, data_hex):
        """A PyMQTT2CAN payload: 8-byte little-endian µs timestamp, flags, data."""
        return "00" * 8 + f"{flags:02x}" + data_hex

    def run(self):
        self.start_broker()
        self.prepare()
        self.boot()
        took = self.wait_online(0)
        up = self.console.wait(lambda l: "switchyard rcS: up" in l, 1)
        if not self.check("the gateway publishes online", took is not None, f"no online in {BOOT_TIMEOUT} s"):
            return
        print(f"boot: qemu start to 'online' on the broker in {took:.1f} s", flush=True)
        self.check("rcS reached the end of boot", up)
        kernel_ok = self.console.wait(lambda l: "board qemu-virt" in l, 1)
        self.check("the guest runs the qemu-virt board profile", kernel_ok)

        # The console is raw bytes on the PL011; give it a moment to open after `online`.
        reply = self.command_retried("version", "(aarch64)")
        self.check("console over the UART: `version` answers with the aarch64 build", reply)
        for group in self.groups:
            if self.only is None or group.NAME in self.only:
                started = time.monotonic()
                group.run(self)
                print(f"checks {group.NAME}: {time.monotonic() - started:.1f} s", flush=True)
        if self.only is not None:
            return
        detected = self.command("get board.name", "qemu-virt")
        self.check("console: board.name is qemu-virt (detected from the device tree)", detected)
        status = self.json_command("can status") or {}
        detail = status.get("bus_detail", {})
        self.check("console: `can status` shows the tunnel healthy on the guest's vcan0",
                   status.get("health") == "ok" and status.get("bus") == "socketcan vcan0", status)
        self.check("SocketCAN bus state read from the kernel: open, FD capable, error frames on",
                   status.get("bus_state") == "open" and detail.get("fd") is True and detail.get("error_frames") is True,
                   detail)
        # vcan has no controller: the bit-timing read must answer "none", not fail.
        self.check("bit-timing read on vcan answers without a bit rate",
                   "bitrate" in detail and detail.get("bitrate") is None, detail)

        # Wait for the tap tunnel to be connected: its own client shows up subscribing.
        mark = self.mqtt.mark()
        # Bus -> MQTT: the tap writes tap/<id> onto vcan0, the gateway publishes can/<id>.
        # Retried because the tap's broker connection may still be coming up.
        frames_in = [("tap/291", self.frame(0, "010203"), "can/291 ", "010203"),
                     ("tap/417001744", self.frame(1, "09"), "can/417001744 ", "0109"),
                     ("tap/2015", self.frame(2, "0000"), "can/2015 ", "020000"),
                     ("tap/5", self.frame(4, "000102030405060708090a0b"), "can/5 ", "04000102030405060708090a0b")]
        got = {}
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline and len(got) < len(frames_in):
            for topic, payload, want, tail in frames_in:
                if want not in got:
                    self.publish(topic, payload)
            for _, _, want, tail in frames_in:
                hit = self.mqtt.wait(lambda l, w=want, t=tail: l.startswith(w) and l.endswith(t), 3, mark)
                if hit:
                    got[want] = hit
        for _, _, want, tail in frames_in:
            kind = {"can/291 ": "classic", "can/417001744 ": "extended", "can/2015 ": "remote", "can/5 ": "FD"}[want]
            self.check(f"guest SocketCAN -> broker: {kind} frame {want.strip()}", want in got)

        # MQTT -> bus: can/s/<id> goes through the gateway onto vcan0; the tap publishes it.
        mark = self.mqtt.mark()
        self.publish("can/s/1000", self.frame(1, "ab"))
        self.publish("can/s/6", self.frame(4, "00112233445566778899aabbccddeeff"))
        ext = self.mqtt.wait(lambda l: l.startswith("tap/s/1000 ") and l.endswith("01ab"), STEP_TIMEOUT, mark)
        fd = self.mqtt.wait(lambda l: l.startswith("tap/s/6 ") and l.endswith("0400112233445566778899aabbccddeeff"),
                            STEP_TIMEOUT, mark)
        self.check("broker -> guest SocketCAN: extended frame can/s/1000 reaches the bus", ext)
        self.check("broker -> guest SocketCAN: FD frame can/s/6 reaches the bus", fd)

        # The console's own cansend: written by the gateway, seen on the bus by the tap.
        mark = self.mqtt.mark()
        sent = self.command("can send 123#DEADBEEF", "sent")
        seen = self.mqtt.wait(lambda l: l.startswith("tap/s/291 ") and l.endswith("00deadbeef"), STEP_TIMEOUT, mark)
        self.check("console `can send 123#DEADBEEF` reaches the bus", sent and seen, f"{sent} / {seen}")

        # Restart: the gateway reopens its socket; frames flow again afterwards.
        restarted = self.command("can restart", "reopening socketcan vcan0")
        self.check("console `can restart` reopens vcan0", restarted)
        again = self.repeat_until_seen(lambda: self.publish("tap/292", self.frame(0, "42")), "can/292 ", "0042")
        self.check("frames flow again after the restart", again)
        status = self.json_command("can status") or {}
        self.check("`can status` counts the reopen and the frames both ways",
                   status.get("reopens") == 1 and status.get("bus_to_mqtt", {}).get("published", 0) >= 5
                   and status.get("mqtt_to_bus", {}).get("frames_out", 0) >= 3, status)

        # libsocketcan prints "no link data found" for every read of an interface without a
        # controller (vcan); the bus asks once per open, not on every health report.
        with self.console.lock:
            noise = sum(1 for l in self.console.lines if "no link data found" in l)
        self.check("libsocketcan's \"no link data found\" at most once per vcan0 open (gateway twice, tap once)",
                   noise <= 3, f"{noise} lines")

        ota = self.ota_push()

        # Settings survive a power cut: save one over the console, pull the plug (qemu is
        # killed, which is what a power cut looks like to the guest), boot the same disk again.
        saved = self.command("set log.level debug", "log.level")
        done = self.command("save", "saved to /data/switchyard/config")
        self.check("console `set` + `save` write to the data partition", saved and done, f"{saved} / {done}")
        self.qemu.terminate()
        self.qemu.wait(30)
        self.uart.close()
        mark = self.mqtt.mark()
        self.boot(round=2)
        took = self.wait_online(mark)
        self.check("the guest boots again after a power cut", took is not None)
        if took is not None:
            print(f"boot: second boot, qemu start to 'online' in {took:.1f} s", flush=True)
            kept = self.command_retried("get log.level", "debug")
            self.check("the saved setting is still there after the reboot", kept and "user" in kept, str(kept))
            if ota:
                self.check("after the reboot `version` still shows " + OTA_VERSION,
                           self.command("version", OTA_VERSION, timeout=15))
                status = self.json_command("ota status") or {}
                self.check("after the reboot the gateway runs the pushed slot, not the factory binary",
                           status.get("slot") not in (None, "factory") and status.get("slot") == ota.get("slot"),
                           f"before {ota.get('slot')}, after {status.get('slot')}: {status}")
            self.sja1000()
            self.usb_slcan()
            if ota:
                self.ota_rollback(ota)
            self.factory_reset()

    def can_status_until(self, predicate):
        """`can status` once `predicate` holds for it (the tunnel restarts after a setting
        changes), or the last status seen."""
        status = {}
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            status = self.json_command("can status") or {}
            if predicate(status):
                break
            time.sleep(1)
        return status

    def can_status_on(self, interface, bitrate):
        """`can status` once the tunnel runs on `interface` with `bitrate`."""
        return self.can_status_until(lambda status: status.get("bus") == "socketcan " + interface
                                     and status.get("bus_detail", {}).get("bitrate") == bitrate)

    def sja1000(self):
        """The gateway on can0, an emulated SJA1000 (qemu's kvaser_pci) sharing a bus with can1,
        where the second tap runs: bit rate set and read back through libsocketcan, the
        controller state from the driver, frames both ways through a real CAN driver."""
        # Settings apply on `save` (the CAN service restarts with them).
        ok = self.command("set can.bitrate 500000", "can.bitrate") and self.command("set can.iface can0", "can.iface")
        ok = ok and self.command("save", "saved to")
        self.check("console: can.iface can0 and can.bitrate 500000 set and saved", ok)
        status = self.can_status_on("can0", 500000)
        detail = status.get("bus_detail", {})
        self.check("SJA1000: bit rate 500000 set by the gateway and read back from the kernel",
                   status.get("bus") == "socketcan can0" and detail.get("bitrate") == 500000, status)
        self.check("SJA1000: controller state error-active, read from the driver",
                   detail.get("controller") == "error-active" and status.get("health") == "ok", status)
        mark = self.mqtt.mark()
        sent = self.command("can send 321#CAFE", "sent")
        seen = self.mqtt.wait(lambda l: l.startswith("tap1/s/801 ") and l.endswith("00cafe"), STEP_TIMEOUT, mark)
        self.check("SJA1000: `can send` on can0 arrives on can1 (the tap publishes it)", sent and seen, f"{sent} / {seen}")
        back = self.repeat_until_seen(lambda: self.publish("tap1/802", self.frame(0, "0102")), "can/802 ", "000102")
        self.check("SJA1000: a frame written to can1 reaches the broker through the gateway on can0", back)
        self.command("set can.bitrate 250000", "can.bitrate")
        self.command("save", "saved to")
        status = self.can_status_on("can0", 250000)
        self.check("SJA1000: a new bit rate (250000) is applied and read back",
                   status.get("bus_detail", {}).get("bitrate") == 250000, status)

    def host_binary(self):
        """A host switchyard with `ota push` (the host build or the x86_64 firmware), or None."""
        for candidate in (os.environ.get("SWITCHYARD_HOST_BINARY"), os.path.join(REPO, ".build/debug/switchyard"),
                          os.path.join(REPO, "build/x86_64/switchyard")):
            if candidate and os.access(candidate, os.X_OK):
                probe = subprocess.run([candidate, "ota", "--help"], capture_output=True, timeout=30)
                if probe.returncode == 0:
                    return candidate
        return None

    def ota_push(self):
        """Pushes the image's own aarch64 firmware, stamped OTA_VERSION, to the guest over the
        broker and waits for the commit. Skipped, and said so, while the image's service
        is not `switchyard supervise` or no host binary has `ota push`. Returns the guest's
        `ota status` after the commit, or None."""
        host = self.host_binary()
        supervised = self.json_command("ota status", timeout=15) if host else None
        if host is None or supervised is None:
            why = "no host switchyard with `ota push`" if host is None else "the image's firmware has no `ota` command"
            print("skip the OTA push to the guest: " + why, flush=True)
            self.skipped += 1
            return None
        key = os.path.join(self.work, "ota-key")
        subprocess.run([host, "ota", "keygen", "--out", key], check=True, capture_output=True, timeout=60)
        with open(key + ".pub") as f:
            public = f.read().strip()
        ok = self.command("set ota.enabled true", "ota.enabled")
        ok = ok and self.command("set ota.public_keys " + public, "ota.public_keys")
        ok = ok and self.command("save", "saved to")
        self.check("console: OTA enabled with our public key and saved", ok)
        # The image's own firmware, stamped with a newer version, as a release would be: the
        # push goes through the version check (no --force).
        firmware = os.path.join(self.work, "switchyard-" + OTA_VERSION)
        shutil.copy(os.path.join(REPO, "build/aarch64/switchyard"), firmware)
        subprocess.run([sys.executable, os.path.join(REPO, "toolchain/stamp-version.py"), firmware, OTA_VERSION],
                       check=True, capture_output=True, timeout=60)
        push = subprocess.run([host, "ota", "push", "--file", firmware, "--key", key, "--node", "switchyard",
                               "--broker", f"127.0.0.1:{self.port}", "--timeout", "300"],
                              capture_output=True, text=True, timeout=360)
        with open(os.path.join(self.work, "ota-push.log"), "w") as f:
            f.write(push.stdout + push.stderr)
        self.check("ota push to the guest is committed (exit 0)", push.returncode == 0,
                   (push.stdout + push.stderr)[-400:])
        status = self.json_command("ota status") or {}
        self.check("the guest runs the pushed firmware from a slot", status.get("slot") in ("a", "b"), status)
        running = self.command("version", OTA_VERSION, timeout=15)
        self.check("`version` on the guest shows the pushed " + OTA_VERSION, running)
        return status if push.returncode == 0 else None

    def monitor(self, command):
        """Sends one command to qemu's human monitor; its answer (the text before the next
        prompt)."""
        with socket.socket(socket.AF_UNIX) as mon:
            mon.settimeout(10)
            mon.connect(os.path.join(self.work, f"monitor{self.round}.sock"))
            text = b""
            while not text.endswith(b"(qemu) "):
                text += mon.recv(4096)
            mon.sendall(command.encode() + b"\n")
            text = b""
            while not text.endswith(b"(qemu) "):
                chunk = mon.recv(4096)
                if not chunk:
                    break
                text += chunk
        return text.decode("utf-8", "replace")

    def usb_slcan(self):
        """Hotplug: a USB serial adapter (qemu's FTDI usb-serial) is plugged into the running
        guest; mdev loads ftdi_sio for it, /dev/ttyUSB0 appears, and the gateway, moved there
        over the console, speaks SLCAN through the real USB serial driver to the simulator on
        the host's pty."""
        answer = self.monitor("device_add usb-serial,chardev=slcan,bus=xhci.0,id=slcanusb")
        self.check("qemu: a USB serial adapter is plugged into the running guest", "Error" not in answer, answer)
        ok = self.command("set can.bus slcan", "can.bus") and self.command("set can.slcan_device /dev/ttyUSB0",
                                                                          "can.slcan_device")
        ok = ok and self.command("save", "saved to")
        self.check("console: the tunnel moved to SLCAN on /dev/ttyUSB0", ok)
        status = self.can_status_until(lambda status: status.get("bus") == "slcan /dev/ttyUSB0"
                                       and status.get("bus_state") == "open")
        self.check("hotplug: mdev loaded the driver, /dev/ttyUSB0 appeared, the SLCAN channel is open",
                   status.get("bus") == "slcan /dev/ttyUSB0" and status.get("bus_state") == "open", status)
        def adapter_sends():
            self.slcan.stdin.write(b"frame t1238DEADBEEF01020304\n")
            self.slcan.stdin.flush()
        got = self.repeat_until_seen(adapter_sends, "can/291 ", "00deadbeef01020304")
        self.check("USB SLCAN adapter -> broker: frame 123 arrives as can/291", got)
        mark = self.slcan_out.mark()
        self.publish("can/s/803", self.frame(0, "ab"))
        sent = self.slcan_out.wait(lambda l: l.upper() == "TX T3231AB", STEP_TIMEOUT, mark)
        self.check("broker -> USB SLCAN adapter: can/s/803 is written as t3231AB", sent)

    @staticmethod
    def poison_entry(path):
        """Writes UDF #0 (an undefined instruction) over an aarch64 ELF's entry point, so the
        binary dies of SIGILL the moment it starts, as a broken build would."""
        with open(path, "r+b") as f:
            data = f.read(64)
            entry, phoff = struct.unpack_from("<QQ", data, 24)
            phentsize, phnum = struct.unpack_from("<HH", data, 54)
            for index in range(phnum):
                f.seek(phoff + index * phentsize)
                p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
                if p_type == 1 and p_vaddr <= entry < p_vaddr + p_filesz:
                    f.seek(p_offset + entry - p_vaddr)
                    f.write(b"\0\0\0\0")
                    return
        raise RuntimeError("no loadable segment holds the entry point of " + path)

    def ota_rollback(self, good):
        """Pushes a newer firmware that crashes at start: after three crashes in its trial the
        supervisor rolls back to the slot that was good, the push says so, and the guest runs
        the good version again."""
        host = self.host_binary()
        key = os.path.join(self.work, "ota-key")
        bad = os.path.join(self.work, "switchyard-" + OTA_BAD_VERSION)
        shutil.copy(os.path.join(REPO, "build/aarch64/switchyard"), bad)
        subprocess.run([sys.executable, os.path.join(REPO, "toolchain/stamp-version.py"), bad, OTA_BAD_VERSION],
                       check=True, capture_output=True, timeout=60)
        self.poison_entry(bad)
        push = subprocess.run([host, "ota", "push", "--file", bad, "--key", key, "--node", "switchyard",
                               "--broker", f"127.0.0.1:{self.port}", "--timeout", "300"],
                              capture_output=True, text=True, timeout=360)
        output = push.stdout + push.stderr
        with open(os.path.join(self.work, "ota-push-bad.log"), "w") as f:
            f.write(output)
        self.check("OTA: a firmware that crashes at start is rolled back, and the push says so",
                   push.returncode != 0 and "rolled_back" in output, output[-400:])
        running = self.command_retried("version", OTA_VERSION)
        status = self.json_command("ota status") or {}
        self.check("OTA: after the rollback the guest runs the good slot (" + OTA_VERSION + ") again",
                   running and status.get("slot") == good.get("slot"), status)

    def factory_reset(self):
        """Last, because it forgets every saved setting: `factory-reset` over the UART takes two
        confirmations, keeps the old settings, restarts the gateway on the board's defaults
        (the broker and the console come from the qemu-virt profile, so it comes back), and
        the setting saved before the power cut is gone."""
        asked = self.command("factory-reset", "factory-reset erase")
        again = self.command("factory-reset erase", "factory-reset erase now")
        mark = self.mqtt.mark()
        done = self.command("factory-reset erase now", "settings reset")
        self.check("console `factory-reset`, confirmed twice over the UART, resets the settings",
                   asked and again and done, f"{asked} / {again} / {done}")
        back = self.wait_online(mark)
        self.check("the gateway comes back online after the factory reset", back is not None)
        # "log.level =" is the reply; the console's echo of the command also says "log.level".
        reset = self.command_retried("get log.level", "log.level =")
        self.check("after the factory reset the saved log.level is gone (back to its default)",
                   reset and "user" not in reset and "default" in reset, str(reset))
        kept = self.command("version", "(aarch64)", timeout=6)
        self.check("the console still answers after the factory reset", kept)

    def wait_online(self, mark):
        """Seconds from qemu's start to `online` on the status topic, or None."""
        topic = "switchyard/switchyard/status "
        online = self.mqtt.wait(lambda l: l.startswith(topic) and l.endswith("6f6e6c696e65"), BOOT_TIMEOUT, mark)
        return time.monotonic() - self.started if online else None

    def cleanup(self):
        for proc in reversed(self.procs):
            if proc.stdin:
                proc.stdin.close()
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.keep or any(not ok for _, ok in self.results):
            print("qemu-test: logs kept in " + self.work + " (uart1.log, uart2.log, mqtt.log, qemu1.log)")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    test = Test(sys.argv[1], "--keep" in sys.argv)
    try:
        test.run()
    except Exception as error:  # a crash of the harness is a failure, with its reason
        test.check("the boot test ran to the end", False, repr(error))
    finally:
        test.cleanup()
    passed = sum(1 for _, ok in test.results if ok)
    failed = len(test.results) - passed
    print(f"qemu-test: {passed} passed, {failed} failed" + (f", {test.skipped} skipped" if test.skipped else ""))
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
