#!/usr/bin/env python3
"""`make size`: what the firmware is made of, so growth is reviewable.

Prints the stripped binary's sections, the bytes each input (our Swift modules, each C
library, glibc) contributes according to the linker map, and the largest symbols.
Usage: size-report.py STRIPPED UNSTRIPPED MAPFILE
"""
import re
import subprocess
import sys
from collections import defaultdict

stripped, unstripped, mapfile = sys.argv[1:4]
arch_prefix = "aarch64-linux-gnu-" if "aarch64" in stripped else ""


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def swift_module(section):
    """`BLE` for `.text.$e3BLE...` (an Embedded Swift symbol's module), `stdlib` for `$es...`."""
    mangled = re.search(r"\$e(s|\d+)", section)
    if not mangled:
        return "other"
    if mangled.group(1) == "s":
        return "stdlib"
    start, length = mangled.end(), int(mangled.group(1))
    return section[start:start + length] or "other"


def kib(n):
    return f"{n / 1024:9.1f} KiB"


# Sections of the stripped binary (what ships).
print(f"== {stripped}: sections")
total = 0
for line in run(f"{arch_prefix}size", "-A", stripped).splitlines()[2:]:
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
        size = int(parts[1])
        total += size
        if size >= 1024:
            print(f"  {parts[0]:<24}{kib(size)}")
import os
print(f"  {'file size':<24}{kib(os.path.getsize(stripped))}")

# Contribution per input, from LLD's link map: each input section is a line
# `VMA LMA Size Align <indent>file:(section)`, the file an object or `archive(member)`.
# Sections outside the loaded image (debug info, symbol tables) have no address; `.eh_frame`
# is left out because the shipped binary has it stripped (toolchain/firmware.mk).
groups = defaultdict(int)
input_re = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s+(\S.*):\(([^)]*)\)$")
kept_prefixes = (".text", ".rodata", ".data", ".bss", ".tbss", ".tdata",
                 ".gcc_except_table", ".init_array", ".fini_array", "__libc", ".stapsdt", ".note")
with open(mapfile) as f:
    for line in f:
        m = input_re.match(line.rstrip("\n"))
        if not m:
            continue
        address, size, source, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)
        if address == 0 or not name.startswith(kept_prefixes):
            continue
        if ".build-fw-" in source:
            mod = re.search(r"/([^/]+)\.build/", source)
            key = "Swift: " + (mod.group(1) if mod else "?")
        elif source.endswith(".lto.o"):
            # The Swift code is compiled at link time (LTO) into one object; its sections are
            # named after their symbol, whose mangling starts with the module.
            key = "Swift: " + swift_module(name)
        elif "libswiftUnicodeDataTables" in source:
            key = "Swift: Unicode data tables"
        elif source == "<internal>":
            key = "merged strings, GOT, relocs"
        else:
            lib = re.search(r"(lib[\w+-]+)\.a\(", source)
            key = lib.group(1) if lib else ("crt/startup" if source.endswith(".o") else source)
            if key in ("libc", "libpthread", "libdl", "libm", "libgcc", "libgcc_eh"):
                key = "glibc/libgcc"
        groups[key] += size

print("\n== contribution by input (allocated sections, from the linker map)")
for key, size in sorted(groups.items(), key=lambda kv: -kv[1]):
    if size >= 512:
        print(f"  {key:<32}{kib(size)}")
print(f"  {'sum':<32}{kib(sum(groups.values()))}")

# Largest symbols of the unstripped binary.
print("\n== largest symbols")
symbols = []
for line in run(f"{arch_prefix}nm", "--size-sort", "-S", "-C", unstripped).splitlines():
    parts = line.split(None, 3)
    if len(parts) == 4:
        symbols.append((int(parts[1], 16), parts[2], parts[3]))
for size, kind, name in sorted(symbols, reverse=True)[:25]:
    print(f"  {size:8d}  {kind} {name[:100]}")
