"""Prints the Swift modules (dependency order) and C link flags a fuzz target needs.

The target file's first line names the module(s) it exercises (`// modules: CAN`); the rest
comes from Package.swift (`swift package dump-package`), so the dependency graph has one
description. Usage: modules.py TARGET_FILE -> two lines: modules, then -l flags.
"""
import json
import re
import subprocess
import sys

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                    capture_output=True, text=True).stdout)
targets = {t["name"]: t for t in package["targets"]}


def dependencies(name):
    for dep in targets[name].get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in dep:
                yield dep[kind][0]


first = open(sys.argv[1]).readline()
wanted = first.split(":", 1)[1].split() if first.startswith("// modules:") else []
order, seen = [], set()


def visit(name):
    if name in seen:
        return
    seen.add(name)
    for dep in dependencies(name):
        visit(dep)
    order.append(name)


for name in wanted:
    visit(name)
swift_modules = [m for m in order if targets[m]["type"] == "regular"]
links = []
for m in order:
    if targets[m]["type"] == "system":
        path = targets[m].get("path") or f"Sources/{m}"
        links += re.findall(r'link "([^"]+)"', open(f"{path}/module.modulemap").read())
print(" ".join(swift_modules))
print(" ".join(f"-l{lib}" for lib in dict.fromkeys(links)))
