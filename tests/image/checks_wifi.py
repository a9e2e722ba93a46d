"""Wi-Fi checks (issue 27): the gateway joins a WPA2-PSK network configured over the UART
console, as a user would, and reaches the broker through it.

The guest kernel's mac80211_hwsim gives two simulated radios, wlan0 and wlan1, on one
simulated medium. Debian's hostapd (arm64, run with its own dynamic loader and libraries from
a test disk labelled sy-wifi that board/qemu-virt/init.sh mounts; never on the product
image) makes wlan1 a WPA2-PSK access point whose port sits on a bridge br0. The gateway's
Wi-Fi (wpa_supplicant from the image) runs on wlan0.

To prove the broker traffic really crosses the radio link, eth0 (qemu's user-mode network,
where the broker is 10.0.2.2) loses its address and joins br0 with wlan1: the only way from
the gateway to the broker is then wlan0 -> hwsim -> wlan1 (hostapd) -> br0 -> eth0 -> qemu,
and the address wlan0 gets by DHCP comes from qemu's DHCP server through the same path. A
wrong passphrase first must be reported as such. At the end eth0 gets its address back, so
the checks after this group run as before.

A PCI 16550 carries a root shell for the test (the gateway's console on the PL011 has none).
"""
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks_bluetooth import CACHE, fetch_deb, wait_for  # noqa: E402  (one deb fetcher)
from guest_shell import GuestShell  # noqa: E402

NAME = "wifi"
SSID = "switchyard-test"
PASSPHRASE = "correct-horse-battery"
WRONG = "wrong-passphrase-1"
# The 16550's PCI slot, so start.sh finds its tty whatever other groups attach.
SHELL_SLOT = "1e"
WAIT = 45
# hostapd and the libraries it loads (Debian 12: libnl 3, OpenSSL 3), with the loader.
# Modules the product image does not carry, in load order, from the image's kernel package:
# the bridge, and CCMP's ccm(aes) for mac80211's software crypto (hwsim has no hardware
# crypto; a Pi's brcmfmac does it in its firmware). The guest has no modules.dep for them,
# so the kernel cannot load them on demand.
TEST_MODULES = ["net/llc/llc", "net/802/stp", "net/bridge/bridge", "crypto/ctr", "crypto/ccm"]
PACKAGES = ["hostapd", "libc6", "libnl-3-200", "libnl-genl-3-200", "libnl-route-3-200", "libssl3"]

HOSTAPD_CONF = """# The boot test's access point on hwsim's second radio (tests/image/checks_wifi.py).
interface=wlan1
bridge=br0
driver=nl80211
ctrl_interface=/run/hostapd
ssid=%s
hw_mode=g
channel=6
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=%s
""" % (SSID, PASSPHRASE)

START_SH = r"""#!/bin/sh
# Runs in the guest at boot from the sy-wifi disk (board/qemu-virt/init.sh).
t=/run/sy-wifi
modprobe mac80211_hwsim radios=2 || echo "sy-wifi: cannot load mac80211_hwsim"
for module in %(modules)s; do insmod $t/modules/$module.ko || echo "sy-wifi: cannot load $module"; done
for _ in $(seq 40); do [ -e /sys/class/net/wlan1 ] && break; sleep 0.25; done
# The test's shell on its own PCI 16550: raw, no echo, one command line at a time.
tty=$(ls /sys/bus/pci/devices/0000:00:%(slot)s.0/tty 2>/dev/null | head -1)
[ -n "$tty" ] || { echo "sy-wifi: no 16550 at 00:%(slot)s.0"; exit 1; }
stty raw -echo < /dev/$tty
while true; do sh < /dev/$tty > /dev/$tty 2>&1; done &
echo "sy-wifi: ready, radios $(ls /sys/class/ieee80211 | tr '\n' ' ')shell on $tty"
""" % {"slot": SHELL_SLOT, "modules": " ".join(os.path.basename(m) for m in TEST_MODULES)}


def build_disk(work):
    """The sy-wifi disk: hostapd and hostapd_cli with the loader and the libraries of
    PACKAGES, TEST_MODULES, hostapd.conf and start.sh."""
    files = os.path.join(work, "sy-wifi")
    for folder in ("lib", "modules"):
        os.makedirs(os.path.join(files, folder), exist_ok=True)
    kernel = sorted(glob.glob(os.path.join(CACHE, "debs/unpacked-*/lib/modules/*/kernel")))
    for module in TEST_MODULES:
        subprocess.run(["cp", os.path.join(kernel[-1], module + ".ko"), os.path.join(files, "modules")], check=True)
    for package in PACKAGES:
        unpacked = fetch_deb(package)
        for folder in ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu"):
            source = os.path.join(unpacked, folder)
            if not os.path.isdir(source):
                continue
            for name in os.listdir(source):
                if ".so" in name and os.path.isfile(os.path.join(source, name)):
                    subprocess.run(["cp", "-L", os.path.join(source, name), os.path.join(files, "lib")], check=True)
        if package == "hostapd":
            for program in ("hostapd", "hostapd_cli"):
                subprocess.run(["cp", os.path.join(unpacked, "usr/sbin", program), files], check=True)
    with open(os.path.join(files, "hostapd.conf"), "w") as f:
        f.write(HOSTAPD_CONF)
    with open(os.path.join(files, "start.sh"), "w") as f:
        f.write(START_SH)
    disk = os.path.join(work, "sy-wifi.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "sy-wifi", "-d", files, disk, "32M"], check=True,
                   capture_output=True, timeout=60)
    return disk


class Wifi(GuestShell):
    """Host side: the sy-wifi disk and the guest's test shell on this group's own 16550."""

    MARKER = "__sy_wifi_"

    def __init__(self, test):
        self.work = os.path.join(test.work, "wifi")
        os.makedirs(self.work, exist_ok=True)
        self.log = open(os.path.join(self.work, "shell.log"), "w", buffering=1)
        self.disk = build_disk(test.work)
        self.shell_socket = None
        self.sequence = 0
        self.boots = 0

    def qemu_args(self, test):
        self.boots += 1
        self.shell_path = os.path.join(self.work, f"shell{self.boots}.sock")
        self.shell_socket = None
        return ["-chardev", f"socket,id=wifishell,path={self.shell_path},server=on,wait=off",
                "-device", f"pci-serial,chardev=wifishell,addr={SHELL_SLOT}.0",
                "-drive", f"file={self.disk},if=none,format=raw,id=sywifi,readonly=on",
                "-device", "virtio-blk-pci,drive=sywifi"]


def enabled(test):
    return test.only is None or NAME in test.only


def qemu_args(test):
    if not enabled(test):
        return []
    if not hasattr(test, "wifi"):
        test.wifi = Wifi(test)
    return test.wifi.qemu_args(test)


def wifi_status(test):
    return test.json_command("wifi status", timeout=15) or {}


def network_service(test):
    return (test.json_command("status", timeout=15) or {}).get("services", {}).get("network", {})


def guest(test, command, timeout=20):
    """The output of `command` in the guest's shell ("" when it failed or timed out)."""
    status, output = test.wifi.shell(command, timeout)
    return output if status == 0 else ""


def online_after(test, mark, timeout=60):
    """Whether the gateway publishes `online` after `mark` within `timeout` seconds."""
    topic = "switchyard/switchyard/status "
    return test.mqtt.wait(lambda l: l.startswith(topic) and l.endswith("6f6e6c696e65"), timeout, mark) is not None


def settings(test, pairs):
    """Types `set KEY VALUE` for each pair and `save`, as a user at the UART would."""
    ok = True
    for key, value in pairs:
        ok = ok and test.command(f"set {key} {value}", key)
    return ok and test.command("save", "saved to")


def run(test):
    w = test.wifi
    ready = test.console.wait(lambda l: "sy-wifi: ready" in l, WAIT)
    test.check("wifi: mac80211_hwsim gives two radios in the guest, and the test shell is up",
               ready and "phy0" in ready and "phy1" in ready, ready)
    if not ready:
        return
    # A short keep-alive, so the gateway notices within seconds that its old path (eth0) is gone.
    test.command("set mqtt.keepalive_s 5", "mqtt.keepalive_s")
    test.command("save", "saved to")

    # The access point: hostapd on wlan1, its port on br0 (eth0 joins later).
    guest(test, "brctl addbr br0; ip link set br0 up")
    started = guest(test, "(/run/sy-wifi/lib/ld-linux-aarch64.so.1 --library-path /run/sy-wifi/lib /run/sy-wifi/hostapd "
                          "-P /run/hostapd.pid /run/sy-wifi/hostapd.conf > /run/hostapd.log 2>&1 &) && echo started")
    enabled_ap = wait_for(lambda: "state=ENABLED" in guest(test, "/run/sy-wifi/lib/ld-linux-aarch64.so.1 --library-path "
                                                                 "/run/sy-wifi/lib /run/sy-wifi/hostapd_cli -p /run/hostapd "
                                                                 "-i wlan1 status"), 20, 1)
    if not test.check("wifi: Debian's hostapd runs a WPA2-PSK access point on wlan1 (bridged to br0)",
                      "started" in started and enabled_ap, guest(test, "tail -20 /run/hostapd.log")):
        restore(test, test.mqtt.mark())
        return

    # 1. A wrong passphrase, typed over the UART: reported as such; the network service is
    # degraded with the reason, and the LED says "not connected" while the broker is still up.
    ok = settings(test, [("wifi.ssid", SSID), ("wifi.psk", WRONG), ("wifi.country", "DE")])
    test.check("wifi: console: wifi.ssid, wifi.psk and wifi.country set and saved", ok)
    status = wait_for(lambda: (lambda s: s if "wrong password" in s.get("last_error", "") else None)(wifi_status(test)),
                      WAIT, 2)
    test.check("wifi: a wrong passphrase is reported as such (`wifi status` last error: wrong password)",
               status, wifi_status(test))
    network = network_service(test)
    led = (test.json_command("status", timeout=15) or {}).get("led")
    test.check("wifi: meanwhile the network service is degraded saying why, and the LED says not connected "
               "(no-broker) although the broker is reachable over eth0",
               network.get("health") == "degraded" and "Wi-Fi not connected: wrong password" in network.get("detail", "")
               and network.get("attention") == "not_connected" and led == "no-broker", f"{network.get('detail')} / led {led}")
    refused = test.command("set wifi.psk short", "wifi.psk: ")
    test.check("wifi: console: a passphrase of 5 characters is refused at set, naming the key, not echoing it",
               refused and "not allowed" in refused and "short" not in refused, refused)

    # 2. Only the radio link leads to the broker: eth0 loses its address and joins br0.
    mark = test.mqtt.mark()
    moved = guest(test, "ip -4 addr flush dev eth0 && brctl addif br0 eth0 && echo moved")
    test.check("wifi: eth0 lost its address and is a port of br0 with the access point", "moved" in moved, moved)
    started = time.monotonic()
    ok = settings(test, [("wifi.psk", PASSPHRASE)])
    status = wait_for(lambda: (lambda s: s if s.get("state") == "connected" and s.get("ip") else None)(wifi_status(test)),
                      WAIT, 2)
    test.check("wifi: with the right passphrase the gateway associates and gets an address by DHCP on wlan0 "
               "(`wifi status`)", ok and status, wifi_status(test))
    online = online_after(test, mark)
    took = time.monotonic() - started
    address = (status or {}).get("ip", "?")
    route = guest(test, "ip route get 10.0.2.2")
    eth0 = guest(test, "ip -4 addr show dev eth0; echo end")
    sockets = guest(test, "cat /proc/net/tcp")
    port = f"{test.port:04X}"
    local = "".join(f"{int(part):02X}" for part in reversed(address.split("."))) if re.match(r"^[\d.]+$", address) else "-"
    # /proc/net/tcp: local address (hex, little-endian IPv4) to 0202000A:<broker port>, state 01 (established).
    connected = any(f"{local}:" in line and f"0202000A:{port} 01" in line for line in sockets.splitlines())
    test.check(f"wifi: the gateway is online again on the broker ({took:.1f} s after the switch), its connection "
               f"from wlan0's address {address}, the route to 10.0.2.2 via wlan0, eth0 without an address",
               online and "dev wlan0" in route and "inet " not in eth0 and connected,
               f"online {online}; {route.strip()}; eth0 {eth0.strip()}; tcp from {local}: {connected}")
    network = network_service(test)
    led = (test.json_command("status", timeout=15) or {}).get("led")
    test.check("wifi: connected: `state` has the Wi-Fi block, the network service no longer names Wi-Fi, the LED "
               "shows connected", network.get("state", {}).get("wifi", {}).get("state") == "connected"
               and "Wi-Fi" not in network.get("detail", "") and network.get("attention") is None and led == "connected",
               f"{network.get('detail')} / {network.get('attention')} / led {led}")
    mark = test.mqtt.mark()
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(test.port), "-t", "switchyard/switchyard/cmnd/version",
                    "-n"], check=True, timeout=30)
    reply = test.mqtt.wait(lambda l: l.startswith("switchyard/switchyard/result ")
                           and b"aarch64" in bytes.fromhex(l.split(" ", 1)[1] or ""), 20, mark)
    test.check("wifi: a command published on the host broker is answered by the gateway over the Wi-Fi path "
               "(cmnd/version -> result)", reply, reply)

    # 3. Back as it was.
    restore(test, test.mqtt.mark())


def restore(test, mark):
    """Wi-Fi off (wpa_supplicant told to terminate), the access point gone, eth0 out of the
    bridge with its address again, the default keep-alive (which reconnects the broker
    client at once, now through eth0); checks the gateway is online through eth0."""
    test.command("unset wifi.ssid", "wifi.ssid")
    test.command("unset wifi.psk", "wifi.psk")
    test.command("save", "saved to")
    wait_for(lambda: wifi_status(test).get("state") == "off", 15, 1)
    guest(test, "kill $(cat /run/hostapd.pid) $(cat /run/udhcpc.wlan0.pid) 2>/dev/null; ip -4 addr flush dev wlan0; "
                "brctl delif br0 eth0; ip link set br0 down; brctl delbr br0; "
                "ip -4 addr show dev eth0 | grep -q inet || udhcpc -i eth0 -n -q -t 5 -T 2 -s /usr/share/udhcpc/default.script",
          timeout=40)
    test.command("unset mqtt.keepalive_s", "mqtt.keepalive_s")
    test.command("save", "saved to")
    back = online_after(test, mark)
    route = guest(test, "ip route get 10.0.2.2")
    test.check("wifi: restored: Wi-Fi off, eth0 has its address back and the gateway is online through it",
               back and "dev eth0" in route, f"online {back}; {route.strip()}; "
               + guest(test, "ip route; ps | grep -e wpa_ -e udhcpc -e hostapd"))
