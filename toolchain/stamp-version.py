#!/usr/bin/env python3
"""Sets the version of a built switchyard binary: rewrites its version stamp in place.

The stamp is the string literal `switchyard-version:<version>;` followed by spaces
(Sources/ServiceCatalog/Version.swift). The literal's length is compiled into the code, so the
new version and its `;` must fit in the old version plus the padding; the rest stays spaces.
Usage: stamp-version.py BINARY VERSION
"""
import re
import sys

path, version = sys.argv[1], sys.argv[2]
if not re.fullmatch(r"[0-9]+(\.[0-9]+){0,3}(-[0-9A-Za-z.]+)?", version) or len(version) > 32:
    sys.exit(f"stamp-version: {version!r} is not a version like 1.2.3 or 1.2.3-rc1")
data = bytearray(open(path, "rb").read())
match = re.search(rb"switchyard-version:([0-9A-Za-z.\-]{1,32});( *)", data)
if not match:
    sys.exit(f"stamp-version: no version stamp in {path}")
room = len(match.group(1)) + 1 + len(match.group(2))
new = (version + ";").encode()
if len(new) > room:
    sys.exit(f"stamp-version: {version} does not fit the stamp ({room - 1} characters at most)")
data[match.start(1):match.end(2)] = new + b" " * (room - len(new))
open(path, "wb").write(data)
print(f"stamp-version: {path} is now {version}")
