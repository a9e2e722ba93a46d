#!/usr/bin/env bash
# What `make image` and `make qemu-test` need beyond toolchain/packages.sh: the host tools
# that assemble an SD card image without root or loop mounts (mtools, dosfstools,
# e2fsprogs, fdisk, cpio, kmod), qemu-system-aarch64 to boot it, and Debian's
# non-free-firmware component for raspi-firmware (the Pi's boot files).
#
# Idempotent and cheap when everything is there (one dpkg-query, one file compare); needs
# root only to change something. Separate from packages.sh so a host-only build does not
# pull qemu-system (~100 MB).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
exec </dev/null

wanted=(file mtools dosfstools e2fsprogs fdisk cpio kmod xz-utils zstd qemu-system-arm qemu-user-static mosquitto mosquitto-clients)

as_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "image-packages: must run as root to: $*" >&2
    exit 1
  fi
}
# Wait for another apt/dpkg (a parallel `make toolchain`) instead of failing on its lock.
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }

need_update=0

# raspi-firmware lives in non-free-firmware. Our own file, binary packages only; the
# machine's debian.sources is left alone. Skipped when another file already lists the
# component (a duplicate entry makes apt warn on every run).
nff_list=/etc/apt/sources.list.d/switchyard-non-free-firmware.sources
nff_content='# Written by Switchyard toolchain/image-packages.sh: raspi-firmware for `make image`.
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
other_nff() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f && $f != "$nff_list" ]] || continue
    if grep -Eqs '^[[:space:]]*(deb[[:space:]].*non-free-firmware|Components:.*non-free-firmware)' "$f" \
       && ! grep -Eqs '^[[:space:]]*Types:[[:space:]]*deb-src[[:space:]]*$' "$f"; then
      return 0
    fi
  done
  return 1
}
if [[ ! -f $nff_list ]] && ! other_nff; then
  as_root "write $nff_list"
  echo "image-packages: adding $nff_list (bookworm non-free-firmware, for raspi-firmware)"
  printf '%s\n' "$nff_content" >"$nff_list"
  need_update=1
elif [[ -f $nff_list && "$(cat "$nff_list")" != "$nff_content" ]]; then
  as_root "rewrite $nff_list"
  printf '%s\n' "$nff_content" >"$nff_list"
  need_update=1
fi
if ! compgen -G "/var/lib/apt/lists/*non-free-firmware_binary-arm64_Packages" >/dev/null; then
  need_update=1
fi

native_arch=$(dpkg --print-architecture)
missing=()
mapfile -t missing < <(
  dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' 2>/dev/null |
    awk -v native="$native_arch" -v wanted="${wanted[*]}" '
      $3 == "ii" { ok[$1 ":" $2] = 1 }
      END {
        n = split(wanted, w, " ")
        for (i = 1; i <= n; i++) {
          p = w[i]
          if (!((p ":" native) in ok) && !((p ":all") in ok)) print p
        }
      }'
)
if ((need_update)); then
  as_root "apt-get update"
  echo "image-packages: apt-get update"
  apt_get update -qq
fi
if ((${#missing[@]})); then
  as_root "apt-get install ${missing[*]}"
  echo "image-packages: installing ${missing[*]}"
  apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "image-packages: ok"
