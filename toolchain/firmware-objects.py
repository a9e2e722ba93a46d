#!/usr/bin/env python3
"""Lists the object files of the current firmware build, one per line.

SwiftPM leaves the object of a deleted or renamed source file behind in its scratch
directory; linking every *.o found there would then define symbols twice. Each module's
output-file-map.json names the objects of the sources it was built from: we take those
whose source still exists.  Usage: firmware-objects.py OBJDIR
"""
import glob
import json
import os
import sys

objects = []
for mapfile in sorted(glob.glob(os.path.join(sys.argv[1], "*.build", "output-file-map.json"))):
    with open(mapfile) as f:
        entries = json.load(f)
    for source, outputs in entries.items():
        # LLVM bitcode when the firmware is built with LTO (toolchain/firmware.mk).
        obj = outputs.get("object") or outputs.get("llvm-bc")
        if source and obj and os.path.exists(source) and os.path.exists(obj):
            objects.append(obj)
print("\n".join(objects))
