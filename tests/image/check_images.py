#!/usr/bin/env python3
"""Opens SD images made by image/build.sh and checks what a board needs to boot them,
without root and without booting (qemu cannot boot the Pi firmware): the partition table,
the boot partition's files (mtools), config.txt and cmdline.txt, the root filesystem's
init, modules and firmware (debugfs), the firmware's architecture, and the labels.

Usage: tests/image/check_images.py IMAGE...   (the board is read from the file name,
switchyard-<board>.img). Prints one line per check and `N passed, N failed`.
"""
import gzip
import importlib.util
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)), flush=True)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, check=True, **kw).stdout


def board_env(board):
    values = {}
    with open(os.path.join(REPO, "board", board, "image.env")) as f:
        for line in f:
            m = re.match(r'^([A-Z_]+)="(.*)"$', line.strip())
            if m:
                values[m.group(1)] = m.group(2).split()
    return values


def check_image(path, work):
    board = re.sub(r"^switchyard-(.*)\.img$", r"\1", os.path.basename(path))
    tag = board + ": "
    table = json.loads(run(["sfdisk", "--json", path]))["partitiontable"]
    parts = table["partitions"]
    check(tag + "MBR with three partitions (boot FAT, root, data)",
          table["label"] == "dos" and [p["type"] for p in parts] == ["c", "83", "83"], parts)
    check(tag + "the boot partition is marked bootable and starts at 1 MiB",
          parts[0].get("bootable") and parts[0]["start"] == 2048, parts[0])
    image_size = os.path.getsize(path)
    last = parts[-1]
    check(tag + "the partitions fit in the image", (last["start"] + last["size"]) * 512 <= image_size)

    offset = parts[0]["start"] * 512
    mtools = path + "@@" + str(offset)
    listing = run(["mdir", "-b", "-i", mtools, "::"]).decode()
    names = {os.path.basename(line.strip()) for line in listing.split()}
    env = board_env(board)
    wanted = {"vmlinuz", "initrd.img", "cmdline.txt"} | {os.path.basename(d) for d in env["IMAGE_DTBS"]} \
        | set(env["IMAGE_FIRMWARE"])
    if os.path.exists(os.path.join(REPO, "board", board, "config.txt")):
        wanted.add("config.txt")
    check(tag + "boot files present: " + " ".join(sorted(wanted)), wanted <= names, sorted(wanted - names))
    if env["IMAGE_DTBS"]:
        # Issue 27: the DS3231 overlay, read back with the generator's own FDT reader.
        spec = importlib.util.spec_from_file_location("rtc_overlay", os.path.join(REPO, "image/rtc-overlay.py"))
        overlay = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(overlay)
        blob = subprocess.run(["mtype", "-i", mtools, "::overlays/switchyard-rtc-ds3231.dtbo"], capture_output=True).stdout
        try:
            lines = overlay.dump(blob)
        except (ValueError, struct.error, IndexError) as error:
            lines = [str(error)]
        check(tag + "overlays/switchyard-rtc-ds3231.dtbo puts a maxim,ds3231 at 0x68 on /soc/i2c@7e804000 (target-path)",
              "/fragment@0 target-path /soc/i2c@7e804000" in lines
              and "/fragment@0/__overlay__/rtc@68 compatible maxim,ds3231" in lines, lines)
    label = run(["minfo", "-i", mtools, "::"]).decode()
    check(tag + "boot partition is FAT32 labelled SYBOOT", "SYBOOT" in label and "FAT32" in label)

    cmdline = run(["mtype", "-i", mtools, "::cmdline.txt"]).decode()
    check(tag + "cmdline.txt: one line, root=LABEL=sy-root, read-only",
          cmdline.count("\n") == 1 and "root=LABEL=sy-root" in cmdline.split() and " ro " in f" {cmdline} ",
          cmdline)
    if board.startswith("rpi") or board == "zero2w":
        check(tag + "cmdline.txt keeps kernel messages off the UART (no console=ttyS/ttyAMA/serial)",
              not re.search(r"console=(ttyS|ttyAMA|serial)", cmdline), cmdline)
        config = run(["mtype", "-i", mtools, "::config.txt"]).decode()
        lines = {l.strip() for l in config.splitlines() if l.strip() and not l.startswith("#")}
        need = {"arm_64bit=1", "enable_uart=1", "kernel=vmlinuz", "initramfs initrd.img followkernel"}
        check(tag + "config.txt: 64-bit, UART on, our kernel and initramfs", need <= lines, sorted(need - lines))

    vmlinuz = os.path.join(work, board + "-vmlinuz")
    run(["mcopy", "-n", "-i", mtools, "::vmlinuz", vmlinuz])
    with open(vmlinuz, "rb") as f:
        head = f.read(64)
    # An arm64 Image carries "ARM\x64" at byte 56; Debian may gzip it.
    check(tag + "vmlinuz is an arm64 kernel Image", head[56:60] == b"ARM\x64" or head[:2] == b"\x1f\x8b")
    initrd = os.path.join(work, board + "-initrd.img")
    run(["mcopy", "-n", "-i", mtools, "::initrd.img", initrd])
    with gzip.open(initrd) as f:
        members = run(["cpio", "-t", "--quiet"], input=f.read()).decode().split()
    need = {"init", "bin/busybox", "etc/modules-boot"}
    has_ext4 = any(m.endswith("/ext4.ko") for m in members)
    check(tag + "initramfs has init, busybox, the boot module list and ext4.ko",
          need <= set(members) and has_ext4, sorted(need - set(members)))

    for index, label, name in ((1, "sy-root", "root"), (2, "sy-data", "data")):
        fs = os.path.join(work, f"{board}-{name}.ext4")
        with open(path, "rb") as src, open(fs, "wb") as dst:
            src.seek(parts[index]["start"] * 512)
            left = parts[index]["size"] * 512
            while left:
                chunk = src.read(min(left, 1 << 20))
                dst.write(chunk)
                left -= len(chunk)
        header = subprocess.run(["dumpe2fs", "-h", fs], capture_output=True, check=True).stdout.decode()
        check(tag + f"partition {index + 1} is ext4 labelled {label}",
              re.search(r"Filesystem volume name:\s+" + label + r"\n", header), header[:80])
        if name != "root":
            continue
        def debugfs(request):
            return subprocess.run(["debugfs", "-R", request, fs], capture_output=True).stdout.decode()
        for needed in ("/bin/busybox", "/etc/inittab", "/etc/init.d/rcS", "/usr/libexec/switchyard-service",
                       "/etc/switchyard/modules", f"/etc/switchyard/boards/{board}.conf", "/etc/switchyard/image.env"):
            check(tag + "root has " + needed, "Inode:" in debugfs("stat " + needed))
        init = debugfs("stat /sbin/init")
        check(tag + "/sbin/init is busybox init", 'Fast link dest: "/bin/busybox"' in init, init[:200])
        for applet in ("bcms", "bcms-daemon"):
            link = debugfs("stat /usr/bin/" + applet)
            check(tag + f"/usr/bin/{applet} is a link to switchyard (it runs as that command)",
                  'Fast link dest: "switchyard"' in link, link[:200])
        image_env = debugfs("cat /etc/switchyard/image.env")
        check(tag + "image.env names the board", f"IMAGE_BOARD={board}\n" in image_env, image_env)
        version = re.search(r"IMAGE_KERNEL=(\S+)", image_env)
        modules = debugfs(f"cat /lib/modules/{version.group(1) if version else '?'}/modules.dep")
        for module in ("vcan.ko", "can-raw.ko", "can-dev.ko", "mcp251x.ko", "btusb.ko", "cdc-acm.ko", "ftdi_sio.ko",
                       "virtio_net.ko", "bcm2835_wdt.ko", "i6300esb.ko", "hci_uart.ko", "btbcm.ko", "i2c-bcm2835.ko"):
            check(tag + "modules.dep lists " + module, re.search(r"/" + re.escape(module) + ":", modules))
        # Issue 27: /data's check, the clock's floor, the onboard radios' firmware.
        e2fsck = debugfs("stat /sbin/e2fsck")
        check(tag + "root has /sbin/e2fsck (e2fsck-static) and /etc/e2fsck.conf",
              "Inode:" in e2fsck and "Fast link" not in e2fsck and "Inode:" in debugfs("stat /etc/e2fsck.conf"))
        check(tag + "image.env carries the build time (the clock's floor at boot)",
              re.search(r"IMAGE_BUILD_TIME=\d{10}\n", image_env), image_env)
        radio = env.get("IMAGE_RADIO_FIRMWARE", [])
        for blob in radio:
            stat = debugfs("stat /lib/firmware/" + blob)
            size = re.search(r"Size: (\d+)", stat)
            check(tag + "onboard radio firmware /lib/firmware/" + blob,
                  "Type: regular" in stat and size and int(size.group(1)) > 0, stat[:120])
        if board in ("rpi3", "rpi4", "rpi5"):
            check(tag + "the onboard Wi-Fi (brcmfmac .bin, .clm_blob, nvram) and Bluetooth (.hcd) files are listed",
                  any(b.endswith("-sdio.bin") for b in radio) and any(b.endswith(".clm_blob") for b in radio)
                  and any(b.endswith(".txt") for b in radio) and any(b.endswith(".hcd") for b in radio), radio)
        if board == "zero2w":
            check(tag + "the onboard Bluetooth patch (BCM43430B0.hcd) is listed", "brcm/BCM43430B0.hcd" in radio, radio)
            check(tag + "the USB Wi-Fi dongle's firmware (ath9k_htc, AR9271) is listed: the board's only Wi-Fi while Debian lacks its onboard radio's",
                  "ath9k_htc/htc_9271-1.4.0.fw" in radio, radio)
        # Wi-Fi from the console (issue 27): the 802.11 modules, wpa_supplicant with its loader and libraries.
        for module in ("cfg80211.ko", "mac80211.ko", "brcmfmac.ko", "mac80211_hwsim.ko", "ath9k_htc.ko"):
            check(tag + "modules.dep lists " + module, re.search(r"/" + re.escape(module) + ":", modules))
        if board in ("rpi3", "rpi4", "rpi5", "zero2w", "qemu-virt"):
            check(tag + "image.env of the board turns Wi-Fi on", env.get("IMAGE_WIFI") == ["yes"], env.get("IMAGE_WIFI"))
            for needed in ("/usr/sbin/wpa_supplicant", "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
                           "/lib/aarch64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libssl.so.3",
                           "/lib/aarch64-linux-gnu/libnl-genl-3.so.200", "/lib/aarch64-linux-gnu/libdbus-1.so.3"):
                stat = debugfs("stat " + needed)
                check(tag + "root has " + needed, "Type: regular" in stat, stat[:120])
            loader = debugfs("stat /lib/ld-linux-aarch64.so.1")
            check(tag + "/lib/ld-linux-aarch64.so.1 leads to the loader",
                  'Fast link dest: "aarch64-linux-gnu/ld-linux-aarch64.so.1"' in loader, loader[:200])
        binary = os.path.join(work, board + "-switchyard")
        debugfs(f"dump /usr/bin/switchyard {binary}")
        kind = run(["file", "-b", binary]).decode() if os.path.exists(binary) else "missing"
        check(tag + "/usr/bin/switchyard is a static aarch64 executable",
              "ARM aarch64" in kind and ("static" in kind), kind)
        for scratch in (binary,):
            if os.path.exists(scratch):
                os.remove(scratch)
        os.remove(fs)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="check-images.") as work:
        for path in sys.argv[1:]:
            try:
                check_image(path, work)
            except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as error:
                check(os.path.basename(path) + ": the image can be opened", False,
                      getattr(error, "stderr", b"") or repr(error))
    passed = sum(results)
    failed = len(results) - passed
    print(f"check-images: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
