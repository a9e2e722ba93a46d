#!/usr/bin/env python3
"""Writes toolchain/firmware-order.txt: the firmware's functions in the order a running gateway
first executes them, for LLD's --symbol-ordering-file (toolchain/firmware.mk).

Why: the kernel maps a file-backed page fault's whole 64 KiB neighbourhood of already-cached
pages ("fault-around"), so a gateway that touches one function in each 64 KiB of its 4 MiB of
code ends up with all of it resident: the idle gateway's RSS followed the binary's size. Laid
out in first-use order, the code an idle gateway runs sits together at the front of `.text`
and the rest is never mapped.

How: each architecture's unstripped firmware runs under `qemu-<arch>-static -cpu max -d
in_asm` (qemu logs every block of guest code the first time it translates it), once idle
(connected, no service: the order's front) and once with every service on as `make demo` sets
them up (bench/budgets' stacks, their simulators included). Addresses are mapped to symbols;
x86_64 and aarch64 are merged (names differ only in glibc's and OpenSSL's per-CPU variants).
glibc picks string functions per CPU at start (IFUNC), and qemu's CPU is not the board's or
the development machine's, so every variant of a traced IFUNC family is listed with it.

On aarch64 the list includes LLVM's outlined code (`OUTLINED_FUNCTION_<n>`, numbered anew in
every link): those names fit the build they were traced from and only roughly any later one.

A stale order is harmless (LLD places what it finds and ignores the rest); it only lets the
idle RSS creep back up, which `bench/budgets/run.sh` shows. Regenerate after larger changes:
    make firmware-all && toolchain/hot-order.py          (about 4 minutes)
    toolchain/hot-order.py --check build/x86_64/switchyard.debug   (scripts/firmware-check runs it)
"""
import argparse
import bisect
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = os.path.join(ROOT, "toolchain", "firmware-order.txt")
ARCHES = ("x86_64", "aarch64")
NM = {"x86_64": "nm", "aarch64": "aarch64-linux-gnu-nm"}


def load_budgets():
    spec = importlib.util.spec_from_file_location("budgets", os.path.join(ROOT, "bench", "budgets", "budgets.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def functions(binary, arch):
    """(start, size, name) of every defined function, sorted by address; and the IFUNC names."""
    out = subprocess.run([NM[arch], "-S", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    funcs, ifuncs = [], set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            funcs.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        elif len(parts) >= 3 and parts[-2] == "i":
            ifuncs.add(parts[-1])
    funcs.sort()
    return funcs, ifuncs


def elf_header(binary):
    """(architecture as ARCHES names it, entry point address) from the ELF header."""
    out = subprocess.run(["readelf", "-h", binary], check=True, capture_output=True, text=True).stdout
    arch = "aarch64" if "AArch64" in re.search(r"Machine:\s+(.*)", out).group(1) else "x86_64"
    return arch, int(re.search(r"Entry point address:\s+(0x[0-9a-f]+)", out).group(1), 16)


def traced_names(binary, funcs, log):
    """Functions in the order the qemu log first shows them. The log's first block is the ELF
    entry point, which gives the load address of the position-independent binary."""
    entry = elf_header(binary)[1]
    starts = [f[0] for f in funcs]
    base, names, seen = None, [], set()
    with open(log, errors="replace") as f:
        for line in f:
            if not line.startswith("0x"):
                continue
            address = int(line.split(":", 1)[0], 16)
            if base is None:
                base = address - entry
            va = address - base
            i = bisect.bisect_right(starts, va) - 1
            if i >= 0 and va < funcs[i][0] + max(funcs[i][1], 1) and funcs[i][2] not in seen:
                seen.add(funcs[i][2])
                names.append(funcs[i][2])
    return names


def with_ifunc_variants(names, funcs, ifuncs):
    """Adds every variant of a traced glibc IFUNC family (`__memmove_evex_unaligned_erms` and
    its kin when qemu's CPU chose `__memmove_avx_unaligned_erms`), right after the first."""
    family_of, families = {}, {}
    for _, _, name in funcs:
        for fam in ifuncs:
            if name.startswith("__" + fam + "_"):
                family_of[name] = fam
                families.setdefault(fam, []).append(name)
    out, seen = [], set()
    for name in names:
        kin = sorted(families[family_of[name]]) if name in family_of else []
        for member in [name] + kin:
            if member not in seen:
                seen.add(member)
                out.append(member)
    return out


def trace(budgets, arch, services, seconds):
    """Runs the firmware of `arch` under qemu's translation log with `services` for `seconds`
    after `online`; returns the functions it ran, in first-use order."""
    binary = os.path.join(ROOT, "build", arch, "switchyard.debug")
    if not os.path.exists(binary):
        sys.exit("hot-order: %s is missing; run `make firmware-all` first" % binary)
    work = tempfile.mkdtemp(prefix="hot-order-")
    log = os.path.join(work, "in_asm.log")
    wrapper = os.path.join(work, "switchyard")
    qemu = "qemu-%s-static" % arch
    with open(wrapper, "w") as f:
        # Only `run` is traced; `config set` and the rest run plainly.
        f.write('#!/bin/sh\nif [ "$1" = run ]; then exec %s -cpu max -d in_asm,nochain -D %s %s "$@"; fi\n'
                'exec %s %s "$@"\n' % (qemu, log, binary, qemu, binary))
    os.chmod(wrapper, 0o755)
    stack = budgets.Stack(wrapper)
    try:
        for name in services:
            getattr(stack, name)()
        stack.start_gateway()
        time.sleep(seconds)
    finally:
        stack.stop()
    funcs, ifuncs = functions(binary, arch)
    names = with_ifunc_variants(traced_names(binary, funcs, log), funcs, ifuncs)
    subprocess.run(["rm", "-rf", work])
    print("hot-order: %s %s: %d functions" % (arch, "+".join(services) or "idle", len(names)), file=sys.stderr)
    return names


def check(binary):
    """Did the link follow the order, and how much of it does this build still find? Exits 1
    when the ordered functions it has are not laid out in the order's sequence (the linker
    flag lost) or when it finds under half of them (the order is stale: regenerate it)."""
    arch = elf_header(binary)[0]
    order = [l.strip() for l in open(ORDER) if l.strip() and not l.startswith("#")]
    address = {}
    for start, _, name in functions(binary, arch)[0]:
        address.setdefault(name, start)
    found = [address[name] for name in order if name in address]
    # Outlined code is renumbered in every link and exists on aarch64 only: not counted.
    named = [name for name in order if not name.startswith("OUTLINED_FUNCTION_")]
    named_found = sum(1 for name in named if name in address)
    # glibc's objects hold several functions in one section, so a few land before their turn;
    # of the first 500 found, 4 in 5 must rise (a link without the order: about 3 in 5).
    head = found[:500]
    rising = sum(1 for a, b in zip(head, head[1:]) if b > a)
    print("hot-order: %s finds %d of the %d ordered functions (outlined code aside); %d of its first %d in order"
          % (os.path.basename(binary), named_found, len(named), rising + 1, len(head)))
    return 0 if named_found * 2 >= len(named) and rising + 1 >= 0.8 * len(head) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="BINARY", help="check an unstripped firmware's layout against the order")
    parser.add_argument("--idle-seconds", type=float, default=70,
                        help="idle trace after online (default 70: past the first keepalive ping)")
    parser.add_argument("--busy-seconds", type=float, default=30, help="all-services trace after online")
    args = parser.parse_args()
    if args.check:
        sys.exit(check(args.check))
    budgets = load_budgets()
    order, seen = [], set()
    for services, seconds in (((), args.idle_seconds), (budgets.SERVICES, args.busy_seconds)):
        for arch in ARCHES:
            for name in trace(budgets, arch, services, seconds):
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    with open(ORDER, "w") as f:
        f.write("# Generated by toolchain/hot-order.py (see there): the firmware's functions in first-use order,\n"
                "# idle gateway first, then every service on. Input to LLD's --symbol-ordering-file.\n")
        f.write("\n".join(order) + "\n")
    print("hot-order: %d functions -> %s" % (len(order), os.path.relpath(ORDER, ROOT)), file=sys.stderr)


if __name__ == "__main__":
    main()
