#!/usr/bin/env python3
"""wpa_supplicant's control interface for tests, byte for byte as wpa_supplicant 2.10 speaks
it: a datagram Unix socket at <--socket-dir>/<--interface>; text commands (ATTACH, DETACH,
STATUS, SIGNAL_POLL, SCAN, SCAN_RESULTS, RECONFIGURE, TERMINATE), replies in its formats, and
events prefixed <level> to attached clients. RECONFIGURE reads the configuration file the
gateway wrote (--config) and "joins" the one access point it simulates (--ssid, --psk): the
right passphrase connects, a wrong one fails the 4-way handshake (reason=WRONG_KEY), another
SSID is not found. Prints the socket path, then records each command (the passphrase never:
only whether it matched). stdin: "drop" loses the connection (wpa_supplicant then reconnects).

Usage: tools/wpa-supplicant-sim.py --socket-dir DIR --config FILE [--interface wlan0]
                                   [--ssid NAME] [--psk PASS] [--ip ADDR] [--exit-on-eof] [--record FILE]
"""
import argparse
import os
import socket
import sys
import threading
import time

BSSID = "02:00:00:00:01:00"


def parse_config(path):
    """The first network block's ssid and psk (quoted or hex), as wpa_supplicant reads them."""
    values = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if "=" in line and not line.startswith("#"):
                    key, value = line.split("=", 1)
                    values.setdefault(key, value)
    except OSError:
        return values, None
    ssid = values.get("ssid", "")
    if ssid.startswith('"'):
        ssid = ssid[1:ssid.rfind('"')]
    else:
        try:
            ssid = bytes.fromhex(ssid).decode("utf-8", "replace")
        except ValueError:
            ssid = None
    values["ssid"] = ssid
    psk = values.get("psk")
    if psk is not None and psk.startswith('"'):
        psk = psk[1:psk.rfind('"')]
    values["psk"] = psk
    return values, os.stat(path).st_mode & 0o777


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket-dir", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--interface", default="wlan0")
    parser.add_argument("--ssid", default="switchyard-test")
    parser.add_argument("--psk", default="correct horse battery")
    parser.add_argument("--ip", default="10.0.3.2")
    parser.add_argument("--exit-on-eof", action="store_true")
    parser.add_argument("--record")
    args = parser.parse_args()

    os.makedirs(args.socket_dir, exist_ok=True)
    path = os.path.join(args.socket_dir, args.interface)
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    record = open(args.record, "a", buffering=1) if args.record else None
    lock = threading.Lock()
    state = {"wpa_state": "DISCONNECTED", "attached": set()}

    def note(line):
        if record:
            record.write(line + "\n")

    def event(text, delay=0.2):
        def send():
            time.sleep(delay)
            with lock:
                for peer in list(state["attached"]):
                    try:
                        sock.sendto(text.encode(), peer)
                    except OSError:
                        state["attached"].discard(peer)
        threading.Thread(target=send, daemon=True).start()

    def join():
        values, mode = parse_config(args.config)
        ssid, psk = values.get("ssid"), values.get("psk")
        if ssid != args.ssid:
            result = "not-found"
        elif psk == args.psk:
            result = "connected"
        else:
            result = "wrong-key"
        note("reconfigured ssid=%s psk=%s country=%s hidden=%s mode=%s" % (
            ssid, "right" if psk == args.psk else ("none" if psk is None else "wrong"),
            values.get("country"), values.get("scan_ssid", "0"), oct(mode) if mode is not None else "-"))
        if result == "connected":
            state["wpa_state"] = "COMPLETED"
            event("<3>CTRL-EVENT-CONNECTED - Connection to %s completed [id=0 id_str=]" % BSSID)
        elif result == "wrong-key":
            state["wpa_state"] = "SCANNING"
            event("<3>WPA: 4-Way Handshake failed - pre-shared key may be incorrect")
            event('<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="%s" auth_failures=1 duration=10 reason=WRONG_KEY' % ssid, 0.3)
        else:
            state["wpa_state"] = "SCANNING"
            event("<3>CTRL-EVENT-NETWORK-NOT-FOUND")

    def status():
        if state["wpa_state"] == "COMPLETED":
            return ("bssid=%s\nfreq=2412\nssid=%s\nid=0\nmode=station\nwifi_generation=4\npairwise_cipher=CCMP\n"
                    "group_cipher=CCMP\nkey_mgmt=WPA2-PSK\nwpa_state=COMPLETED\nip_address=%s\n"
                    "address=02:00:00:00:00:00\nuuid=6f5f6b5e-2f4c-5d1b-9a49-2a7e7a3b8c11\n") % (BSSID, args.ssid, args.ip)
        return "wpa_state=%s\naddress=02:00:00:00:00:00\nuuid=6f5f6b5e-2f4c-5d1b-9a49-2a7e7a3b8c11\n" % state["wpa_state"]

    def serve():
        while True:
            data, peer = sock.recvfrom(4096)
            command = data.decode("utf-8", "replace").strip()
            note("command " + command)
            with lock:
                if command == "ATTACH":
                    state["attached"].add(peer)
                    reply = "OK\n"
                elif command == "DETACH":
                    state["attached"].discard(peer)
                    reply = "OK\n"
                elif command == "STATUS":
                    reply = status()
                elif command == "SIGNAL_POLL":
                    reply = ("RSSI=-42\nLINKSPEED=65\nNOISE=9999\nFREQUENCY=2412\nWIDTH=20 MHz\nCENTER_FRQ1=2412\n"
                             if state["wpa_state"] == "COMPLETED" else "FAIL\n")
                elif command == "SCAN":
                    reply = "OK\n"
                    event("<3>CTRL-EVENT-SCAN-STARTED ", 0.05)
                    event("<3>CTRL-EVENT-SCAN-RESULTS ", 0.3)
                elif command == "SCAN_RESULTS":
                    reply = ("bssid / frequency / signal level / flags / ssid\n"
                             "%s\t2412\t-42\t[WPA2-PSK-CCMP][ESS]\t%s\n"
                             "02:00:00:00:02:00\t2437\t-71\t[ESS]\tcafe open\n"
                             "02:00:00:00:03:00\tnot-a-number\t-80\t[ESS]\tbroken row\n") % (BSSID, args.ssid)
                elif command == "RECONFIGURE":
                    reply = "OK\n"
                    join()
                elif command == "TERMINATE":
                    reply = "OK\n"
                    state["wpa_state"] = "DISCONNECTED"
                else:
                    reply = "UNKNOWN COMMAND\n"
                sock.sendto(reply.encode(), peer)

    threading.Thread(target=serve, daemon=True).start()
    print(path, flush=True)
    for line in sys.stdin:
        if line.strip() == "drop":
            with lock:
                state["wpa_state"] = "SCANNING"
            event("<3>CTRL-EVENT-DISCONNECTED bssid=%s reason=4 locally_generated=0" % BSSID, 0)
    if args.exit_on_eof:
        os.unlink(path)
        os._exit(0)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
