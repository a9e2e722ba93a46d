#!/usr/bin/env bash
# Links toolchain/probe.c against everything the firmware links (our static
# OpenSSL, libcurl, libmosquitto and cJSON from $CACHE/<arch>, Debian's
# libbluetooth.a, libsocketcan.a and libserialport.a) as one stripped
# -static-pie binary per architecture, runs it (aarch64 under
# qemu-aarch64-static) and prints its size.
#
# The probe also makes real TLS handshakes against local peers started here on
# 127.0.0.1: `openssl s_server -www` with an RSA certificate (curl, TLS 1.3 and
# 1.2) and a `mosquitto` broker with an ECDSA certificate (libmosquitto), both
# signed by a throwaway CA. Skipped when the openssl or mosquitto programs are
# missing.
#
# static-libs.sh runs this after it rebuilt something, or with --check. It is a
# separate file so that changing the check does not invalidate the library
# builds (their stamps hash static-libs.sh).
#
# Usage: probe.sh [--sizes] ARCH...
#   --sizes  also link the probe with one library added at a time and print
#            what each one adds to the stripped binary
set -euo pipefail

CACHE=${SWITCHYARD_CACHE:-/var/cache/switchyard}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sizes=0
arches=()
for arg in "$@"; do
  case $arg in
    --sizes) sizes=1 ;;
    x86_64 | aarch64) arches+=("$arg") ;;
    *) echo "usage: $0 [--sizes] x86_64|aarch64..." >&2; exit 2 ;;
  esac
done
((${#arches[@]})) || arches=(x86_64 aarch64)

say() { echo "toolchain: $*"; }
die() { echo "toolchain: error: $*" >&2; exit 1; }
# Bytes the binary loads: text + data (`size`). The file size moves in steps of
# the segment alignment (64 KiB on aarch64), so it hides small changes.
loaded_bytes() { size "$1" | awk 'NR == 2 { print $1 + $2 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

# Link order: users before what they use (curl and mosquitto need libssl, which
# needs libcrypto). Debian's archives come from the compiler's multiarch path
# /usr/lib/<triplet>; -L$prefix/lib comes first so our OpenSSL wins over the
# host's /usr/lib/x86_64-linux-gnu/libssl.a.
LIBS=(-lmicrohttpd -lcurl -lmosquitto -lssl -lcrypto -lcjson -lbluetooth -lsocketcan -lserialport -pthread)

# link ARCH OUTPUT [-DPROBE_WITH_X=0...]: prints the linker's diagnostics.
link() {
  local arch=$1 out=$2 triple
  shift 2
  case $arch in
    x86_64) triple=x86_64-linux-gnu ;;
    aarch64) triple=aarch64-linux-gnu ;;
  esac
  "$triple-gcc" -Os -ffunction-sections -fdata-sections -Wall "$@" \
    -I"$CACHE/$arch/include" "$here/probe.c" -o "$out" \
    -static-pie -Wl,--gc-sections -s -L"$CACHE/$arch/lib" "${LIBS[@]}" 2>&1
}

run() {
  local arch=$1
  shift
  if [[ $arch == "$(uname -m)" ]]; then
    "$@"
  else
    "qemu-$arch-static" "$@"
  fi
}

# --- Local TLS peers -------------------------------------------------------
tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

peer_args=()
if command -v openssl >/dev/null && command -v mosquitto >/dev/null; then
  (
    cd "$tmp"
    san='subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth'
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -keyout ca.key -out ca.pem -subj /CN=switchyard-probe-ca
    openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj /CN=127.0.0.1
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr \
      -subj /CN=127.0.0.1
    for k in rsa ec; do
      openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile <(echo "$san") -out $k.pem
    done
  ) >"$tmp/certs.log" 2>&1 || { cat "$tmp/certs.log" >&2; die "could not make test certificates"; }

  https_port=$(free_port)
  openssl s_server -accept "127.0.0.1:$https_port" -cert "$tmp/rsa.pem" -key "$tmp/rsa.key" \
    -www -quiet </dev/null >"$tmp/s_server.log" 2>&1 &
  pids+=($!)

  mqtts_port=$(free_port)
  while [[ $mqtts_port == "$https_port" ]]; do mqtts_port=$(free_port); done
  cat >"$tmp/mosquitto.conf" <<EOF
# mosquitto drops root to this user; root keeps it able to read $tmp.
user $(id -un)
persistence false
listener $mqtts_port 127.0.0.1
allow_anonymous true
cafile $tmp/ca.pem
certfile $tmp/ec.pem
keyfile $tmp/ec.key
EOF
  mosquitto -c "$tmp/mosquitto.conf" >"$tmp/mosquitto.log" 2>&1 &
  pids+=($!)

  wait_port "$https_port" || { cat "$tmp/s_server.log" >&2; die "openssl s_server did not start"; }
  wait_port "$mqtts_port" || { cat "$tmp/mosquitto.log" >&2; die "mosquitto did not start"; }
  peer_args=(--cafile "$tmp/ca.pem" --https "https://127.0.0.1:$https_port/"
    --mqtts "127.0.0.1:$mqtts_port")
else
  say "probe: openssl or mosquitto program missing, skipping the TLS handshakes"
fi

# --- Link, run, measure -----------------------------------------------------
status=0
for arch in "${arches[@]}"; do
  for lib in libcrypto libssl libcurl libmosquitto libcjson libmicrohttpd; do
    [[ -f $CACHE/$arch/lib/$lib.a ]] || die "$CACHE/$arch/lib/$lib.a missing: run toolchain/static-libs.sh"
  done
  dir=$CACHE/$arch/probe
  mkdir -p "$dir"
  if ! link "$arch" "$dir/probe" >"$dir/link.log"; then
    cat "$dir/link.log" >&2
    die "probe for $arch does not link"
  fi
  # glibc warns about functions that load NSS modules at run time
  # (getaddrinfo, getpwnam, ...): expected for a static binary, shown once.
  if grep -q 'warning:' "$dir/link.log"; then
    say "probe $arch link warnings:"
    grep 'warning:' "$dir/link.log" | sed 's/^.*warning: /  warning: /' | sort -u
  fi
  # A static-pie is an ELF of type DYN with no program interpreter.
  if ! readelf -h "$dir/probe" | grep -q 'Type:.*DYN' || readelf -l "$dir/probe" | grep -q INTERP; then
    die "probe for $arch is not a static-pie binary"
  fi
  if run "$arch" "$dir/probe" "${peer_args[@]}" >"$dir/run.log" 2>&1 \
    && grep -q 'sha256(abc) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' "$dir/run.log"; then
    result="all checks ok"
  else
    result="FAILED"
    status=1
  fi
  sed 's/^/  /' "$dir/run.log"
  bytes=$(stat -c %s "$dir/probe")
  image=$(loaded_bytes "$dir/probe")
  say "probe $arch: $result; stripped static-pie $(mib "$bytes") file, $(mib "$image") text+data: $dir/probe"

  if ((sizes)); then
    # One library at a time, in dependency order; each line is what the
    # library adds on top of the lines above it.
    steps=("libc only" "+ libbluetooth, libsocketcan, libserialport" "+ cJSON"
      "+ OpenSSL (TLS client, SHA-256, Ed25519)" "+ libmosquitto" "+ libcurl" "+ libmicrohttpd (no TLS)")
    macros=(DEBIAN_LIBS CJSON OPENSSL MOSQUITTO CURL MICROHTTPD)
    printf '  %-44s %9s  %9s\n' "text+data bytes" total added
    previous=0
    for i in "${!steps[@]}"; do
      defines=()
      for j in "${!macros[@]}"; do
        defines+=("-DPROBE_WITH_${macros[$j]}=$((j < i ? 1 : 0))")
      done
      link "$arch" "$tmp/probe-step" "${defines[@]}" >/dev/null \
        || die "probe step '${steps[$i]}' does not link for $arch"
      bytes=$(loaded_bytes "$tmp/probe-step")
      printf '  %-44s %9d  %+9d\n' "${steps[$i]}" "$bytes" $((bytes - previous))
      previous=$bytes
    done
  fi
done
exit $status
