"""Issue 27 in the boot test (NAME "field"): the SD image in the field.

  * Clock: every boot starts with the RTC at OLD_RTC (qemu -rtc), before the image's build
    time: rcS lifts it to the build time. tools/sntp-server.py on the host serves the host's
    time + NTP_OFFSET (a "true" time no other source could give) on a free UDP port, which
    the guest reaches as 10.0.2.2. `set time.servers 10.0.2.2:<port>` over the UART applies
    without a reboot: `time status` and `state` show the clock synchronised at that time.
  * fsck: after a power cut the test marks the data partition as having errors and breaks a
    counter (debugfs on the host); the next boot's e2fsck -p repairs it, says so, and the
    saved time.servers survive. That boot's clock comes from the time saved on /data (the
    SNTP server is muted meanwhile), then syncs again once the server answers.
  * Watchdog: qemu's i6300esb with -watchdog-action reset; the supervisor arms it (the log
    says so) and the guest outlives several timeouts while it is fed. Then a watcher in the
    guest (board/qemu-virt/init.sh, SWITCHYARD_TEST_FREEZE) SIGSTOPs the supervisor: the
    board must reset within the timeout (with -no-reboot qemu exits on the reset), and the
    next boot comes back online. That boot is left running for the rest of the test.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

NAME = "field"
OLD_RTC = "2020-01-01T00:00:00"
NTP_OFFSET = 30 * 86400       # the served time: host time + 30 days
WATCHDOG_S = 15               # watchdog.timeout_s's default
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start_helpers(test):
    """The SNTP server and the freeze switch, once per test run."""
    if getattr(test, "field", None):
        return test.field
    field = {"mute": os.path.join(test.work, "sntp-mute"), "freeze": False, "freeze_boot": False}
    sntp = test.spawn([sys.executable, os.path.join(REPO, "tools/sntp-server.py"), "--offset", str(NTP_OFFSET),
                       "--mute-file", field["mute"]], stdout=subprocess.PIPE)
    field["sntp_port"] = int(sntp.stdout.readline().decode().strip())
    field["sntp"] = sntp
    field["sntp_log"] = []
    def drain(server):
        for line in server.stdout:
            field["sntp_log"].append(line.decode().strip())
    field["drain"] = drain
    threading.Thread(target=drain, args=(sntp,), daemon=True).start()
    # The freeze switch: the guest's watcher connects every second and reads one word.
    switch = socket.socket()
    switch.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    switch.bind(("127.0.0.1", 0))
    switch.listen(8)
    field["freeze_port"] = switch.getsockname()[1]
    def serve():
        while True:
            try:
                conn, _ = switch.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"freeze\n" if field["freeze"] else b"wait\n")
    threading.Thread(target=serve, daemon=True).start()
    test.field = field
    return field


def qemu_args(test):
    _start_helpers(test)
    return ["-rtc", "base=" + OLD_RTC, "-device", "i6300esb", "-watchdog-action", "reset"]


def cmdline(test):
    field = _start_helpers(test)
    return f"SWITCHYARD_TEST_FREEZE={field['freeze_port']}" if field["freeze_boot"] else ""


def _iso_seconds(text):
    """Seconds since the epoch of `2026-12-06T10:00:00.123Z`."""
    import calendar
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))


def _time_status_until(test, predicate, timeout):
    status = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = test.json_command("time status", timeout=10) or {}
        if predicate(status):
            return status
        time.sleep(2)
    return status


def _console_has(test, text, start=0):
    with test.console.lock:
        return next((l for l in test.console.lines[start:] if text in l), None)


def _data_partition(test):
    """(offset, size) in bytes of partition 3 of the test's disk."""
    table = json.loads(subprocess.run(["sfdisk", "--json", test.disk], capture_output=True, check=True).stdout)
    part = table["partitiontable"]["partitions"][2]
    return part["start"] * 512, part["size"] * 512


def _break_data_partition(test):
    """Marks the (already dirty, power-cut) data partition as having errors and gives it a
    wrong free-blocks count: what e2fsck -p must find and repair at the next boot."""
    offset, size = _data_partition(test)
    fs = os.path.join(test.work, "data.ext4")
    with open(test.disk, "rb") as src, open(fs, "wb") as dst:
        src.seek(offset)
        dst.write(src.read(size))
    # The power cut may have left the journal to replay; replaying it here first keeps the
    # replay (which rewrites the superblock from the journal) from undoing the damage below.
    subprocess.run(["e2fsck", "-E", "journal_only", "-y", fs], capture_output=True)
    run = subprocess.run(["debugfs", "-w", "-R", "ssv state 2", fs], capture_output=True, text=True)
    run2 = subprocess.run(["debugfs", "-w", "-R", "ssv free_blocks_count 7", fs], capture_output=True, text=True)
    state = subprocess.run(["dumpe2fs", "-h", fs], capture_output=True, text=True).stdout
    with open(fs, "rb") as src, open(test.disk, "r+b") as dst:
        dst.seek(offset)
        dst.write(src.read())
    os.remove(fs)
    return run.returncode == 0 and run2.returncode == 0 and "with errors" in state


def _data_bytes(test, data=None):
    """The data partition's bytes (data None), or writes `data` back over it."""
    offset, size = _data_partition(test)
    with open(test.disk, "r+b") as disk:
        disk.seek(offset)
        if data is None:
            return disk.read(size)
        disk.write(data)


def _make_unrepairable(test):
    """Sets an incompatible feature bit no e2fsck or kernel knows: e2fsck -p gives up
    (exit 8) and the kernel refuses to mount it, even read-only."""
    offset, size = _data_partition(test)
    fs = os.path.join(test.work, "data.ext4")
    with open(fs, "wb") as dst:
        dst.write(_data_bytes(test))
    set_bit = subprocess.run(["debugfs", "-w", "-R", "feature FEATURE_I31", fs], capture_output=True, text=True)
    probe = subprocess.run(["dumpe2fs", "-h", fs], capture_output=True, text=True)
    with open(fs, "rb") as src:
        _data_bytes(test, src.read())
    os.remove(fs)
    return "FEATURE_I31" in set_bit.stdout and "unsupported feature" in probe.stderr


def _power_cut(test):
    test.qemu.terminate()
    test.qemu.wait(30)
    test.uart.close()


def _boot_online(test, round, freeze):
    test.field["freeze_boot"] = freeze
    mark = test.mqtt.mark()
    test.boot(round=round)
    took = test.wait_online(mark)
    if took is not None:
        for _ in range(10):
            if test.command("version", "(aarch64)", timeout=6):
                break
    return took


def run(test):
    field = _start_helpers(test)
    # --- clock: the build-time floor, then sync over the UART
    lifted = _console_has(test, "from the image's build time")
    test.check("clock: rcS lifts the RTC's " + OLD_RTC[:10] + " to the image's build time", lifted, lifted)
    before = test.json_command("time status") or {}
    test.check("clock: `time status` answers, time sync enabled on the qemu-virt profile",
               before.get("enabled") is True and "clock" in before, before)
    if before.get("clock", {}).get("synchronised") is False:
        test.check("clock: not synchronised yet, the service says TLS waits",
                   before.get("health") == "degraded" and "TLS" in before.get("detail", ""), before)
    server = f"10.0.2.2:{field['sntp_port']}"
    ok = test.command("set time.servers " + server, "time.servers") and test.command("save", "saved to")
    test.check("clock: time.servers set to the host's SNTP server over the UART and saved", ok)
    want = time.time() + NTP_OFFSET
    status = _time_status_until(test, lambda s: s.get("clock", {}).get("server") == server, 60)
    clock = status.get("clock", {})
    guest = _iso_seconds(clock["time"]) if clock.get("time") else 0
    test.check("clock: synchronised from the host's server without a reboot, health ok",
               clock.get("synchronised") is True and status.get("health") == "ok", status)
    test.check("clock: the guest's time is the served one (host + 30 days, within 60 s)",
               abs(guest - (time.time() + NTP_OFFSET)) < 60, f"guest {clock.get('time')}, want ~{want}")
    test.check("clock: the server saw the guest's SNTP requests", any(l.startswith("answered") for l in field["sntp_log"]),
               field["sntp_log"][-3:])
    state = test.json_command("status") or {}
    test.check("clock: `status` shows the network service healthy",
               "network" in json.dumps(state) and '"degraded"' not in json.dumps(state.get("services", {}).get("network", {})),
               json.dumps(state)[:400])

    # --- watchdog armed and fed
    armed = _console_has(test, "hardware watchdog armed")
    test.check("watchdog: the supervisor armed /dev/watchdog (i6300esb)", armed, armed)

    # --- power cut, broken data partition, boot with the SNTP server muted
    _power_cut(test)
    test.check("fsck: the data partition is marked as having errors (debugfs)", _break_data_partition(test))
    open(field["mute"], "w").close()
    took = _boot_online(test, "field1", freeze=True)
    test.check("fsck/clock: the guest boots again with a broken data partition", took is not None)
    if took is None:
        return
    repaired = _console_has(test, "repaired by e2fsck -p")
    test.check("fsck: rcS ran e2fsck -p on /data, which repaired it, and says so", repaired, repaired)
    kept = test.command("get time.servers", server, timeout=10)
    test.check("fsck: the saved setting (time.servers) survived the repair", kept and "user" in kept, kept)
    restored = _console_has(test, "from the time saved on /data")
    test.check("clock: after the reboot rcS restores the time saved on /data", restored, restored)
    status = test.json_command("time status") or {}
    clock = status.get("clock", {})
    guest = _iso_seconds(clock["time"]) if clock.get("time") else 0
    # Saved at the sync above (~host + 30 days), the boot adds less than a few minutes.
    test.check("clock: before any sync the guest's clock is the saved one (host + 30 days, within 10 min)",
               clock.get("synchronised") is False and abs(guest - (time.time() + NTP_OFFSET)) < 600, status)
    os.remove(field["mute"])
    status = _time_status_until(test, lambda s: s.get("clock", {}).get("synchronised") is True, 90)
    test.check("clock: synchronised again once the server answers", status.get("clock", {}).get("synchronised"), status)

    # --- watchdog: the guest runs several timeouts fed; then the supervisor hangs
    while test.qemu.poll() is None and time.monotonic() - test.started < 2 * WATCHDOG_S + 2:
        time.sleep(1)
    alive = test.qemu.poll() is None
    test.check(f"watchdog: fed, the guest ran over {2 * WATCHDOG_S} s without a reset", alive)
    mark = test.console.mark()
    field["freeze"] = True
    stopped = test.console.wait(lambda l: "SIGSTOP to the supervisor" in l, 30, mark)
    frozen_at = time.monotonic()
    test.check("watchdog: the guest's watcher stopped the supervisor (SIGSTOP)", stopped, stopped)
    try:
        test.qemu.wait(WATCHDOG_S + 30)
        reset_after = time.monotonic() - frozen_at
    except subprocess.TimeoutExpired:
        reset_after = None
    field["freeze"] = False
    # The last feed was up to a third of the timeout before the stop.
    test.check(f"watchdog: the board reset within {WATCHDOG_S} s after the supervisor hung (qemu -no-reboot exits on it)",
               reset_after is not None and WATCHDOG_S * 2 / 3 - 1 <= reset_after <= WATCHDOG_S + 20, f"after {reset_after} s")
    if reset_after is None:
        _power_cut(test)
    else:
        print(f"watchdog: reset {reset_after:.1f} s after SIGSTOP", flush=True)
        test.uart.close()
    took = _boot_online(test, "field2", freeze=False)
    test.check("watchdog: after the reset the gateway comes back online", took is not None)

    # --- a data partition e2fsck cannot repair: never reformatted, the gateway runs on RAM
    _power_cut(test)
    good = _data_bytes(test)
    test.check("fsck: the data partition is made unrepairable (an unknown incompat feature)", _make_unrepairable(test))
    took = _boot_online(test, "field3", freeze=False)
    test.check("fsck: with an unrepairable data partition the gateway still comes online", took is not None)
    damaged = _console_has(test, "DAMAGED: e2fsck -p could not repair it")
    test.check("fsck: rcS says on the console that the data partition is damaged", damaged, damaged)
    status = test.json_command("time status") or {}
    test.check("fsck: `time status` shows data_partition damaged", status.get("data_partition") == "damaged", status)
    gateway = test.json_command("status") or {}
    network = json.dumps(gateway.get("services", {}).get("network", gateway))
    test.check("fsck: `status` shows the fault (the LED's SOS)", '"attention": "fault"' in network, network[:600])
    # Back to the good partition for the rest of the boot test, and to the host's own time:
    # the OTA pushes after this group sign manifests valid from the host's now, which a guest
    # 30 days ahead would take for expired. The same port (it is saved in time.servers), an
    # honest offset; the guest steps its clock back at its first sync after the boot.
    _power_cut(test)
    _data_bytes(test, good)
    field["sntp"].terminate()
    field["sntp"].wait(10)
    honest = test.spawn([sys.executable, os.path.join(REPO, "tools/sntp-server.py"), "--port", str(field["sntp_port"]),
                         "--offset", "0"], stdout=subprocess.PIPE)
    honest.stdout.readline()
    threading.Thread(target=field["drain"], args=(honest,), daemon=True).start()
    took = _boot_online(test, "field4", freeze=False)
    test.check("the gateway is online again on the restored data partition", took is not None)
    status = _time_status_until(test, lambda s: s.get("clock", {}).get("synchronised") is True
                                and abs(_iso_seconds(s["clock"].get("time", "1970-01-01T00:00:00Z")) - time.time()) < 60, 90)
    clock = status.get("clock", {})
    test.check("clock: back on the host's time (a server that corrects the clock backwards is followed)",
               clock.get("synchronised") and abs(_iso_seconds(clock.get("time", "1970-01-01T00:00:00Z")) - time.time()) < 60,
               status)
