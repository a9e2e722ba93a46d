#!/usr/bin/env bash
# Builds the static C libraries the firmware links and Debian does not ship as
# `.a` files (OpenSSL's lean cut, libcurl, libmosquitto, cJSON, and libmicrohttpd
# without HTTPS: Debian's own libmicrohttpd.a needs GnuTLS) or ships one built
# for speed where we want size (libzstd), for x86_64 and
# aarch64, from Debian's source packages, into a cache outside the git tree:
#
#   $CACHE/src/                  downloaded source packages (.dsc, .orig, .debian)
#   $CACHE/<arch>/include, lib   what the firmware build uses (-I, -L)
#   $CACHE/<arch>/.stamp-*       one per library: <package>-<version>-<key>
#   $CACHE/<arch>/probe/         the link probe (see probe.c) and its logs
#   $CACHE/.probe-pending        libraries changed and the probe has not passed yet
#   $CACHE/log/                  build logs; $CACHE/work/ only while building
#
# A library is rebuilt when its stamp is missing, i.e. when Debian's source
# version or this script changed (the key hashes this file; curl's and
# mosquitto's also hash OpenSSL's version, since they are built against it).
# Warm runs touch no network and print one line.
#
# Usage: static-libs.sh [--check] [--force]
#   --check  link and run the probe even when nothing was rebuilt
#   --force  rebuild every library
# Environment: SWITCHYARD_CACHE (default /var/cache/switchyard), JOBS (make -j).
set -euo pipefail

CACHE=${SWITCHYARD_CACHE:-/var/cache/switchyard}
JOBS=${JOBS:-2}
ARCHES=(x86_64 aarch64)
# Build order matters: curl and mosquitto compile against the OpenSSL built first.
PACKAGES=(openssl curl mosquitto cjson libmicrohttpd libzstd)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=0
force=0
for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    --force) force=1 ;;
    *) echo "usage: $0 [--check] [--force]" >&2; exit 2 ;;
  esac
done

say() { echo "toolchain: $*"; }
die() { echo "toolchain: error: $*" >&2; exit 1; }

# Size first (the firmware is one static binary), sections so that
# `-Wl,--gc-sections` drops what we never call, PIC so it links `-static-pie`.
OPT_CFLAGS="-Os -ffunction-sections -fdata-sections -fPIC"

# ---------------------------------------------------------------------------
# Per-architecture tools. Both architectures use the triplet-prefixed tools, so
# the x86_64 build is as explicit as the cross build (and never picks up a
# CC from the environment).
triple_of() {
  case $1 in
    x86_64) echo x86_64-linux-gnu ;;
    aarch64) echo aarch64-linux-gnu ;;
    *) die "unknown arch $1" ;;
  esac
}
openssl_target_of() {
  case $1 in
    x86_64) echo linux-x86_64 ;;
    aarch64) echo linux-aarch64 ;;
  esac
}

# ---------------------------------------------------------------------------
# Source packages.

# All versions of source package $1 that apt knows of, newest first.
source_versions() {
  local pkg=$1 v sorted=() i inserted
  while read -r v; do
    inserted=0
    for i in "${!sorted[@]}"; do
      if dpkg --compare-versions "$v" gt "${sorted[$i]}"; then
        sorted=("${sorted[@]:0:$i}" "$v" "${sorted[@]:$i}")
        inserted=1
        break
      fi
    done
    ((inserted)) || sorted+=("$v")
  done < <(apt-cache showsrc --only-source "$pkg" 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -u)
  if ((${#sorted[@]})); then printf '%s\n' "${sorted[@]}"; fi
}

# Files a .dsc names (the tarballs), one per line.
dsc_files() {
  awk '/^Files:/ { f = 1; next } /^[^ ]/ { f = 0 } f && NF == 3 { print $3 }' "$1"
}

# Is the source package of .dsc $1 complete in $CACHE/src?
have_source() {
  local f
  [[ -f $1 ]] || return 1
  for f in $(dsc_files "$1"); do [[ -f $CACHE/src/$f ]] || return 1; done
}

# Picks the newest version of source package $1 that is in $CACHE/src or can be
# downloaded, and sets SRC_VERSION and SRC_DSC. The index may list a version
# whose files the mirror does not serve (seen here: an openssl security update
# whose .dsc answers 404); we then fall back to the next version, and remember
# the failure for a day so warm runs do not ask the network again.
fetch_source() {
  local pkg=$1 v upstream dsc marker dl versions
  mapfile -t versions < <(source_versions "$pkg")
  ((${#versions[@]})) || die "apt knows no source package '$pkg': is deb-src enabled? (run toolchain/packages.sh)"
  for v in "${versions[@]}"; do
    upstream=${v#*:}   # file names carry no epoch
    dsc=$CACHE/src/${pkg}_${upstream}.dsc
    marker=$CACHE/src/.unavailable-${pkg}_${upstream}
    if have_source "$dsc"; then
      SRC_VERSION=$v SRC_DSC=$dsc
      return 0
    fi
    if [[ -n $(find "$marker" -mmin -1440 2>/dev/null) ]]; then
      continue
    fi
    # Download into a private directory first so a failed fetch leaves no
    # half a source package behind. APT::Sandbox::User=root: we run as root and
    # the directory is not readable by apt's _apt user otherwise (apt warns).
    dl=$CACHE/src/.download-$pkg
    rm -rf "$dl" && mkdir -p "$dl"
    if (cd "$dl" && apt-get source --download-only -qq -o APT::Sandbox::User=root "$pkg=$v") \
      >"$CACHE/log/fetch-$pkg.log" 2>&1; then
      mv -f "$dl"/* "$CACHE/src/"
      rm -rf "$dl" "$marker"
      say "fetched source $pkg $v"
      SRC_VERSION=$v SRC_DSC=$dsc
      return 0
    fi
    rm -rf "$dl"
    touch "$marker"
    echo "toolchain: warning: source $pkg $v is listed but not downloadable" \
      "(see $CACHE/log/fetch-$pkg.log); trying an older version" >&2
  done
  die "no version of source package $pkg could be downloaded"
}

# Removes downloaded files of package $1 that the chosen .dsc no longer needs.
prune_sources() {
  local pkg=$1 keep f
  keep=" $(basename "$SRC_DSC") $(dsc_files "$SRC_DSC" | tr '\n' ' ') "
  for f in "$CACHE/src/${pkg}"_*; do
    [[ -e $f ]] || continue
    [[ $keep == *" $(basename "$f") "* ]] || rm -f "$f"
  done
}

# Unpacks $SRC_DSC into directory $1 and applies Debian's patches except those
# named in the remaining arguments (curl's last two patches turn the tree into
# its GnuTLS and NSS flavours; Debian's own rules pop them for the OpenSSL one).
unpack_source() {
  local dest=$1 name opts applied=0 skipped=""
  shift
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  # --skip-patches: we apply the series ourselves, minus the excluded patches.
  # dpkg-source checks the tarballs against the .dsc's checksums (apt checked
  # the .dsc against the signed index when it downloaded it; without a Debian
  # keyring dpkg-source only warns that it cannot check the .dsc's signature).
  dpkg-source --skip-patches -x "$SRC_DSC" "$dest"
  if [[ -f $dest/debian/patches/series ]]; then
    while read -r name opts; do
      [[ -z $name || $name == \#* ]] && continue
      if [[ " $* " == *" $name "* ]]; then
        skipped+=" $name"
        continue
      fi
      # The same flags dpkg-source uses: no fuzz, no backup files.
      # shellcheck disable=SC2086
      patch -d "$dest" -s -t -F 0 -N -u -V never -E ${opts:--p1} -i "debian/patches/$name"
      applied=$((applied + 1))
    done <"$dest/debian/patches/series"
  fi
  echo "applied $applied Debian patches; skipped:${skipped:- none}"
}

# ---------------------------------------------------------------------------
# Builds. Each runs in a subshell with errexit in force, in the unpacked source
# tree, for architecture $ARCH with tools $TRIPLE-*, installing into $PREFIX;
# its output goes to the library's log.

# OpenSSL 3.0, cut down to what TLS 1.2/1.3 clients with X.509, RSA, ECDSA,
# ECDHE, X25519/Ed25519, AES-GCM, ChaCha20-Poly1305 and SHA-2 need.
# Kept on purpose: ENGINE, UI console and OCSP (libmosquitto calls them),
# DH-less TLS 1.2 via ECDHE, the assembler code (speed on a Pi without AES
# instructions comes from ChaCha20's NEON code), threads (curl's resolver
# thread), deprecated 3.0 APIs (ENGINE is one).
OPENSSL_OPTIONS=(
  no-shared no-module no-legacy no-dso no-comp no-tests
  # Error strings stay (field diagnostics; `no-err` would save ~80 KiB more),
  # their source file names go. No async jobs (only async engines use them),
  # no x86 multi-block TLS 1.2 writes (servers do that, not clients).
  no-filenames no-async no-multiblock
  # Protocols: TLS 1.2 and 1.3 only, no DTLS, no PSK (mosquitto is built
  # without TLS-PSK), no SRP, SRTP, NPN, CT, SSL trace.
  no-ssl3 no-tls1 no-tls1_1 no-dtls no-dgram no-psk no-srp no-srtp
  no-nextprotoneg no-ct no-ssl-trace
  # Ciphers, digests and key types nobody offers a modern TLS client.
  no-idea no-camellia no-seed no-bf no-cast no-rc2 no-rc4 no-rc5 no-des
  no-md4 no-mdc2 no-whirlpool no-rmd160 no-blake2 no-siphash
  no-sm2 no-sm3 no-sm4 no-aria no-gost no-ec2m no-dsa no-dh no-ocb no-siv
  # Message formats and protocols around certificates we do not speak.
  no-cms no-ts no-cmp no-rfc3779 no-scrypt
  # Hardware engines that make no sense in a static gateway binary.
  no-afalgeng no-padlockeng no-capieng no-devcryptoeng no-loadereng
  # P-256 from OpenSSL's constant-time 64-bit C code (ecp_nistp256.c, tables of a
  # few KiB) instead of its assembly, whose precomputed table alone is 150 KiB: the
  # largest object in the firmware, for the few ECDHE and ECDSA operations of a TLS
  # handshake on P-256 (X25519 is offered first). -UECP_NISTZ256_ASM in CFLAGS
  # comes after Configure's -D on each compile line; scripts/firmware-check does a
  # TLS 1.3 handshake on P-256 alone.
  enable-ec_nistp_64_gcc_128
)

build_openssl() {
  ./Configure "$(openssl_target_of "$ARCH")" \
    --prefix="$PREFIX" --libdir=lib --openssldir=/etc/ssl \
    "${OPENSSL_OPTIONS[@]}" \
    CC="$TRIPLE-gcc" AR="$TRIPLE-ar" RANLIB="$TRIPLE-ranlib" \
    CFLAGS="$OPT_CFLAGS -Wall -UECP_NISTZ256_ASM"
  make -j"$JOBS" build_libs
  rm -rf "$PREFIX/include/openssl" "$PREFIX"/lib/lib{crypto,ssl}.a "$PREFIX"/lib/pkgconfig/{libcrypto,libssl,openssl}.pc
  make install_dev
}
openssl_files() { echo include/openssl/ssl.h lib/libcrypto.a lib/libssl.a; }

# libcurl with HTTP(S) over our OpenSSL and nothing else. The source package's
# shipped configure script is used as is (no autoreconf).
CURL_OPTIONS=(
  --disable-shared --enable-static --with-pic
  --disable-dependency-tracking --disable-silent-rules
  --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs
  --without-ca-fallback
  # Protocols: HTTP and HTTPS only.
  --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps
  --disable-dict --disable-gopher --disable-imap --disable-pop3 --disable-smtp
  --disable-rtsp --disable-smb --disable-telnet --disable-tftp --disable-mqtt
  --disable-websockets
  # Features the gateway does not use (it talks to fixed HTTPS endpoints).
  --disable-ntlm --disable-ntlm-wb --disable-tls-srp --disable-netrc
  --disable-alt-svc --disable-hsts --disable-doh --disable-progress-meter
  --disable-get-easy-options --disable-manual --disable-libcurl-option
  --disable-versioned-symbols
  # No other libraries: everything static for two arches would have to be
  # built here too (zlib included; responses are small JSON).
  --without-zlib --without-brotli --without-zstd --without-libidn2
  --without-libpsl --without-nghttp2 --without-nghttp3 --without-ngtcp2
  --without-quiche --without-msh3 --without-hyper --without-libssh2
  --without-libssh --without-wolfssh --without-librtmp --without-libgsasl
  --disable-ares
)
build_curl() {
  # PKG_CONFIG_LIBDIR: only our OpenSSL's .pc files, never the host's.
  ./configure --host="$TRIPLE" --prefix="$PREFIX" \
    --with-openssl="$PREFIX" "${CURL_OPTIONS[@]}" \
    CC="$TRIPLE-gcc" AR="$TRIPLE-ar" RANLIB="$TRIPLE-ranlib" \
    CFLAGS="$OPT_CFLAGS" PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" PKG_CONFIG_PATH=
  make -j"$JOBS" -C lib
  rm -rf "$PREFIX/include/curl" "$PREFIX/lib/libcurl.a" "$PREFIX/lib/pkgconfig/libcurl.pc"
  make -C lib install
  make -C include install
  make install-pkgconfigDATA
  rm -f "$PREFIX/lib/libcurl.la"
}
curl_files() { echo include/curl/curl.h lib/libcurl.a; }

# libmosquitto, the client library alone, single-threaded (our run loop drives
# it through mosquitto_socket/loop_read/loop_write/loop_misc), TLS via our
# OpenSSL. The cross setup comes from a small CMake toolchain file; the x86_64
# build uses one too, so that CMake only ever finds our OpenSSL in $PREFIX.
build_mosquitto() {
  cat >toolchain.cmake <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $ARCH)
set(CMAKE_C_COMPILER $TRIPLE-gcc)
set(CMAKE_FIND_ROOT_PATH $PREFIX)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
  cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE="$PWD/toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_C_FLAGS="$OPT_CFLAGS" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DOPENSSL_ROOT_DIR="$PREFIX" -DOPENSSL_USE_STATIC_LIBS=TRUE \
    -DWITH_STATIC_LIBRARIES=ON -DWITH_PIC=ON \
    -DWITH_TLS=ON -DWITH_TLS_PSK=OFF -DWITH_EC=ON \
    -DWITH_THREADING=OFF -DWITH_SRV=OFF -DWITH_SOCKS=OFF -DWITH_CJSON=OFF \
    -DWITH_BROKER=OFF -DWITH_APPS=OFF -DWITH_CLIENTS=OFF -DWITH_PLUGINS=OFF \
    -DDOCUMENTATION=OFF -DWITH_LIB_CPP=OFF
  cmake --build build --target libmosquitto_static -j "$JOBS" --verbose
  install -m 644 build/lib/libmosquitto_static.a "$PREFIX/lib/libmosquitto.a"
  install -m 644 include/mosquitto.h include/mqtt_protocol.h "$PREFIX/include/"
}
mosquitto_files() { echo include/mosquitto.h include/mqtt_protocol.h lib/libmosquitto.a; }

# cJSON is two C files; its CMake would only add options we do not want.
build_cjson() {
  local cc="$TRIPLE-gcc" ar="$TRIPLE-ar"
  # shellcheck disable=SC2086  # OPT_CFLAGS is a list of flags
  $cc $OPT_CFLAGS -std=c89 -c cJSON.c -o cJSON.o
  # shellcheck disable=SC2086
  $cc $OPT_CFLAGS -std=c89 -c cJSON_Utils.c -o cJSON_Utils.o
  rm -f libcjson.a libcjson_utils.a
  $ar rcs libcjson.a cJSON.o
  $ar rcs libcjson_utils.a cJSON_Utils.o
  install -d "$PREFIX/include/cjson"
  install -m 644 cJSON.h cJSON_Utils.h "$PREFIX/include/cjson/"
  install -m 644 libcjson.a libcjson_utils.a "$PREFIX/lib/"
}
cjson_files() { echo include/cjson/cJSON.h lib/libcjson.a lib/libcjson_utils.a; }

# libmicrohttpd for the dashboard: plain HTTP only (no GnuTLS; a gateway's
# dashboard sits behind the LAN or a TLS proxy), driven through its epoll
# descriptor from our run loop. Kept: epoll, basic auth, suspend/resume (event
# streams). Left out: HTTPS, digest auth, the POST processor, HTTP Upgrade,
# error message strings, poll() support and documentation. The shipped
# configure is used as is (no autoreconf); only the library is built.
LIBMICROHTTPD_OPTIONS=(
  --disable-shared --enable-static --with-pic
  --disable-dependency-tracking --disable-silent-rules
  --disable-nls --disable-doc --disable-examples --disable-curl
  --disable-https --without-gnutls --disable-dauth --disable-postprocessor
  --disable-httpupgrade --disable-messages --disable-thread-names
  --enable-epoll=yes --enable-poll=no --with-threads=posix
)
build_libmicrohttpd() {
  ./configure --host="$TRIPLE" --prefix="$PREFIX" "${LIBMICROHTTPD_OPTIONS[@]}" \
    CC="$TRIPLE-gcc" AR="$TRIPLE-ar" RANLIB="$TRIPLE-ranlib" \
    CFLAGS="$OPT_CFLAGS" PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" PKG_CONFIG_PATH=
  make -j"$JOBS" -C src/microhttpd
  install -m 644 src/microhttpd/.libs/libmicrohttpd.a "$PREFIX/lib/libmicrohttpd.a"
  install -m 644 src/include/microhttpd.h "$PREFIX/include/microhttpd.h"
}
libmicrohttpd_files() { echo include/microhttpd.h lib/libmicrohttpd.a; }

# libzstd for fleet deltas (`fleet rollout --patch-from`, applied by OTA): zstd's
# own size preset (ZSTD_LIB_MINIFY: no legacy formats, one Huffman and one
# sequence decoder, no forced inlining, -Oz), error strings kept (they reach the
# log), no dictionary builder. MOREFLAGS, not CFLAGS: a CFLAGS on the command
# line would replace the preset's flags. Measured against Debian's libzstd.a on
# a 5.5 MB firmware patch at level 19: the same patch bytes in the same time
# (3.2 s on x86_64), and 352 KiB less aarch64 firmware.
build_libzstd() {
  make -C lib libzstd.a -j"$JOBS" CC="$TRIPLE-gcc" AR="$TRIPLE-ar" \
    MOREFLAGS="-ffunction-sections -fdata-sections -fPIC" \
    ZSTD_LIB_MINIFY=1 ZSTD_STRIP_ERROR_STRINGS=0 ZSTD_LIB_DICTBUILDER=0
  install -m 644 lib/libzstd.a "$PREFIX/lib/libzstd.a"
  install -m 644 lib/zstd.h lib/zstd_errors.h lib/zdict.h "$PREFIX/include/"
}
libzstd_files() { echo include/zstd.h lib/libzstd.a; }

# Debian patches we leave out, per package.
excluded_patches() {
  case $1 in
    curl) echo 90_gnutls.patch 99_nss.patch ;;
  esac
}

# ---------------------------------------------------------------------------

mkdir -p "$CACHE/src" "$CACHE/log"
# Two builds at once (two `make` runs) must not race on the same cache.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  say "waiting for another static-libs.sh to finish ($CACHE/.lock)"
  flock 9
fi

script_hash=$(sha256sum "$here/static-libs.sh" | cut -c1-12)

# Resolve every package's version (and fetch what is missing) up front.
declare -A version dsc
for pkg in "${PACKAGES[@]}"; do
  fetch_source "$pkg"
  version[$pkg]=$SRC_VERSION
  dsc[$pkg]=$SRC_DSC
  prune_sources "$pkg"
done

stamp_key() {
  local pkg=$1 deps=""
  case $pkg in curl | mosquitto) deps="openssl=${version[openssl]}" ;; esac
  printf '%s %s %s\n' "$script_hash" "$pkg=${version[$pkg]}" "$deps" | sha256sum | cut -c1-12
}

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

built=0
start_all=$SECONDS
for ARCH in "${ARCHES[@]}"; do
  TRIPLE=$(triple_of "$ARCH")
  PREFIX=$CACHE/$ARCH
  mkdir -p "$PREFIX/include" "$PREFIX/lib"
  for pkg in "${PACKAGES[@]}"; do
    ver=${version[$pkg]}
    stamp=$PREFIX/.stamp-$pkg-${ver//:/_}-$(stamp_key "$pkg")
    fresh=1
    ((force)) && fresh=0
    [[ -f $stamp ]] || fresh=0
    for f in $("${pkg}_files"); do [[ -f $PREFIX/$f ]] || fresh=0; done
    ((fresh)) && continue

    t0=$SECONDS
    log=$CACHE/log/$ARCH-$pkg.log
    work=$CACHE/work/$ARCH/$pkg
    say "building $pkg $ver for $ARCH (log: $log)"
    rm -f "$PREFIX"/.stamp-"$pkg"-*
    SRC_DSC=${dsc[$pkg]}
    # Not `if ! (...)`: bash ignores errexit inside a condition, and a failing
    # step must stop the build. set -x: the log shows every command.
    set +e
    (
      set -e
      # shellcheck disable=SC2046
      unpack_source "$work" $(excluded_patches "$pkg")
      cd "$work"
      set -x
      "build_$pkg"
    ) >"$log" 2>&1
    status=$?
    set -e
    if ((status)); then
      tail -n 40 "$log" >&2
      die "building $pkg for $ARCH failed; full log: $log (sources left in $work)"
    fi
    rm -rf "$work"
    touch "$stamp"
    built=1
    say "built $pkg $ver for $ARCH in $(fmt_time $((SECONDS - t0)))"
  done
done
rm -rf "$CACHE/work"

# The probe runs after any rebuild, and again on every run until it passes
# once, so a failing probe keeps failing the setup instead of being forgotten.
if ((built)); then
  say "static libs built in $(fmt_time $((SECONDS - start_all)))"
  touch "$CACHE/.probe-pending"
fi
if ((check)) || [[ -f $CACHE/.probe-pending ]]; then
  "$here/probe.sh" "${ARCHES[@]}"
  rm -f "$CACHE/.probe-pending"
fi
say "static libs ok ($CACHE)"
