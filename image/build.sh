#!/usr/bin/env bash
# Builds build/images/switchyard-<board>.img from Debian's arm64 packages and our static
# firmware, without root and without loop mounts: each partition is made as a file
# (mkfs.vfat + mcopy for boot, `mke2fs -d` for root and data), then copied into a disk
# file whose MBR sfdisk writes.
#
#   p1  boot  FAT32  64 MiB   Pi firmware, config.txt, cmdline.txt, kernel, initramfs, .dtb
#   p2  root  ext4   96 MiB   busybox, /sbin/init (busybox init + our rcS), modules, switchyard;
#                             mounted read-only
#   p3  data  ext4  128 MiB   settings and spools (/data/switchyard), OTA slots
#                             (/data/switchyard/ota), logs (/data/log); rw
#
# Usage: image/build.sh BOARD FIRMWARE OUTPUT
# Environment: SWITCHYARD_CACHE (default /var/cache/switchyard) for the .deb files;
# SOURCE_DATE_EPOCH (default: the last commit's time) is the floor the image's clock never
# starts below (a Pi has no real-time clock: rcS restores the saved time, else this).
set -euo pipefail
board=$1 firmware=$2 output=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
board_dir=$repo/board/$board
[[ -f $board_dir/defaults.conf && -f $board_dir/image.env && -f $board_dir/cmdline.txt ]] \
  || { echo "image: no board profile board/$board (defaults.conf, image.env, cmdline.txt); boards: $(cd "$repo/board" && ls -d */ | tr -d / | tr '\n' ' ')" >&2; exit 2; }
[[ -x $firmware ]] || { echo "image: no firmware at $firmware; run make firmware ARCH=aarch64" >&2; exit 2; }
case $(file -b "$firmware") in
  *aarch64*) ;;
  *) echo "image: $firmware is not an aarch64 binary" >&2; exit 2 ;;
esac
# shellcheck source=/dev/null
. "$board_dir/image.env"

boot_mib=64 root_mib=96 data_mib=128
work=$(dirname "$output")/work-$board
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

mapfile -t debs < <("$here/fetch-debs.sh")
kernel_deb=${debs[0]} firmware_deb=${debs[1]} busybox_deb=${debs[2]}
# Unpacked once per set of packages (~300 MiB of modules), next to the .deb files.
pkgs=$(dirname "$kernel_deb")/unpacked-$(printf '%s\n' "${debs[@]}" | sha256sum | cut -c1-12)
if [[ ! -f $pkgs/.complete ]]; then
  rm -rf "$pkgs" "$(dirname "$kernel_deb")"/unpacked-*
  for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$pkgs"; done
  depmod -b "$pkgs" "$(basename "$(ls -d "$pkgs"/lib/modules/*)")"
  touch "$pkgs/.complete"
fi
version=$(basename "$(ls -d "$pkgs"/lib/modules/*)")
echo "image: $board, kernel $version, $(basename "$busybox_deb" .deb), $(basename "$firmware_deb" .deb)"

# Where busybox applets live (sh, mount, modprobe, ip, udhcpc, ...): ask the arm64 busybox
# itself under qemu-user, so the links match the binary we ship.
busybox_links() {
  local tree=$1
  mkdir -p "$tree/bin" "$tree/sbin" "$tree/usr/bin" "$tree/usr/sbin"
  cp "$pkgs/bin/busybox" "$tree/bin/busybox"
  local applet
  for applet in $(qemu-aarch64-static "$pkgs/bin/busybox" --list-full); do
    [[ $applet == bin/busybox ]] && continue
    [[ -e $tree/$applet ]] || ln -s /bin/busybox "$tree/$applet"
  done
}

# --- initramfs: busybox, the storage modules, the stage-one init
initramfs=$work/initramfs
busybox_links "$initramfs"
mkdir -p "$initramfs/etc" "$initramfs/proc" "$initramfs/sys" "$initramfs/dev" "$initramfs/newroot"
python3 "$here/select-modules.py" "$pkgs" "$version" "$initramfs" "$here/modules-boot.txt" > "$work/modules-boot.list"
depmod -b "$initramfs" "$version"
grep -v '^#' "$here/modules-boot.txt" | awk 'NF { print $1 }' > "$initramfs/etc/modules-boot"
install -m 0755 "$here/initramfs-init" "$initramfs/init"
(cd "$initramfs" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9n > "$work/initrd.img"

# --- root filesystem
root=$work/root
busybox_links "$root"
mkdir -p "$root"/{proc,sys,dev,run,tmp,data,etc/switchyard/boards,lib/modules,var/lib,usr/libexec}
cp -r "$here/rootfs/." "$root/"
python3 "$here/select-modules.py" "$pkgs" "$version" "$root" "$here/modules-boot.txt" "$here/modules-gateway.txt" > "$work/modules-root.list"
depmod -b "$root" "$version"
grep -hv '^#' "$here/modules-gateway.txt" | awk 'NF' > "$root/etc/switchyard/modules"
install -m 0755 "$firmware" "$root/usr/bin/switchyard"
# /data's check before it is mounted (rcS): e2fsck from Debian's e2fsck-static, no libraries.
install -m 0755 "$pkgs/sbin/e2fsck.static" "$root/sbin/e2fsck"
# The onboard radios' firmware the board lists (brcmfmac Wi-Fi, Bluetooth patch files), links
# resolved: the kernel asks for these exact names under /lib/firmware.
for blob in ${IMAGE_RADIO_FIRMWARE:-}; do
  mkdir -p "$root/lib/firmware/$(dirname "$blob")"
  cp -L "$pkgs/lib/firmware/$blob" "$root/lib/firmware/$blob"
done
# Wi-Fi (issue 27) on boards with a radio (IMAGE_WIFI=yes; qemu-virt too, for mac80211_hwsim):
# Debian's wpa_supplicant is dynamic, so it comes with exactly the libraries DT_NEEDED names
# (followed to the end) and the loader; qemu-user runs it once here to prove they resolve.
copy_needed() {
  local queue=("$1") seen=" " elf lib found
  mkdir -p "$root/lib/aarch64-linux-gnu"
  while ((${#queue[@]})); do
    elf=${queue[0]} queue=("${queue[@]:1}")
    for lib in $(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
      [[ $seen == *" $lib "* ]] && continue
      seen+="$lib "
      found=
      for found in "$pkgs"/lib/aarch64-linux-gnu/"$lib" "$pkgs"/usr/lib/aarch64-linux-gnu/"$lib" ""; do
        [[ -e $found ]] && break
      done
      [[ -n $found ]] || { echo "image: $lib (needed by $(basename "$elf")) is in no package fetch-debs.sh fetches" >&2; exit 1; }
      cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
      queue+=("$found")
    done
  done
}
if [[ ${IMAGE_WIFI:-no} == yes ]]; then
  install -m 0755 "$pkgs/sbin/wpa_supplicant" "$root/usr/sbin/wpa_supplicant"
  copy_needed "$pkgs/sbin/wpa_supplicant"
  ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
  qemu-aarch64-static -L "$root" "$root/usr/sbin/wpa_supplicant" -v >/dev/null \
    || { echo "image: wpa_supplicant does not run with the libraries copied" >&2; exit 1; }
fi
build_time=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
# Busybox style: the BCMS client and daemon are the same binary under their own names.
ln -s switchyard "$root/usr/bin/bcms"
ln -s switchyard "$root/usr/bin/bcms-daemon"
for profile in "$repo"/board/*/defaults.conf; do
  cp "$profile" "$root/etc/switchyard/boards/$(basename "$(dirname "$profile")").conf"
done
[[ -f $board_dir/init.sh ]] && cp "$board_dir/init.sh" "$root/etc/switchyard/board-init.sh"
printf 'IMAGE_BOARD=%s\nIMAGE_KERNEL=%s\nIMAGE_BUILD_TIME=%s\n' "$board" "$version" "$build_time" > "$root/etc/switchyard/image.env"
ln -s /data/switchyard "$root/var/lib/switchyard"
ln -s /run/resolv.conf "$root/etc/resolv.conf"
# e2fsck asks /etc/mtab whether the partition is mounted; and a board without a real-time
# clock must not make it treat "last mounted in the future" as damage.
ln -s /proc/mounts "$root/etc/mtab"
printf '[options]\n\tbroken_system_clock = 1\n' > "$root/etc/e2fsck.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
# TLS brokers: the host's Debian CA bundle (ca-certificates is architecture-independent).
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
# mke2fs -d copies owners as they are here; -E root_owner plus uid 0 files keep them root.
mke2fs -q -F -t ext4 -L sy-root -E root_owner=0:0 -O ^has_journal -m 0 -d "$root" "$work/root.ext4" "${root_mib}M" >/dev/null
mke2fs -q -F -t ext4 -L sy-data -E root_owner=0:0 -m 0 "$work/data.ext4" "${data_mib}M" >/dev/null

# --- boot partition
boot=$work/boot
mkdir -p "$boot"
cp "$pkgs/boot/vmlinuz-$version" "$boot/vmlinuz"
cp "$work/initrd.img" "$boot/initrd.img"
cp "$board_dir/cmdline.txt" "$boot/cmdline.txt"
[[ -f $board_dir/config.txt ]] && cp "$board_dir/config.txt" "$boot/config.txt"
for dtb in $IMAGE_DTBS; do cp "$pkgs/usr/lib/linux-image-$version/$dtb" "$boot/"; done
for blob in $IMAGE_FIRMWARE; do cp "$pkgs/usr/lib/raspi-firmware/$blob" "$boot/"; done
# A DS3231 real-time clock on the header's I2C bus, opt-in with dtoverlay=switchyard-rtc-ds3231
# in config.txt (image/rtc-overlay.py says why not Raspberry Pi OS's i2c-rtc).
if [[ -n $IMAGE_DTBS ]]; then
  mkdir -p "$boot/overlays"
  python3 "$here/rtc-overlay.py" "$boot/overlays/switchyard-rtc-ds3231.dtbo"
fi
cat > "$boot/README.txt" <<TXT
Switchyard SD card, board $board. This partition is what the Raspberry Pi firmware reads:
config.txt (firmware settings), cmdline.txt (kernel command line), vmlinuz + initrd.img
(Debian kernel $version, our small initramfs), the board's .dtb files.
Partition 2 is the read-only root, partition 3 (/data) holds settings, OTA slots and logs.
TXT
mkfs.vfat -C -F 32 -n SYBOOT "$work/boot.vfat" $((boot_mib * 1024)) >/dev/null
mcopy -i "$work/boot.vfat" -s "$boot"/* ::

# --- the disk: 1 MiB alignment, MBR (the Pi's boot ROM reads MBR only)
total_mib=$((1 + boot_mib + root_mib + data_mib))
rm -f "$output"
truncate -s "${total_mib}M" "$output"
sfdisk -q "$output" <<PARTS
label: dos
unit: sectors
start=2048, size=$((boot_mib * 2048)), type=c, bootable
start=$(((1 + boot_mib) * 2048)), size=$((root_mib * 2048)), type=83
start=$(((1 + boot_mib + root_mib) * 2048)), size=$((data_mib * 2048)), type=83
PARTS
dd if="$work/boot.vfat" of="$output" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.ext4" of="$output" bs=1M seek=$((1 + boot_mib)) conv=notrunc,sparse status=none
dd if="$work/data.ext4" of="$output" bs=1M seek=$((1 + boot_mib + root_mib)) conv=notrunc,sparse status=none
echo "image: $output ($total_mib MiB; root holds $(wc -l < "$work/modules-root.list") modules, $(du -sm "$root" | cut -f1) MiB)"
