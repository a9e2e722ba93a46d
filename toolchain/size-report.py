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

# Contribution per input, from the linker map's allocated input sections.
groups = defaultdict(int)
section_re = re.compile(r"^ (\.[\w.$-]+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)")
pending = None
kept_prefixes = (".text", ".rodata", ".data", ".bss", ".tbss", ".tdata", ".eh_frame",
                 ".gcc_except_table", ".init_array", ".fini_array", "__libc", ".stapsdt", ".note")
in_discarded = False
with open(mapfile) as f:
    for raw in f:
        if raw.startswith("Discarded input sections"):
            in_discarded = True
            continue
        if raw.startswith("Memory map") or raw.startswith("Linker script and memory map"):
            in_discarded = False
            continue
        if in_discarded:
            continue
        line = raw.rstrip("\n")
        # A long section name sits alone on its line; address, size and file follow.
        if re.match(r"^ \.[\w.$-]+$", line):
            pending = line.strip()
            continue
        m = section_re.match(line)
        if not m:
            pending = None
            continue
        name = m.group(1) or pending
        pending = None
        if not name or not name.startswith(kept_prefixes) or name.startswith(".debug"):
            continue
        size = int(m.group(3), 16)
        source = m.group(4)
        if ".build-fw-" in source:
            mod = re.search(r"/([^/]+)\.build/", source)
            key = "Swift: " + (mod.group(1) if mod else "?")
        elif "libswiftUnicodeDataTables" in source:
            key = "Swift: Unicode data tables"
        else:
            lib = re.search(r"(lib[\w+-]+)\.a", source)
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
