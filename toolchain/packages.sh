#!/usr/bin/env bash
# Installs the Debian packages Switchyard needs on a Debian 12 (bookworm) machine:
# the host build's -dev libraries and test tools, the arm64 cross toolchain, and
# what toolchain/static-libs.sh needs to build OpenSSL, curl, mosquitto and cJSON
# from Debian's source packages. Also enables the arm64 architecture and deb-src.
#
# Idempotent and cheap when everything is there: one dpkg-query call decides, and
# apt-get runs only when a package or an apt index is missing. Needs root only
# then.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# The host build (SwiftPM links these shared libraries) and the tests' real peers.
host_packages=(
  libmosquitto-dev libcurl4-openssl-dev libcjson-dev libbluetooth-dev
  libsocketcan-dev libserialport-dev libssl-dev libmicrohttpd-dev
  mosquitto mosquitto-clients socat
  # The dashboard's tests load the page in headless Chromium (screenshot, live DOM);
  # wrk measures its requests/s in bench/web.
  chromium wrk
  # python3: fuzz/run and the firmware link read SwiftPM's JSON with it; the device
  # simulators (tools/*.py) the tests and the demo run are Python too.
  python3
)
# Building the static libraries from source packages: dpkg-source (dpkg-dev)
# unpacks them, patch applies Debian's patches, xz-utils reads their tarballs,
# perl runs OpenSSL's Configure, cmake builds mosquitto. curl's shipped
# configure is used as is, so no autotools. The openssl program makes the
# probe's test certificates and serves its HTTPS.
build_packages=(
  build-essential dpkg-dev patch pkg-config cmake perl xz-utils make openssl
)
# The aarch64 firmware: cross compiler and libc, qemu to run it here, and the
# arm64 builds of the libraries Debian already ships as static archives.
cross_packages=(
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-user-static
  libbluetooth-dev:arm64 libsocketcan-dev:arm64 libserialport-dev:arm64
  # Fleet deltas (issue 30): the host build links libzstd; the firmware links the lean
  # libzstd.a static-libs.sh builds from Debian's source.
  libzstd-dev
)
wanted=("${host_packages[@]}" "${build_packages[@]}" "${cross_packages[@]}")

native_arch=$(dpkg --print-architecture)
need_update=0

# Checking needs no privileges; changing anything needs root.
as_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "toolchain: packages.sh must run as root to: $*" >&2
    exit 1
  fi
}

# arm64 packages can only be installed once dpkg knows the architecture.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  as_root "dpkg --add-architecture arm64"
  echo "toolchain: dpkg --add-architecture arm64"
  dpkg --add-architecture arm64
  need_update=1
fi

# static-libs.sh fetches sources with `apt-get source`, which needs deb-src
# entries. The machine's own debian.sources has `Types: deb` only; rather than
# edit it we add a file of our own with the same archives as deb-src. Skipped when
# some other file already provides deb-src (a second entry would make apt warn
# about duplicate sources on every run).
src_list=/etc/apt/sources.list.d/switchyard-deb-src.sources
src_content='# Written by Switchyard toolchain/packages.sh: source packages for toolchain/static-libs.sh.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
other_deb_src() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f && $f != "$src_list" ]] || continue
    if grep -Eqs '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' "$f"; then
      return 0
    fi
  done
  return 1
}
if [[ ! -f $src_list ]] && ! other_deb_src; then
  as_root "write $src_list"
  echo "toolchain: adding $src_list (deb-src for bookworm, bookworm-updates, bookworm-security)"
  printf '%s\n' "$src_content" >"$src_list"
  need_update=1
elif [[ -f $src_list && "$(cat "$src_list")" != "$src_content" ]]; then
  as_root "rewrite $src_list"
  echo "toolchain: updating $src_list"
  printf '%s\n' "$src_content" >"$src_list"
  need_update=1
fi

# apt's indexes: a fresh machine may have none, or none yet for the source
# packages or for arm64. Their files are named after the archive and the index.
lists=/var/lib/apt/lists
has_index() { compgen -G "$lists/*_$1*" >/dev/null; }
if ! has_index main_source_Sources || ! has_index main_binary-arm64_Packages \
  || ! has_index "main_binary-${native_arch}_Packages"; then
  need_update=1
fi

# Which wanted packages are not installed? A name without ":arch" is satisfied
# by the native architecture or by "all"; "name:arm64" only by that architecture.
missing=()
mapfile -t missing < <(
  dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' 2>/dev/null |
    awk -v native="$native_arch" -v wanted="${wanted[*]}" '
      $3 == "ii" { ok[$1 ":" $2] = 1 }
      END {
        n = split(wanted, w, " ")
        for (i = 1; i <= n; i++) {
          p = w[i]
          if (index(p, ":")) { if (!(p in ok)) print p }
          else if (!((p ":" native) in ok) && !((p ":all") in ok)) print p
        }
      }'
)

if ((need_update)) || ((${#missing[@]})); then
  as_root "apt-get update / install ${missing[*]}"
  echo "toolchain: apt-get update"
  apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "toolchain: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "toolchain: packages ok"
