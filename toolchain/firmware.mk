# Every compiler and linker flag of the firmware build, in one place.
#
# The firmware is the same Sources/ as the host build, compiled by SwiftPM as Embedded Swift
# for a bare-metal triple (aarch64 has no Swift Linux runtime on this toolchain; Embedded
# needs none) against Debian's glibc headers, then linked -static-pie by gcc with the static
# C libraries toolchain/static-libs.sh builds. SwiftPM's own link step cannot target this, so
# we link its object files ourselves.

ARCH ?= aarch64
SWITCHYARD_CACHE ?= /var/cache/switchyard
FW_PREFIX := $(SWITCHYARD_CACHE)/$(ARCH)
SWIFT_EMBEDDED := /opt/swift/usr/lib/swift/embedded

ifeq ($(ARCH),aarch64)
  FW_TRIPLE := aarch64-none-none-elf
  FW_CC := aarch64-linux-gnu-gcc
  FW_STRIP := aarch64-linux-gnu-strip
  FW_MULTIARCH := aarch64-linux-gnu
  FW_RUN := qemu-aarch64-static
  # The bare-metal triple knows no OS: say Linux and point at the arm64 glibc headers.
  FW_SYSTEM_CFLAGS := -Xcc -D__linux__ -Xcc -D__unix__ \
      -Xcc -I/usr/aarch64-linux-gnu/include -Xcc -I/usr/include/aarch64-linux-gnu -Xcc -I/usr/include
else ifeq ($(ARCH),x86_64)
  FW_TRIPLE := x86_64-unknown-linux-gnu
  FW_CC := gcc
  FW_STRIP := strip
  FW_MULTIARCH := x86_64-linux-gnu
  FW_RUN :=
  FW_SYSTEM_CFLAGS :=
else
  $(error ARCH must be aarch64 or x86_64, not "$(ARCH)")
endif

FW_SCRATCH := .build-fw-$(ARCH)
FW_OBJDIR := $(FW_SCRATCH)/$(FW_TRIPLE)/release
FW_OUT := build/$(ARCH)

# -function-sections lets --gc-sections drop every Swift function nothing calls.
# Link-time optimisation of the Swift code (SwiftPM leaves LLVM bitcode, `llvm-bc` in each
# module's output-file-map, and LLD compiles it all at once): the whole Swift program is
# optimised as one, inlined and merged across modules. Swift code 1,874 -> 1,465 KiB on
# aarch64, 30 s more per link; the C libraries stay native objects.
FW_SWIFTPM_FLAGS := -c release --scratch-path $(FW_SCRATCH) --triple $(FW_TRIPLE) --target switchyard \
    --experimental-lto-mode=full \
    -Xswiftc -enable-experimental-feature -Xswiftc Embedded \
    -Xswiftc -wmo -Xswiftc -Osize \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xcc -I$(FW_PREFIX)/include $(FW_SYSTEM_CFLAGS)

# Our lean builds first (OpenSSL, curl, mosquitto, cJSON, libmicrohttpd, libzstd), then Debian's own
# static archives.
FW_C_LIBS := \
    $(FW_PREFIX)/lib/libmicrohttpd.a \
    $(FW_PREFIX)/lib/libmosquitto.a \
    $(FW_PREFIX)/lib/libcurl.a \
    $(FW_PREFIX)/lib/libssl.a \
    $(FW_PREFIX)/lib/libcrypto.a \
    $(FW_PREFIX)/lib/libcjson.a \
    $(FW_PREFIX)/lib/libzstd.a \
    /usr/lib/$(FW_MULTIARCH)/libbluetooth.a \
    /usr/lib/$(FW_MULTIARCH)/libsocketcan.a \
    /usr/lib/$(FW_MULTIARCH)/libserialport.a

# Embedded Swift has no CommandLine: the entry is a @_cdecl function taking argc/argv
# (Sources/switchyard/main.swift), linked as the C `main`.
#
# Linked by LLD from the Swift toolchain (already required, so nothing new to install), for
# its compact relocations: a static PIE carries one relocation per pointer in its data, 512 KiB
# of `.rela.dyn` with GNU ld; `-z pack-relative-relocs` (DT_RELR, which glibc 2.36's static-PIE
# start-up applies) packs them into 6 KiB. `-B` points gcc at the toolchain's `ld.lld` whether
# or not /opt/swift/usr/bin is on PATH; that directory holds no `as` or `ld` gcc could pick up.
# No `.eh_frame_hdr` (and `.eh_frame` is stripped, FW_STRIP_FLAGS): Embedded Swift never
# unwinds and neither does our C; only glibc's pthread_exit/pthread_cancel would, and nothing
# here calls them. That is 450 KiB of unwind tables the firmware never reads.
# Functions are laid out in the order a running gateway first calls them
# (toolchain/firmware-order.txt, made by toolchain/hot-order.py): the kernel maps the cached
# pages around each fault, 64 KiB of them, so scattered hot code kept all 4 MiB of it resident;
# packed at the front, an idle gateway maps under half. Names the order lists but the
# build lacks are skipped silently: a stale order costs memory, never a link.
SWIFT_BIN := /opt/swift/usr/bin
FW_ORDER := toolchain/firmware-order.txt
FW_LDFLAGS := -B$(SWIFT_BIN) -fuse-ld=lld -static-pie -Wl,--gc-sections -Wl,--defsym,main=switchyard_entry \
    -Wl,-z,pack-relative-relocs -Wl,--no-eh-frame-hdr \
    -Wl,--symbol-ordering-file=$(FW_ORDER) -Wl,--no-warn-symbol-ordering \
    -Wl,-Map,$(FW_OUT)/switchyard.map -Wl,-z,noexecstack
FW_STRIP_FLAGS := -s -R .eh_frame
# Our fix for a Swift 6.3 Embedded runtime bug (see the file), compiled with the firmware's C
# compiler and linked before the Swift objects' weak definitions it replaces.
FW_RUNTIME_FIX := $(FW_OUT)/embedded-runtime-fix.o
FW_LDLIBS := $(FW_C_LIBS) $(SWIFT_EMBEDDED)/$(FW_TRIPLE)/libswiftUnicodeDataTables.a -lm -lpthread -ldl
