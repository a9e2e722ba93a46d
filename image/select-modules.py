#!/usr/bin/env python3
"""Copies the named kernel modules and everything they depend on out of an unpacked
linux-image package into a root tree, and prints what it copied.

Usage: select-modules.py KERNEL_TREE VERSION DEST_TREE LIST...
KERNEL_TREE holds lib/modules/VERSION with a modules.dep (run `depmod -b` first). Each
LIST file names modules, one a line (`#` comments; a second word such as "load" is
ignored here). A name that is neither a module nor built in fails the build: a typo must
not ship an image without its CAN driver.
"""
import os
import shutil
import sys


def normal(name):
    return name.replace("-", "_")


def main():
    tree, version, dest, lists = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    moddir = os.path.join(tree, "lib/modules", version)
    deps = {}
    by_name = {}
    with open(os.path.join(moddir, "modules.dep")) as dep_file:
        for line in dep_file:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
            by_name[normal(os.path.basename(path)[: -len(".ko")])] = path
    builtin = set()
    with open(os.path.join(moddir, "modules.builtin")) as builtin_file:
        for line in builtin_file:
            builtin.add(normal(os.path.basename(line.strip())[: -len(".ko")]))

    wanted, missing = [], []
    for list_path in lists:
        with open(list_path) as list_file:
            for line in list_file:
                words = line.split("#", 1)[0].split()
                if not words:
                    continue
                name = normal(words[0])
                if name in by_name:
                    wanted.append(by_name[name])
                elif name not in builtin:
                    missing.append(f"{list_path}: {words[0]}")
    if missing:
        sys.exit("select-modules: no such module in " + version + ": " + ", ".join(missing))

    chosen, stack = set(), list(wanted)
    while stack:
        path = stack.pop()
        if path in chosen:
            continue
        chosen.add(path)
        stack.extend(deps[path])
    out_dir = os.path.join(dest, "lib/modules", version)
    for path in sorted(chosen):
        target = os.path.join(out_dir, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(moddir, path), target)
        print(path)
    # modprobe needs these beside the modules; depmod -b rewrites modules.dep for the subset.
    for name in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
        shutil.copy2(os.path.join(moddir, name), os.path.join(out_dir, name))


if __name__ == "__main__":
    main()
