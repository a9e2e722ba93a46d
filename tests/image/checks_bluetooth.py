"""Bluetooth checks (issue 23): the gateway's BLE service against the guest kernel's own
Bluetooth stack, as on a Pi without bluetoothd: the raw HCI socket on hci0, the mgmt channel
with real SMP pairing, and LE L2CAP ATT sockets for GATT.

Debian's arm64 kernel is built without hci_vhci (CONFIG_BT_HCIVHCI is off), so the
controllers reach the kernel the way a Pi's own radio does: through the hci_uart line
discipline (H4), here on pseudo-terminals. BlueZ's controller emulator `btvirt` (Debian's
bluez-test-tools, arm64, run with its own dynamic loader and libc) runs in the guest in its
server mode: one emulated LE controller per connection, all on one virtual radio, so they
scan, connect and pair with each other through the guest's kernel. `tools/gatt-peer bridge`
makes each of them a kernel adapter (hci0, hci1, hci2) and plays the devices: on hci1 a
BTHome sensor advertising through mgmt Add Advertising, on hci2 a blood-pressure cuff
("BLESmart_...") serving GATT on the L2CAP ATT channel (battery, heart rate notifications, a
blood-pressure indication behind encryption, date time). The gateway runs on hci0.

All of it is on a test disk labelled sy-test that board/qemu-virt/init.sh mounts (the
product image carries none of it), with the crypto modules btvirt needs (AF_ALG). A 16550 on
PCI carries a root shell for the test (the gateway's console on the PL011 has no shell).
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_shell import GuestShell  # noqa: E402

NAME = "bluetooth"
# On every run; left out (no test disk, no btvirt) only when QEMU_TEST_ONLY names other groups.
ENABLED = not os.environ.get("QEMU_TEST_ONLY") or "bluetooth" in os.environ.get("QEMU_TEST_ONLY", "").split(",")
# What the guest kernel says when its Bluetooth stack goes wrong: any of these fails the group.
# (Before the gateway bound its ATT socket to hci0, the kernel sent the link out of another
# adapter; Debian's 6.1.192 then logged "failed to register connection device" and, once in
# two runs, oopsed with list_del corruption in hci_chan_del.)
KERNEL_TROUBLE = ["list_del", "BUG:", "kernel BUG", "Oops", "failed to register connection"]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("SWITCHYARD_CACHE", "/var/cache/switchyard")
WAIT = 60
# Kernel modules btvirt's crypto needs (AF_ALG: AES-ECB and AES-CMAC for its SMP side).
CRYPTO_MODULES = ["af_alg", "algif_hash", "algif_skcipher", "ecb", "cmac"]

START_SH = r"""#!/bin/sh
# Runs in the guest at boot from the sy-test disk (board/qemu-virt/init.sh), before the gateway.
t=/run/sy-test
for module in %(modules)s; do
  modprobe -q $module 2>/dev/null || insmod $t/modules/$module.ko 2>/dev/null
done
modprobe hci_uart || echo "sy-test: cannot load hci_uart"
# The kernel's SMP debug lines in dmesg (not on the console), for a failed pairing's log.
mount -t debugfs none /sys/kernel/debug && echo 'file smp.c +p' > /sys/kernel/debug/dynamic_debug/control
# btvirt's server sockets are /tmp/bt-server-*.
(cd /tmp && exec $t/lib/ld-linux-aarch64.so.1 --library-path $t/lib $t/btvirt -s > /run/btvirt.log 2>&1) &
for _ in $(seq 40); do [ -S /tmp/bt-server-le ] && break; sleep 0.25; done
for index in 0 1 2; do
  GATT_PEER_TRACE=/run/hci$index.trace $t/gatt-peer bridge /tmp/bt-server-le &
  echo $! > /run/bridge$index.pid
  for _ in $(seq 40); do [ -e /sys/class/bluetooth/hci$index ] && break; sleep 0.25; done
done
$t/gatt-peer serve hci1 bthome &
echo $! > /run/peer1.pid
$t/gatt-peer serve hci2 cuff &
echo $! > /run/peer2.pid
# The test's shell on the PCI 16550: raw, no echo, one command line at a time.
stty raw -echo < /dev/ttyS0
while true; do sh < /dev/ttyS0 > /dev/ttyS0 2>&1; done &
""" % {"modules": " ".join(CRYPTO_MODULES)}


def fetch_deb(name):
    """The arm64 package `name`, downloaded once into the cache (apt-get download, as
    image/fetch-debs.sh does) and unpacked beside it; the unpacked folder."""
    debs = os.path.join(CACHE, "debs")
    os.makedirs(debs, exist_ok=True)
    found = sorted(glob.glob(os.path.join(debs, f"{name}_*_arm64.deb")))
    if not found:
        subprocess.run(["apt-get", "download", "-qq", "-o", "APT::Sandbox::User=root", f"{name}:arm64"],
                       cwd=debs, check=True, capture_output=True, timeout=300)
        found = sorted(glob.glob(os.path.join(debs, f"{name}_*_arm64.deb")))
    deb = found[-1]
    unpacked = deb[:-4] + ".unpacked"
    if not os.path.isdir(unpacked):
        subprocess.run(["dpkg-deb", "-x", deb, unpacked + ".tmp"], check=True)
        os.rename(unpacked + ".tmp", unpacked)
    return unpacked


def build_overlay(work):
    """The sy-test disk: gatt-peer (cross-built static for aarch64), btvirt with its loader
    and libc, the crypto modules from the image's own kernel package, and start.sh."""
    files = os.path.join(work, "sy-test")
    for folder in ("lib", "modules"):
        os.makedirs(os.path.join(files, folder), exist_ok=True)
    compiler = os.environ.get("AARCH64_CC", "aarch64-linux-gnu-gcc")
    subprocess.run([compiler, "-static", "-O2", "-Wall", "-o", os.path.join(files, "gatt-peer"),
                    os.path.join(REPO, "tools/gatt-peer/gatt-peer.c")], check=True, capture_output=True, timeout=120)
    tools = fetch_deb("bluez-test-tools")
    libc = fetch_deb("libc6")
    subprocess.run(["cp", os.path.join(tools, "usr/bin/btvirt"), files], check=True)
    for library in ("ld-linux-aarch64.so.1", "libc.so.6"):
        subprocess.run(["cp", "-L", os.path.join(libc, "lib/aarch64-linux-gnu", library),
                        os.path.join(files, "lib")], check=True)
    kernel = sorted(glob.glob(os.path.join(CACHE, "debs/unpacked-*/lib/modules/*/kernel/crypto")))
    for module in CRYPTO_MODULES:
        subprocess.run(["cp", os.path.join(kernel[-1], module + ".ko"), os.path.join(files, "modules")], check=True)
    with open(os.path.join(files, "start.sh"), "w") as f:
        f.write(START_SH)
    disk = os.path.join(work, "sy-test.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "sy-test", "-d", files, disk, "16M"], check=True,
                   capture_output=True, timeout=60)
    return disk


class Bluetooth(GuestShell):
    """Host side: the sy-test disk and the guest's test shell."""

    MARKER = "__sy_done_"

    def __init__(self, test):
        self.work = os.path.join(test.work, "bt")
        os.makedirs(self.work, exist_ok=True)
        self.log = open(os.path.join(self.work, "shell.log"), "w", buffering=1)
        self.disk = build_overlay(test.work)
        self.shell_socket = None
        self.sequence = 0
        # Boots counted here: other groups name their rounds as they like ("field1", ...).
        self.boots = 0

    def qemu_args(self, test):
        self.boots += 1
        shell = os.path.join(self.work, f"shell{self.boots}.sock")
        self.shell_path = shell
        self.shell_socket = None
        return ["-chardev", f"socket,id=btshell,path={shell},server=on,wait=off",
                "-device", "pci-serial,chardev=btshell",
                "-drive", f"file={self.disk},if=none,format=raw,id=sytest,readonly=on",
                "-device", "virtio-blk-pci,drive=sytest"]


def qemu_args(test):
    if not ENABLED:
        return []
    if not hasattr(test, "bt"):
        test.bt = Bluetooth(test)
    return test.bt.qemu_args(test)


def console_line(test, text, timeout=WAIT, start=0):
    return test.console.wait(lambda l: text in l, timeout, start)


def ble_status(test):
    return test.json_command("ble status", timeout=15) or {}


def wait_for(predicate, timeout=WAIT, step=1.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return value


def published(test, address, mark, want, timeout=WAIT, suffix=""):
    """The first JSON the gateway publishes for `address` (any device for None; on its topic +
    `suffix`) from `mark` on for which want(doc) holds, or None (payloads are hex on the
    test's broker stream)."""
    prefix = "switchyard/switchyard/ble/" + (address.replace(":", "").upper() + suffix + " " if address else "")

    def document(line):
        if not line.startswith(prefix) or " " not in line[len(prefix) - 1:]:
            return None
        topic, _, payload = line.partition(" ")
        if address is None and "/" in topic[len(prefix):]:
            return None
        try:
            doc = json.loads(bytes.fromhex(payload).decode())
            return doc if want(doc) else None
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None

    line = test.mqtt.wait(lambda l: document(l) is not None, timeout, mark)
    return document(line) if line else None


def bthome(doc):
    """Whether `doc` is the sensor's reading (23.45 °C)."""
    return "23.45" in json.dumps(doc)


def address_of(test, index):
    line = console_line(test, f"mgmt hci{index}: address", timeout=5)
    return line.split("address", 1)[1].split()[0] if line else None


def run(test):
    if not ENABLED:
        return
    bt = test.bt
    attached = [console_line(test, f"attached as hci{index}") for index in range(3)]
    test.check("bluetooth: three btvirt LE controllers are kernel adapters through hci_uart: hci0, hci1, hci2",
               all(attached), attached)
    sensor = console_line(test, "mgmt hci1: le")
    test.check("bluetooth: the peer on hci1 is powered and advertises through mgmt Add Advertising",
               sensor and "powered 0 advertising 0" in sensor, sensor)
    cuff = console_line(test, "mgmt hci2: le")
    test.check("bluetooth: the cuff on hci2 is powered, advertises and listens on the ATT channel",
               cuff and "powered 0 advertising 0" in cuff and console_line(test, "gatt: listening on", 5), cuff)
    # The sensor advertises, not connectable, from a random address the kernel picks: it is
    # found by what it says. The cuff (connectable) uses its public address.
    cuff_address = address_of(test, 2)

    # 1. Passive scan on hci0 through the raw HCI socket: the BTHome advert, decoded, on the broker.
    # The backend's IoT API (tools/iot-api-sim.py) runs on the host, qemu's 10.0.2.2 to the
    # guest, and is set over the console as a user would.
    iot = IoTSim(test)
    mark = test.mqtt.mark()
    ok = test.command("set ble.enabled true", "ble.enabled") and test.command("set ble.publish_interval_s 0",
                                                                               "ble.publish_interval_s")
    ok = ok and test.command(f"set iot.url http://10.0.2.2:{iot.port}/app", "iot.url")
    ok = ok and test.command("set iot.submit_s 2", "iot.submit_s") and test.command("save", "saved to")
    test.check("bluetooth: console: ble.enabled true and iot.url (the host's IoT API simulator) saved "
               "(adapter hci0, passive)", ok)
    status = wait_for(lambda: (lambda s: s if s.get("scan") == "scanning" else None)(ble_status(test)), WAIT, 2)
    test.check("bluetooth: the gateway scans on hci0 through the raw HCI socket", status, ble_status(test))
    doc = published(test, None, mark, bthome)
    text = json.dumps(doc) if doc else ""
    test.check("bluetooth: passive scan on hci0 sees the peer's BTHome advert, decoded and on the broker "
               "(23.45 °C, 55.5 %, 93 %)", doc and "23.45" in text and "55.5" in text and "93" in text,
               doc or "no BTHome reading published")

    ecdh = console_line(test, "Unable to create ECDH crypto context", timeout=0.1)
    test.check("bluetooth: the kernel's SMP has its crypto (no \"Unable to create ECDH crypto context\")",
               not ecdh, ecdh)

    # 2. Pairing through mgmt with real SMP, Just Works: the peer's kernel asks its user (gatt-peer) to confirm.
    scanner_before = ble_status(test).get("scanner", {})
    # From before the pairing: the restore can come (and btvirt report the sensor again)
    # before `bcms pair` answers. btvirt reports an advertiser only when a scan starts, so no
    # BTHome reading is published between here and the pairing but by a scan restart.
    pairing_mark = test.mqtt.mark()
    pairing_console = test.console.mark()
    reply = test.json_command(f"bcms pair --address {cuff_address}", timeout=WAIT) or {}
    confirmed = console_line(test, "pairing: confirming Just Works", timeout=5)
    test.check("bluetooth: `bcms pair` pairs with the cuff through the kernel (SMP Just Works)",
               reply.get("status") is True and confirmed, reply)
    paired = test.json_command(f"bcms is_paired --address {cuff_address}") or {}
    test.check("bluetooth: `bcms is_paired` is true after pairing", paired.get("status") is True, paired)
    if paired.get("status") is not True:
        bt.shell("dmesg | grep -i -e smp -e bluetooth | tail -30; tail -20 /run/btvirt.log; tail -150 /run/hci0.trace")

    # 2b. The kernel paused our raw-socket scan to connect for the pairing and left it off;
    # the gateway sees the kernel's LE Set Scan Enable and restores the scan once the
    # connection is through, so BTHome adverts resume within seconds, not after the
    # watchdog's 15-20 s.
    started = time.monotonic()
    resumed = published(test, None, pairing_mark, bthome, timeout=8)
    took = time.monotonic() - started
    scanner = ble_status(test).get("scanner", {})
    # Most runs the kernel leaves our scan off after its connection and the gateway restores
    # it; now and then the kernel turns it back on itself (then btvirt reports again at once).
    turned_off = console_line(test, "the scan was turned off by another user", 0.1, pairing_console)

    def restored():
        nonlocal scanner
        scanner = ble_status(test).get("scanner", {})
        return scanner.get("scan_restarts_after_kernel", 0) > scanner_before.get("scan_restarts_after_kernel", 0)
    # The restart is counted once the controller has answered it: a moment after its log line.
    restored = wait_for(restored, 5, 0.5) if turned_off else False
    test.check("bluetooth: after the pairing connection the scan is back at once (the kernel turned it off; the "
               "gateway restores it) and BTHome adverts resume within 8 s, not after the watchdog",
               resumed and (restored or not turned_off)
               and scanner.get("watchdog_resets") == scanner_before.get("watchdog_resets"),
               f"{took:.1f} s, kernel turned it off: {bool(turned_off)}, {scanner_before} -> {scanner}")

    # 3. Active GATT: the cuff approved; the gateway connects over an L2CAP ATT socket,
    # encrypted with the kept key, subscribes, and publishes what the cuff sends.
    mark = test.mqtt.mark()
    paired_at = test.console.mark()
    test.json_command(f"bcms approve --address {cuff_address}")
    test.json_command("bcms set_mode --mode active")
    heart = published(test, cuff_address, mark, lambda d: "heart_rate" in json.dumps(d))
    test.check("bluetooth: heart rate notifications over GATT reach the broker", heart, heart)
    pressure = published(test, cuff_address, mark, lambda d: d.get("systolic") == 120 and d.get("diastolic") == 80,
                         suffix="/blood_pressure")
    test.check("bluetooth: the blood-pressure indication (120/80) reaches the broker", pressure, pressure)
    # The same readings reach the IoT API, under the id the backend gave the cuff at approval.
    created = iot.wait(lambda line: line.startswith(f"CREATE {cuff_address} "), 10)
    device_id = created.split()[2] if created else None
    rate = iot.sample(device_id, "heart_rate", lambda data: isinstance(data.get("rate"), (int, float)))
    blood = iot.sample(device_id, "blood_pressure", lambda data: data.get("sys") == 120 and data.get("dias") == 80)
    test.check("bluetooth: heart rate and the blood pressure (120/80) reach the IoT API simulator on the host "
               "(cuff registered at approval)", device_id and rate and blood,
               f"created {created!r}, heart rate {rate}, blood pressure {blood}; last: {iot.lines()[-3:]}")

    # 4. A peer that drops the link, then drops it again in the middle of a read: reconnected with backoff.
    before = gatt_link(test, cuff_address)
    bt.shell("kill -USR1 $(cat /run/peer2.pid)")
    dropped = console_line(test, "dropping the link in the middle of a read", timeout=WAIT)
    mark = test.mqtt.mark()
    again = published(test, cuff_address, mark, lambda d: "heart_rate" in json.dumps(d))
    after = gatt_link(test, cuff_address)
    test.check("bluetooth: a peer that disconnects mid-read is reconnected (with backoff) and delivers again",
               dropped and again and after.get("connects", 0) >= before.get("connects", 0) + 2, f"{before} -> {after}")
    # Every session since the pairing (the first and both reconnections) is encrypted.
    sessions = [line.split("encrypted", 1)[1].strip() for line in console_lines(test, "first request, encrypted")[-3:]]
    with test.console.lock:
        unencrypted = [line for line in test.console.lines[paired_at:] if "first request, encrypted 0" in line]
    pairings = ble_status(test).get("pairing", {}).get("pairings")
    test.check("bluetooth: the gateway reconnects to the cuff's ATT channel encrypted with the kept key, "
               "without pairing again", sessions == ["1"] * 3 and not unencrypted and pairings == 1,
               f"last sessions encrypted {sessions}, unencrypted {unencrypted} / pairings {pairings}")
    # 4b. The gateway restarts (console `restart`: a graceful stop closes its ATT socket with
    # the link up) with the cuff bonded: the new process loads the kept keys into hci0 and the
    # reconnection is encrypted with them, no second pairing (the cuff confirms none).
    confirmations = len(console_lines(test, "pairing: confirming Just Works"))
    restart_mark = test.console.mark()
    mark = test.mqtt.mark()
    restarted = test.command("restart", "restarting", timeout=15)
    answering = wait_for(lambda: test.command("version", "(aarch64)", timeout=5), WAIT, 1)
    encrypted = console_line(test, "first request, encrypted", WAIT, restart_mark)
    heart = published(test, cuff_address, mark, lambda d: "heart_rate" in json.dumps(d))
    pairings = ble_status(test).get("pairing", {}).get("pairings")
    test.check("bluetooth: after a gateway restart the cuff reconnects encrypted with the kept key, no second pairing",
               restarted and answering and encrypted and "encrypted 1" in encrypted and heart
               and len(console_lines(test, "pairing: confirming Just Works")) == confirmations and not pairings,
               f"restart {bool(restarted)}, console {bool(answering)}, {encrypted}, heart rate {bool(heart)}, "
               f"pairings {pairings}, confirmations {confirmations} -> {len(console_lines(test, 'pairing: confirming Just Works'))}")

    # Every link the cuff accepted came from the gateway's adapter: the ATT socket is bound to
    # hci0's address (bound to none, the kernel sent it out of hci1, the sensor's adapter).
    gateway_address = hci_address(bt, 0)
    sources = {line.split("connection from", 1)[1].strip() for line in console_lines(test, "cuff: gatt: connection from")}
    test.check("bluetooth: every link the cuff accepted came from the gateway's adapter hci0 (ATT bound to its address)",
               gateway_address and sources == {gateway_address}, f"hci0 {gateway_address!r}, cuff saw {sorted(sources)}")
    trouble = kernel_trouble(test)
    test.check("bluetooth: the guest kernel logged no Bluetooth trouble after the reconnections and the restart "
               "(" + ", ".join(KERNEL_TROUBLE) + ")", not trouble, trouble)

    # 5. Hotplug: hci0 removed (its bridge killed, so the kernel unregisters it) and added back.
    bt.shell("kill $(cat /run/bridge0.pid)")
    gone = wait_for(lambda: (lambda s: s if s.get("scan") != "scanning" else None)(ble_status(test)), 30, 1)
    test.check("bluetooth: hotplug: hci0 removed, the gateway notices", gone, gone)
    start = test.console.mark()
    bt.shell("/run/sy-test/gatt-peer bridge /tmp/bt-server-le > /dev/console 2>&1 & echo $! > /run/bridge0.pid")
    readded = console_line(test, "attached as hci0", WAIT, start)
    mark = test.mqtt.mark()
    back = wait_for(lambda: (lambda s: s if s.get("scan") == "scanning" else None)(ble_status(test)), WAIT, 2)
    doc = published(test, None, mark, bthome)
    test.check("bluetooth: hotplug: hci0 back, the scan recovers and the BTHome advert is published again",
               readded and back and doc, back)
    # The new hci0 started with no keys; the gateway loaded its own (mgmt Index Added). The
    # kernel itself says whether it has the key: pairing again is "already paired".
    again = test.json_command(f"bcms pair --address {cuff_address}", timeout=WAIT) or {}
    status = ble_status(test).get("pairing", {})
    test.check("bluetooth: hotplug: the gateway loaded its kept keys into the new hci0 (the kernel answers "
               "`bcms pair` with already paired)", again.get("status") is False
               and "already paired" in json.dumps(again) and status.get("adapter_returns", 0) >= 1, f"{again} / {status}")

    # 6. `bcms unpair` removes the bond.
    # Unpairing first: the kernel drops the link, and the gateway closes its socket after that.
    reply = test.json_command(f"bcms unpair --address {cuff_address}") or {}
    paired = test.json_command(f"bcms is_paired --address {cuff_address}") or {}
    test.check("bluetooth: `bcms unpair` removes the bond (is_paired false)",
               reply.get("status") is True and paired.get("status") is False, f"{reply} / {paired}")
    wait_for(lambda: gatt_link(test, cuff_address).get("phase") != "ready", 15, 1)
    test.json_command(f"bcms remove --address {cuff_address}")
    test.json_command("bcms set_mode --mode passive")
    # The other checks run with the gateway as it was: BLE off again.
    test.command("set ble.enabled false", "ble.enabled")
    test.command("unset iot.url", "iot.url")
    test.command("unset iot.submit_s", "iot.submit_s")
    test.command("save", "saved to")
    trouble = kernel_trouble(test)
    test.check("bluetooth: no kernel oops or Bluetooth trouble in the guest's log (" + ", ".join(KERNEL_TROUBLE)
               + "), and the console still answers after the Bluetooth checks",
               not trouble and test.command("version", "(aarch64)", timeout=15), trouble)


def gatt_link(test, address):
    for link in ble_status(test).get("gatt", []):
        if link.get("address") == address:
            return link
    return {}


def console_lines(test, text):
    with test.console.lock:
        return [line for line in test.console.lines if text in line]


def kernel_trouble(test):
    """Lines of the guest kernel's log (dmesg over the test shell, and the console) that show
    its Bluetooth stack in trouble; a shell that does not answer counts as trouble too."""
    status, output = test.bt.shell("dmesg | grep -e " + " -e ".join(f"'{word}'" for word in KERNEL_TROUBLE) + "; true", 15)
    # The shell's own echo of the command line names every word too: not the kernel's.
    found = [line for line in output.splitlines()
             if any(word in line for word in KERNEL_TROUBLE) and "dmesg |" not in line]
    if status is None:
        found.append("the test shell did not answer (dmesg)")
    with test.console.lock:
        found += [line for line in test.console.lines if "kernel BUG at" in line or "list_del corruption" in line]
    return found



class IoTSim:
    """tools/iot-api-sim.py on the host, recording every request; the guest reaches it as 10.0.2.2."""

    def __init__(self, test):
        self.record = os.path.join(test.work, "bt", "iot-api.record")
        self.proc = test.spawn([sys.executable, os.path.join(REPO, "tools/iot-api-sim.py"), "--port", "0",
                                "--record", self.record, "--exit-on-eof"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.split()[1])

    def lines(self):
        try:
            with open(self.record) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def wait(self, predicate, timeout=WAIT):
        """The first recorded line for which predicate holds, waited for up to `timeout` s."""
        return wait_for(lambda: next((line for line in self.lines() if predicate(line)), None), timeout, 0.5)

    def sample(self, device_id, data_type, want, timeout=WAIT):
        """The first submitted sample of `data_type` for `device_id` whose data satisfies `want`."""
        def found(line):
            if not device_id or not line.startswith("POST "):
                return None
            try:
                body = json.loads(line.split(" ", 3)[3])
            except (IndexError, ValueError):
                return None
            for group in body.get("data", []):
                if group.get("iotDeviceId") == device_id and group.get("dataType") == data_type:
                    for entry in group.get("data", []):
                        if want(entry.get("data", {})):
                            return entry
            return None
        return wait_for(lambda: next((f for f in map(found, self.lines()) if f), None), timeout, 0.5)


def hci_address(bt, index):
    """hciN's public address as the kernel has it (gatt-peer address), or None."""
    _, output = bt.shell(f"/run/sy-test/gatt-peer address hci{index}")
    found = re.findall(r"^([0-9A-F]{2}(?::[0-9A-F]{2}){5})\s*$", output, re.M)
    return found[-1] if found else None
