#!/usr/bin/env bash
# Downloads the Debian arm64 packages the SD image is made of into the cache (outside git):
#   linux-image-<abi>-arm64  kernel, device trees (Broadcom ones included), modules
#   raspi-firmware           the Pi's GPU boot files (non-free-firmware; see toolchain/image-packages.sh)
#   busybox-static           the only userland besides our firmware: sh, mount, modprobe, ip, udhcpc
#   e2fsck-static            e2fsck.static, run on /data before it is mounted (issue 27)
#   firmware-brcm80211       the Pi's onboard Wi-Fi firmware (brcmfmac), non-free-firmware
#   bluez-firmware           the Pi's onboard Bluetooth patch files (BCM43430A1.hcd, ...), non-free-firmware
#   firmware-ath9k-htc       free firmware of Atheros AR9271 USB Wi-Fi dongles (the Zero 2 W's Wi-Fi)
#   wpasupplicant + libs     Wi-Fi (issue 27): wpa_supplicant is dynamic; the libraries it links (and
#                            theirs), with libc6's loader: build.sh copies only what DT_NEEDED names
# `apt-get download` needs no root and installs nothing; a package already in the cache is
# not fetched again. Prints the .deb paths, one per line, in the order above.
#
# Usage: image/fetch-debs.sh   Environment: SWITCHYARD_CACHE (default /var/cache/switchyard)
set -euo pipefail
cache=${SWITCHYARD_CACHE:-/var/cache/switchyard}/debs
mkdir -p "$cache"
cd "$cache"

# linux-image-arm64 is a metapackage: its one dependency is the real kernel package.
kernel=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(":arm64", "", $2); print $2; exit }')
if [[ -z $kernel ]]; then
  echo "fetch-debs: apt knows no linux-image-arm64:arm64; run toolchain/setup (adds arm64) and apt-get update" >&2
  exit 1
fi
packages=("$kernel:arm64" "raspi-firmware" "busybox-static:arm64" "e2fsck-static:arm64" "firmware-brcm80211"
          "bluez-firmware" "firmware-ath9k-htc"
          "wpasupplicant:arm64" "libc6:arm64" "libssl3:arm64" "libnl-3-200:arm64"
          "libnl-genl-3-200:arm64" "libnl-route-3-200:arm64" "libdbus-1-3:arm64" "libsystemd0:arm64"
          "libpcsclite1:arm64" "libcap2:arm64" "libgcrypt20:arm64" "libgpg-error0:arm64" "liblz4-1:arm64"
          "liblzma5:arm64" "libzstd1:arm64")

for spec in "${packages[@]}"; do
  name=${spec%%:*}
  arch=arm64
  [[ $spec == *:arm64 ]] || arch=all   # architecture-independent firmware blobs
  version=$(apt-cache policy "$spec" | awk '/Candidate:/ { print $2 }')
  if [[ -z $version || $version == "(none)" ]]; then
    echo "fetch-debs: no candidate for $spec (raspi-firmware needs non-free-firmware: toolchain/image-packages.sh)" >&2
    exit 1
  fi
  # apt writes an epoch's colon as %3a in file names.
  file="${name}_${version//:/%3a}_${arch}.deb"
  if [[ ! -s $file ]]; then
    echo "fetch-debs: downloading $spec $version" >&2
    apt-get download -qq -o APT::Sandbox::User=root "$spec=$version" >&2
  fi
  [[ -s $file ]] || { echo "fetch-debs: expected $cache/$file after apt-get download" >&2; exit 1; }
  echo "$cache/$file"
done
