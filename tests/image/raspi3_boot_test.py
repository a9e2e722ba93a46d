#!/usr/bin/env python3
"""Boots the rpi3 SD image's own kernel, device tree and initramfs under qemu's raspi3b
machine (the emulated BCM2837: SD host controller, mini UART, PL011). qemu cannot run the
Pi's GPU firmware, so config.txt is not exercised, but everything after it is: the initramfs
finds LABEL=sy-root on the SD card (mmcblk0), busybox init and rcS run, the data partition
mounts, and the gateway's console answers on the mini UART (ttyS1, GPIO 14/15 on a real Pi)
with the board detected from the device tree's model. No network (the Pi 3's Ethernet hangs
off USB, which this machine does not emulate usefully).

Kernel messages go to the PL011 (a log file here); the mini UART carries only the console,
as cmdline.txt intends on hardware.

Usage: tests/image/raspi3_boot_test.py IMAGE   Prints `N passed, N failed`.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_boot_test import Stream, pump  # noqa: E402

BOOT_TIMEOUT = 240
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)), flush=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="raspi3-test.")
    qemu = None
    try:
        disk = os.path.join(work, "sd.img")
        subprocess.run(["cp", "--sparse=always", sys.argv[1], disk], check=True)
        # The emulated SD card must be a power of two in size.
        subprocess.run(["truncate", "-s", "512M", disk], check=True)
        subprocess.run(["mcopy", "-n", "-i", disk + "@@1M", "::vmlinuz", "::initrd.img", "::cmdline.txt",
                        "::bcm2837-rpi-3-b.dtb", work], check=True)
        with open(os.path.join(work, "cmdline.txt")) as f:
            # qemu's raspi3b resets at once when the BCM2835 watchdog is armed (no countdown):
            # the supervisor feeds a stand-in file here (image/rootfs/usr/libexec/switchyard-service).
            cmdline = f.read().strip() + " console=ttyAMA0 SWITCHYARD_WATCHDOG_STAND_IN=/run/watchdog-stand-in"
        uart = os.path.join(work, "uart.sock")
        started = time.monotonic()
        qemu = subprocess.Popen(
            ["qemu-system-aarch64", "-M", "raspi3b", "-m", "1G", "-display", "none", "-monitor", "none",
             "-kernel", os.path.join(work, "vmlinuz"), "-initrd", os.path.join(work, "initrd.img"),
             "-dtb", os.path.join(work, "bcm2837-rpi-3-b.dtb"), "-append", cmdline,
             "-drive", f"file={disk},if=sd,format=raw",
             "-serial", "file:" + os.path.join(work, "kernel.log"),
             "-chardev", f"socket,id=mini,path={uart},server=on,wait=on", "-serial", "chardev:mini"],
            stdout=open(os.path.join(work, "qemu.log"), "w"), stderr=subprocess.STDOUT)
        sock = socket.socket(socket.AF_UNIX)
        for _ in range(200):
            try:
                sock.connect(uart)
                break
            except OSError:
                time.sleep(0.05)
        console = Stream("mini-uart")
        log = open(os.path.join(work, "uart.log"), "w")
        threading.Thread(target=pump, args=(lambda: sock.recv(4096), console, log), daemon=True).start()

        # The gateway's console prompt has no newline: ask until an answer comes back.
        reply = None
        deadline = time.monotonic() + BOOT_TIMEOUT
        while not reply and time.monotonic() < deadline and qemu.poll() is None:
            mark = console.mark()
            sock.sendall(b"get board.name\r")
            reply = console.wait(lambda l: "board.name = " in l, 5, mark)
        if reply:
            print(f"boot: qemu start to a console reply in {time.monotonic() - started:.1f} s", flush=True)
        # rcS reports on /dev/console, which is the PL011 (the kernel.log file) here.
        with open(os.path.join(work, "kernel.log"), errors="replace") as f:
            boot_log = f.read()
        check("rcS ran to the end (root found on the SD card, modules loaded)", "switchyard rcS: up: board rpi3" in boot_log)
        check("the data partition is the SD card's third partition",
              "data partition /dev/mmcblk0p3 on /data" in boot_log)
        check("a console command over the mini UART gets its reply", reply)
        check("board.name is rpi3, detected from the device tree's model",
              reply and "rpi3" in reply and "(board)" in reply, reply)
        with open(os.path.join(work, "uart.log")) as f:
            text = f.read()
        check("no kernel or rcS messages on the console UART", "switchyard rcS" not in text and "] " not in text,
              "kernel log lines on ttyS1")
    except Exception as error:  # the harness failing is a failure, with its reason
        check("the raspi3b boot test ran to the end", False, repr(error))
    finally:
        if qemu and qemu.poll() is None:
            qemu.terminate()
            qemu.wait(30)
    passed = sum(results)
    failed = len(results) - passed
    if failed:
        print("raspi3-test: logs kept in " + work + " (uart.log, kernel.log)")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"raspi3-test: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
