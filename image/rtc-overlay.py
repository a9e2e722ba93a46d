#!/usr/bin/env python3
"""Writes overlays/switchyard-rtc-ds3231.dtbo for the Pi images: a DS3231 real-time clock at
address 0x68 on the header's I2C bus (GPIO 2/3), enabled with `dtoverlay=switchyard-rtc-ds3231`
in config.txt.

Why our own: Raspberry Pi OS's i2c-rtc overlay names its target by label (&i2c_arm), which the
firmware resolves through the base device tree's __symbols__. Debian's mainline device trees
(bcm2837-rpi-*.dtb, bcm2711-rpi-*.dtb) carry no symbols and call that bus i2c1, so ours names
it by path (target-path = /soc/i2c@7e804000, enabled with pins and 100 kHz in those trees) and
needs neither symbols nor fixups. The rtc-ds1307 driver (built into Debian's kernel) binds
"maxim,ds3231".

The flattened device tree format (version 17) is the Devicetree Specification's, chapter 5.
Usage: image/rtc-overlay.py OUTPUT.dtbo   |   image/rtc-overlay.py --dump FILE.dtbo
"""
import struct
import sys

BUS = "/soc/i2c@7e804000"
ADDRESS = 0x68
BEGIN_NODE, END_NODE, PROP, END = 1, 2, 3, 9


def overlay():
    """The overlay as nested (name, [(property, bytes)], [children])."""
    def text(value):
        return value.encode() + b"\0"
    rtc = (f"rtc@{ADDRESS:x}", [("compatible", text("maxim,ds3231")), ("reg", struct.pack(">I", ADDRESS))], [])
    # The bus's own cell sizes (1 and 0), restated so the overlay reads on its own (dtc).
    cells = [("#address-cells", struct.pack(">I", 1)), ("#size-cells", struct.pack(">I", 0))]
    fragment = ("fragment@0", [("target-path", text(BUS))], [("__overlay__", cells, [rtc])])
    return ("", [("compatible", text("brcm,bcm2835"))], [fragment])


def flatten(tree):
    structure, strings, offsets = bytearray(), bytearray(), {}

    def pad():
        while len(structure) % 4:
            structure.append(0)

    def node(name, props, children):
        structure.extend(struct.pack(">I", BEGIN_NODE) + name.encode() + b"\0")
        pad()
        for key, value in props:
            if key not in offsets:
                offsets[key] = len(strings)
                strings.extend(key.encode() + b"\0")
            structure.extend(struct.pack(">III", PROP, len(value), offsets[key]) + value)
            pad()
        for child in children:
            node(*child)
        structure.extend(struct.pack(">I", END_NODE))

    node(*tree)
    structure.extend(struct.pack(">I", END))
    reserve = bytes(16)  # an empty memory reservation map: one zero entry
    header_size = 40
    off_reserve = header_size
    off_struct = off_reserve + len(reserve)
    off_strings = off_struct + len(structure)
    total = off_strings + len(strings)
    header = struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, off_reserve, 17, 16, 0,
                         len(strings), len(structure))
    return header + reserve + bytes(structure) + bytes(strings)


def dump(blob):
    """Lines `path property value` of a flattened tree, for checks (check_images.py)."""
    magic, total, off_struct, off_strings = struct.unpack(">4I", blob[:16])
    if magic != 0xD00DFEED or total != len(blob):
        raise ValueError("not a flattened device tree")
    lines, path, at = [], [], off_struct
    while True:
        token, = struct.unpack(">I", blob[at:at + 4])
        at += 4
        if token == BEGIN_NODE:
            end = blob.index(b"\0", at)
            path.append(blob[at:end].decode())
            at = (end + 4) & ~3
        elif token == PROP:
            size, name_at = struct.unpack(">II", blob[at:at + 8])
            value = blob[at + 8:at + 8 + size]
            at = (at + 8 + size + 3) & ~3
            name = blob[off_strings + name_at:blob.index(b"\0", off_strings + name_at)].decode()
            text = value[:-1]
            printable = value.endswith(b"\0") and text[:1] > b" " and all(32 <= c < 127 or c == 0 for c in text)
            shown = text.replace(b"\0", b" ").decode("ascii") if printable else value.hex()
            lines.append(("/".join(path) or "/") + " " + name + " " + shown)
        elif token == END_NODE:
            path.pop()
        elif token == END:
            return lines
        elif token != 4:  # 4 is a no-op
            raise ValueError(f"bad token {token} at {at - 4}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        with open(sys.argv[2], "rb") as f:
            print("\n".join(dump(f.read())))
    elif len(sys.argv) == 2:
        with open(sys.argv[1], "wb") as f:
            f.write(flatten(overlay()))
    else:
        sys.exit(__doc__)
