"""Issue 27 in the boot test (NAME "field"): the SD image in the field.

  * Clock: every boot starts with the RTC at OLD_RTC (qemu -rtc), before the image's build
    time: rcS lifts it to the build time. tools/sntp-server.py on the host serves the host's
    time + NTP_OFFSET (a "true" time no other source could give) on a free UDP port, which
    the guest reaches as 10.0.2.2. `set time.servers 10.0.2.2:<port>` over the UART applies
    without a reboot: `time status` and `state` show the clock synchronised at that time.
  * TLS waits for the clock: a TLS broker (a second mosquitto, with a CA and server certificate
    the test makes at its start, valid from a day ahead of the host's clock, so after the
    guest's build-time clock) listens on the host's own address. The CA reaches the guest as a user would put it
    there: copied onto the data partition (debugfs, before the first boot), then
    `set mqtt.host`/`mqtt.tls.ca_file` + `save` over the UART. Until the SNTP step the gateway
    logs that TLS waits for the clock and never tries the broker; after it, it is online over
    TLS within seconds (no backoff). The RTC (qemu's PL031) holds the synchronised time.
    Then back to the plain broker.
  * fsck: after a power cut the test marks the data partition as having errors and breaks a
    counter (debugfs on the host); the next boot's e2fsck -p repairs it, says so, and the
    saved time.servers survive. That boot's clock comes from the time saved on /data (the
    SNTP server is muted meanwhile), then syncs again once the server answers.
  * Watchdog: qemu's i6300esb with -watchdog-action reset; the supervisor arms it (the log
    says so) and the guest outlives several timeouts while it is fed. Then a watcher in the
    guest (board/qemu-virt/init.sh, SWITCHYARD_TEST_FREEZE) SIGSTOPs the supervisor: the
    board must reset within the timeout (with -no-reboot qemu exits on the reset), and the
    next boot comes back online. That boot is left running for the rest of the test.
    Before that, with watchdog.gateway_silence_s at 8, the watcher SIGSTOPs the gateway (not
    the supervisor): the supervisor restarts it, the board is not reset, the gateway is back.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

NAME = "field"
OLD_RTC = "2020-01-01T00:00:00"
NTP_OFFSET = 30 * 86400       # the served time: host time + 30 days
WATCHDOG_S = 15               # watchdog.timeout_s's default
GATEWAY_SILENCE_S = 8         # watchdog.gateway_silence_s for the hung-gateway check
CA_ON_DATA = "broker-ca.pem"  # at the data partition's root: /data/broker-ca.pem in the guest
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
    field["sntp_answered"] = []   # time.monotonic() of each answer
    def drain(server):
        for line in server.stdout:
            field["sntp_log"].append(line.decode().strip())
            if line.startswith(b"answered"):
                field["sntp_answered"].append(time.monotonic())
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
                word = {"supervisor": b"freeze", "gateway": b"freeze-gateway"}.get(field["freeze"], b"wait")
                conn.sendall(word + b"\n")
    threading.Thread(target=serve, daemon=True).start()
    # The TLS broker's certificates, and the CA on the data partition before the first boot
    # (this runs from qemu_args, after the test copied the image and before qemu starts).
    field["address"] = _host_address()
    if field["address"]:
        field["tls"] = _make_certificates(test, field["address"])
        field["ca_on_data"] = _put_on_data(test, os.path.join(field["tls"], "ca.pem"), CA_ON_DATA)
    test.field = field
    return field


def _host_address():
    """The host's first global IPv4 address: qemu's user network reaches it as itself. The TLS
    broker listens there on the plain broker's port (MQTT_PORT on the kernel command line fixes
    the guest's port; its host is a setting)."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    # Not one inside qemu's own 10.0.2.0/24: the guest would look for it on its own network.
    found = [a for a in re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out) if not a.startswith("10.0.2.")]
    return found[0] if found else None


def _make_certificates(test, address):
    """A CA and a server certificate for `address` (P-256), valid from a day ahead of the host's
    clock for a year: the guest's build-time clock is always before that (however fresh the
    image), the served time (host + 30 days) inside it. Made with `cryptography` (openssl 3.0's
    command line cannot set a start date)."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
    import ipaddress
    folder = os.path.join(test.work, "tls")
    os.makedirs(folder, exist_ok=True)
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])
    def certificate(subject, key, issuer, issuer_key, extensions):
        builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())
    def write(file, data):
        with open(os.path.join(folder, file), "wb") as f:
            f.write(data)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("switchyard field test CA", ca_key, "switchyard field test CA", ca_key, [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                       key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), True)])
    server = certificate(address, server_key, "switchyard field test CA", ca_key, [
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)])
    write("ca.pem", ca.public_bytes(serialization.Encoding.PEM))
    write("server.pem", server.public_bytes(serialization.Encoding.PEM))
    write("server.key", server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    test.tls_valid_from = start.timestamp()
    return folder


def _put_on_data(test, local, name):
    """Copies `local` to the data partition's root as `name` (debugfs), as a user would copy a
    file onto the card from a PC. True when it is there."""
    fs = os.path.join(test.work, "data.ext4")
    with open(fs, "wb") as dst:
        dst.write(_data_bytes(test))
    subprocess.run(["debugfs", "-w", "-R", f"write {local} {name}", fs], capture_output=True)
    there = "Type: regular" in subprocess.run(["debugfs", "-R", "stat " + name, fs], capture_output=True, text=True).stdout
    with open(fs, "rb") as src:
        _data_bytes(test, src.read())
    os.remove(fs)
    return there


def _timed_reader(stream, into):
    """Appends (time.monotonic(), line) for each line of `stream`, on a thread."""
    def read():
        for line in stream:
            into.append((time.monotonic(), line.decode(errors="replace").rstrip()))
    threading.Thread(target=read, daemon=True).start()


def test_free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    return None


def _start_tls_broker(test, field):
    """mosquitto with a TLS listener on the host's address (the plain broker's port number),
    and a watcher subscribed on a second, plain listener on loopback (the host's clock is
    before the certificates' validity too). Its log and the watcher's lines, timed."""
    folder, address = field["tls"], field["address"]
    conf = os.path.join(folder, "mosquitto.conf")
    watch_port = test_free_port()
    with open(conf, "w") as f:
        # user root: mosquitto started as root drops to "mosquitto", who cannot read the test folder.
        f.write(f"user root\nper_listener_settings false\nallow_anonymous true\nlog_dest stderr\nlog_type error\n"
                "log_type warning\nlog_type notice\nlog_type information\n"
                f"listener {watch_port} 127.0.0.1\n"
                f"listener {test.port} {address}\ncafile {folder}/ca.pem\ncertfile {folder}/server.pem\n"
                f"keyfile {folder}/server.key\n")
    field["tls_log"], field["tls_seen"] = [], []
    # Its log on stderr: unbuffered, where stdout would hold it back.
    broker = test.spawn(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _timed_reader(broker.stderr, field["tls_log"])
    listening = _until(lambda: sum("Opening ipv4 listen socket" in l for _, l in field["tls_log"]) == 2, 10)
    watcher = None
    if listening:
        watcher = test.spawn(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(watch_port),
                              "-i", "field-tls-watcher", "-v", "-t", "switchyard/+/status"], stdout=subprocess.PIPE)
        _timed_reader(watcher.stdout, field["tls_seen"])
    subscribed = listening and _until(lambda: any("as field-tls-watcher" in l for _, l in field["tls_log"]), 15)
    return bool(subscribed), "".join(l + "\n" for _, l in field["tls_log"][-5:])


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
        test.command_retried("version", "(aarch64)")
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
    # --- a TLS broker whose CA the guest's build-time clock predates: TLS waits, no attempt
    tls = field.get("address") is not None and before.get("clock", {}).get("synchronised") is False
    if not tls:
        # No global address to listen on, or the guest already reached a real pool server.
        print("clock/TLS: TLS checks skipped: " + ("the clock is already synchronised" if field.get("address")
              else "the host has no global IPv4 address for the TLS broker"), flush=True)
        test.skipped += 1
    else:
        test.check("TLS: the test CA was copied onto the data partition before the first boot (debugfs)",
                   field.get("ca_on_data"))
        up, detail = _start_tls_broker(test, field)
        test.check(f"TLS: a mosquitto TLS listener on {field['address']}:{test.port} (test CA, valid from tomorrow)", up, detail)
        mark = test.console.mark()
        ok = (test.command("set mqtt.host " + field["address"], "mqtt.host")
              and test.command(f"set mqtt.tls.ca_file /data/{CA_ON_DATA}", "mqtt.tls.ca_file")
              and test.command("save", "saved to"))
        test.check("TLS: mqtt.host and mqtt.tls.ca_file (the CA on /data) set over the UART and saved", ok)
        waits = test.console.wait(lambda l: "waiting for the clock to be synchronised before connecting over TLS" in l, 30, mark)
        test.check("TLS: the gateway logs that the TLS broker connection waits for the clock", waits, waits)
        status = test.json_command("time status") or {}
        clock = status.get("clock", {})
        ca_from = test.tls_valid_from
        guest = _iso_seconds(clock["time"]) if clock.get("time") else 0
        test.check("TLS: meanwhile the guest's clock is before the CA's validity, `time status` says trust waiting",
                   clock.get("trust") == "waiting" and 0 < guest < ca_from - 60, status)
        field["tls_mark"] = len(field["tls_seen"])
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
    rtc = status.get("rtc", {})
    rtc_time = _iso_seconds(rtc["time"]) if rtc.get("time") else 0
    test.check("RTC: the gateway wrote the synchronised time to /dev/rtc0 (qemu's PL031) and reads it back",
               rtc.get("device") == "/dev/rtc0" and rtc.get("written") and abs(rtc_time - (time.time() + NTP_OFFSET)) < 60,
               status)
    if tls:
        answered = field["sntp_answered"][0] if field["sntp_answered"] else None
        online = _until(lambda: next((t for t, l in field["tls_seen"][field["tls_mark"]:] if l.endswith("/status online")), None), 60)
        before = [l for t, l in field["tls_log"] if "New connection from" in l and (answered is None or t < answered)]
        test.check("TLS: no connection to the TLS broker was tried before the clock was synchronised",
                   answered is not None and len(before) == 1, before)  # the one: the test's watcher
        after = online - answered if online and answered else None
        test.check("TLS: the gateway is online over TLS within 15 s of the first SNTP answer (no backoff)",
                   after is not None and 0 < after < 15, f"{after} s; " + "".join(l + "\n" for _, l in field["tls_log"][-6:]))
        if after is not None:
            print(f"TLS: online over TLS {after:.1f} s after the first SNTP answer", flush=True)
        mark = test.mqtt.mark()
        ok = (test.command("unset mqtt.host", "mqtt.host") and test.command("unset mqtt.tls.ca_file", "mqtt.tls.ca_file")
              and test.command("save", "saved to"))
        back = ok and test.wait_online(mark)
        test.check("TLS: mqtt.host and mqtt.tls.ca_file unset over the UART: online on the plain broker again", back)
    state = test.json_command("status") or {}
    test.check("clock: `status` shows the network service healthy",
               "network" in json.dumps(state) and '"degraded"' not in json.dumps(state.get("services", {}).get("network", {})),
               json.dumps(state)[:400])

    # --- watchdog armed and fed
    armed = _console_has(test, "hardware watchdog armed")
    test.check("watchdog: the supervisor armed /dev/watchdog (i6300esb)", armed, armed)

    # A short silence limit for the hung-gateway check (the supervisor reads it before each
    # start of the gateway; the power cut below restarts everything anyway).
    ok = (test.command(f"set watchdog.gateway_silence_s {GATEWAY_SILENCE_S}", "watchdog.gateway_silence_s")
          and test.command("save", "saved to"))
    test.check(f"watchdog: watchdog.gateway_silence_s {GATEWAY_SILENCE_S} set over the UART and saved", ok)

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

    # --- a hung gateway: the supervisor restarts it, the board is not reset
    mark, online_mark = test.console.mark(), test.mqtt.mark()
    field["freeze"] = "gateway"
    stopped = test.console.wait(lambda l: "SIGSTOP to the gateway" in l, 30, mark)
    stopped_at = time.monotonic()
    field["freeze"] = False
    test.check("hung gateway: the guest's watcher stopped the gateway (SIGSTOP)", stopped, stopped)
    silent = test.console.wait(lambda l: "gateway silent for" in l and "restarting it" in l, GATEWAY_SILENCE_S + 30, mark)
    killed_after = time.monotonic() - stopped_at
    test.check(f"hung gateway: the supervisor restarts it after watchdog.gateway_silence_s ({GATEWAY_SILENCE_S} s)",
               silent and GATEWAY_SILENCE_S - 3 <= killed_after <= GATEWAY_SILENCE_S + 30, f"{silent} after {killed_after:.1f} s")
    topic = "switchyard/switchyard/status "
    online = test.mqtt.wait(lambda l: l.startswith(topic) and l.endswith("6f6e6c696e65"), 90, online_mark)
    back_after = time.monotonic() - stopped_at
    test.check("hung gateway: the restarted gateway is online again, the board was not reset",
               online and test.qemu.poll() is None, f"online {online}, qemu {test.qemu.poll()}")
    if online:
        print(f"hung gateway: restarted {killed_after:.1f} s and online {back_after:.1f} s after SIGSTOP", flush=True)
    answers = test.command_retried("version", "(aarch64)")
    ok = answers and test.command("unset watchdog.gateway_silence_s", "watchdog.gateway_silence_s") and test.command("save", "saved to")
    test.check("hung gateway: the new gateway's console answers; the silence limit is put back to its default", ok)

    # --- watchdog: the guest runs several timeouts fed; then the supervisor hangs
    while test.qemu.poll() is None and time.monotonic() - test.started < 2 * WATCHDOG_S + 2:
        time.sleep(1)
    alive = test.qemu.poll() is None
    test.check(f"watchdog: fed, the guest ran over {2 * WATCHDOG_S} s without a reset", alive)
    mark = test.console.mark()
    field["freeze"] = "supervisor"
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
