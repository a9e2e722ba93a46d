#!/usr/bin/env python3
"""Writes Tests/BLETests/Resources/ble-corpus.tsv: our own BLE advert corpus.

Each advert is *built* from chosen physical values by encoding them the way each format's
published layout says (bthome.io's object table, the vendors' documents, see
docs/ble-sensors.md); the expected values are the chosen ones. The decoder is never run here.
Lines: label <TAB> address <TAB> advertising data (hex) <TAB> expectation, where the
expectation is space-separated tokens: `format:NAME`, `key=number`, `key="text"`,
`undecoded:HEX`, `failure:REASON`, `none` (no decoder claims it) or `unparsable` (bad AD).
Encrypted adverts use KEY for the device at their address.
"""
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESCCM

KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
ADDR = "A4:C1:38:01:02:03"
rows = []


def ad(*structures):
    out = b""
    for kind, payload in structures:
        out += bytes([len(payload) + 1, kind]) + payload
    return out


def service(uuid, payload):
    return (0x16, struct.pack("<H", uuid) + payload)


def maker(company, payload):
    return (0xFF, struct.pack("<H", company) + payload)


def name(text):
    return (0x09, text.encode())


def fmt(value):
    if isinstance(value, str):
        return '"' + value + '"'
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def row(label, data, expect, address=ADDR):
    tokens = []
    for key, value in expect:
        if key in ("format", "failure", "undecoded"):
            tokens.append(key + ":" + value)
        elif key in ("none", "unparsable"):
            tokens.append(key)
        else:
            tokens.append(key + "=" + fmt(value))
    rows.append("\t".join([label, address, data.hex(), " ".join(tokens)]))


def mac_display(address):
    return bytes.fromhex(address.replace(":", ""))


# --- BTHome v2: every object id of bthome.io's table, each at a normal and an edge value ---
# (id, key, size, signed, factor)
NUMERIC = [
    (0x00, "packet_id", 1, False, 1), (0x01, "battery", 1, False, 1), (0x02, "temperature", 2, True, 0.01),
    (0x03, "humidity", 2, False, 0.01), (0x04, "pressure", 3, False, 0.01), (0x05, "illuminance", 3, False, 0.01),
    (0x06, "mass", 2, False, 0.01), (0x07, "mass_lb", 2, False, 0.01), (0x08, "dew_point", 2, True, 0.01),
    (0x09, "count", 1, False, 1), (0x0A, "energy", 3, False, 0.001), (0x0B, "power", 3, False, 0.01),
    (0x0C, "voltage", 2, False, 0.001), (0x0D, "pm25", 2, False, 1), (0x0E, "pm10", 2, False, 1),
    (0x12, "co2", 2, False, 1), (0x13, "tvoc", 2, False, 1), (0x14, "moisture", 2, False, 0.01),
    (0x2E, "humidity", 1, False, 1), (0x2F, "moisture", 1, False, 1), (0x3D, "count", 2, False, 1),
    (0x3E, "count", 4, False, 1), (0x3F, "rotation", 2, True, 0.1), (0x40, "distance", 2, False, 1),
    (0x41, "distance_m", 2, False, 0.1), (0x42, "duration", 3, False, 0.001), (0x43, "current", 2, False, 0.001),
    (0x44, "speed", 2, False, 0.01), (0x45, "temperature", 2, True, 0.1), (0x46, "uv_index", 1, False, 0.1),
    (0x47, "volume", 2, False, 0.1), (0x48, "volume_ml", 2, False, 1), (0x49, "volume_flow_rate", 2, False, 0.001),
    (0x4A, "voltage", 2, False, 0.1), (0x4B, "gas", 3, False, 0.001), (0x4C, "gas", 4, False, 0.001),
    (0x4D, "energy", 4, False, 0.001), (0x4E, "volume", 4, False, 0.001), (0x4F, "water", 4, False, 0.001),
    (0x50, "timestamp", 4, False, 1), (0x51, "acceleration", 2, False, 0.001), (0x52, "gyroscope", 2, False, 0.001),
    (0x55, "volume_storage", 4, False, 0.001), (0x56, "conductivity", 2, False, 1), (0x57, "temperature", 1, True, 1),
    (0x58, "temperature", 1, True, 0.35), (0x59, "count", 1, True, 1), (0x5A, "count", 2, True, 1),
    (0x5B, "count", 4, True, 1), (0x5C, "power", 4, True, 0.01), (0x5D, "current", 2, True, 0.001),
    (0x5E, "direction", 2, False, 0.01), (0x5F, "precipitation", 2, False, 0.1), (0x60, "channel", 1, False, 1),
    (0x61, "rotational_speed", 2, False, 1), (0x62, "speed", 4, True, 0.000001), (0x63, "acceleration", 4, True, 0.000001),
    (0x64, "light_level", 1, False, 1), (0x65, "settings_revision", 1, False, 1), (0xF0, "device_type_id", 2, False, 1),
]
BINARY = [
    (0x0F, "generic"), (0x10, "power_on"), (0x11, "opening"), (0x15, "battery_low"), (0x16, "battery_charging"),
    (0x17, "carbon_monoxide"), (0x18, "cold"), (0x19, "connectivity"), (0x1A, "door"), (0x1B, "garage_door"),
    (0x1C, "gas_detected"), (0x1D, "heat"), (0x1E, "light"), (0x1F, "lock"), (0x20, "moisture_detected"),
    (0x21, "motion"), (0x22, "moving"), (0x23, "occupancy"), (0x24, "plug"), (0x25, "presence"), (0x26, "problem"),
    (0x27, "running"), (0x28, "safety"), (0x29, "smoke"), (0x2A, "sound"), (0x2B, "tamper"), (0x2C, "vibration"),
    (0x2D, "window"),
]


def bthome(objects, info=0x40):
    return ad((0x01, b"\x06"), service(0xFCD2, bytes([info]) + objects))


def scaled(raw, factor):
    # The layout's value: raw x factor, written as raw / (1 / factor) for the decimal factors.
    return raw * factor if factor in (1, 0.35) else raw / round(1 / factor)


for oid, key, size, signed, factor in NUMERIC:
    if signed:
        normal = -(3 ** (size * 4)) % (1 << (8 * size - 1)) * -1 or -1
        edges = [normal, -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1]
    else:
        edges = [(7 ** (size * 3)) % (1 << (8 * size)), (1 << (8 * size)) - 1]
    for index, raw in enumerate(edges):
        encoded = raw.to_bytes(size, "little", signed=signed)
        row("bthome %02x %s #%d" % (oid, key, index), bthome(bytes([oid]) + encoded),
            [("format", "bthome_v2"), (key, scaled(raw, factor))])
for oid, key in BINARY:
    for raw in (1, 0):
        row("bthome %02x %s=%d" % (oid, key, raw), bthome(bytes([oid, raw])), [("format", "bthome_v2"), (key, raw)])

EVENTS = {0x00: "none", 0x01: "press", 0x02: "double_press", 0x03: "triple_press", 0x04: "long_press",
          0x05: "long_double_press", 0x06: "long_triple_press", 0x80: "hold_press", 0x81: "hold_release", 0x42: "unknown"}
for code, event in EVENTS.items():
    row("bthome 3a button %s" % event, bthome(bytes([0x3A, code])), [("format", "bthome_v2"), ("button", event)])
row("bthome 3b command on with argument", bthome(bytes([0x3B, 0x01, 0x01, 0x05])), [("format", "bthome_v2"), ("command", "on")])
row("bthome 3b command step_down", bthome(bytes([0x3B, 0x00, 0x04])), [("format", "bthome_v2"), ("command", "step_down")])
row("bthome 3c dimmer left 3", bthome(bytes([0x3C, 0x01, 0x03])),
    [("format", "bthome_v2"), ("dimmer", "rotate_left"), ("dimmer_steps", 3)])
row("bthome 3c dimmer right 255", bthome(bytes([0x3C, 0x02, 0xFF])),
    [("format", "bthome_v2"), ("dimmer", "rotate_right"), ("dimmer_steps", 255)])
row("bthome 53 text", bthome(bytes([0x53, 0x05]) + b"Hello"), [("format", "bthome_v2"), ("text", "Hello")])
row("bthome 53 text then temperature", bthome(bytes([0x53, 0x03]) + b"abc" + bytes([0x57, 0xEC])),
    [("format", "bthome_v2"), ("text", "abc"), ("temperature", -20)])
row("bthome 54 raw", bthome(bytes([0x54, 0x03, 0xAA, 0xBB, 0xCC])), [("format", "bthome_v2"), ("raw", "aabbcc")])
row("bthome 54 raw of 1", bthome(bytes([0x54, 0x01, 0x00])), [("format", "bthome_v2"), ("raw", "00")])
row("bthome f1 firmware 4", bthome(bytes([0xF1, 0x00, 0x01, 0x02, 0x04])), [("format", "bthome_v2"), ("firmware_version", "4.2.1.0")])
row("bthome f2 firmware 3", bthome(bytes([0xF2, 0x00, 0x01, 0x06])), [("format", "bthome_v2"), ("firmware_version", "6.1.0")])

# Structure: repeats, unknown ids, truncation, MAC included, encryption, v1.
row("bthome repeated temperatures", bthome(bytes([0x02, 0xCA, 0x09, 0x02, 0xBE, 0x0A, 0x45, 0x13, 0x01])),
    [("format", "bthome_v2"), ("temperature", 25.06), ("temperature_2", 27.5), ("temperature_3", 27.5)])
row("bthome four buttons", bthome(bytes([0x3A, 0x01, 0x3A, 0x00, 0x3A, 0x02, 0x3A, 0x81])),
    [("format", "bthome_v2"), ("button", "press"), ("button_2", "none"), ("button_3", "double_press"), ("button_4", "hold_release")])
row("bthome shelly-like packet id, battery, illuminance, window, rotation",
    bthome(bytes([0x00, 0x5C, 0x01, 0x64, 0x05, 0x10, 0x27, 0x00, 0x2D, 0x01, 0x3F, 0x84, 0x03])),
    [("format", "bthome_v2"), ("packet_id", 92), ("battery", 100), ("illuminance", 100), ("window", 1), ("rotation", 90)])
row("bthome unknown id keeps what came before", bthome(bytes([0x01, 0x50, 0x12, 0xE2, 0x04, 0x70, 0x01, 0x02])),
    [("format", "bthome_v2"), ("battery", 80), ("co2", 1250), ("undecoded", "700102")])
row("bthome unknown id first", bthome(bytes([0x7F, 0x01])), [("format", "bthome_v2"), ("undecoded", "7f01")])
row("bthome truncated after values", bthome(bytes([0x01, 0x50, 0x02, 0xC4])),
    [("format", "bthome_v2"), ("battery", 80), ("undecoded", "02c4")])
row("bthome truncated text", bthome(bytes([0x01, 0x50, 0x53, 0x09, 0x41])),
    [("format", "bthome_v2"), ("battery", 80), ("undecoded", "530941")])
row("bthome command without its length byte", bthome(bytes([0x01, 0x50, 0x3B])),
    [("format", "bthome_v2"), ("battery", 80), ("undecoded", "3b")])
row("bthome text without its length byte", bthome(bytes([0x53])), [("failure", "malformed")])
row("bthome truncated only", bthome(bytes([0x02, 0xC4])), [("failure", "malformed")])
row("bthome empty", ad(service(0xFCD2, b"")), [("failure", "malformed")])
row("bthome version 3", bthome(bytes([0x02, 0xC4, 0x09]), info=0x60), [("failure", "unsupportedVersion")])
row("bthome info only", bthome(b""), [("format", "bthome_v2")])
row("bthome mac included", bthome(bytes(reversed(mac_display("11:22:33:44:55:66"))) + bytes([0x02, 0x00, 0x80]), info=0x42),
    [("format", "bthome_v2"), ("temperature", -327.68)])
row("bthome mac included but short", bthome(bytes([0x01, 0x02]), info=0x42), [("failure", "malformed")])


def bthome_encrypted(objects, counter, address=ADDR, info=0x41, flip=False):
    nonce = mac_display(address) + b"\xd2\xfc" + bytes([info]) + struct.pack("<I", counter)
    sealed = AESCCM(KEY, tag_length=4).encrypt(nonce, objects, None)
    body, mic = sealed[:-4], bytearray(sealed[-4:])
    if flip:
        mic[0] ^= 1
    return bthome(body + struct.pack("<I", counter) + bytes(mic), info=info)


row("bthome encrypted temperature humidity", bthome_encrypted(bytes([0x02, 0xC4, 0x09, 0x03, 0xBF, 0x13]), 0x00112233),
    [("format", "bthome_v2_encrypted"), ("temperature", 25), ("humidity", 50.55)])
row("bthome encrypted every binary", bthome_encrypted(bytes([0x1A, 0x01, 0x21, 0x00, 0x2D, 0x01]), 7),
    [("format", "bthome_v2_encrypted"), ("door", 1), ("motion", 0), ("window", 1)])
row("bthome encrypted forged mic", bthome_encrypted(bytes([0x02, 0xC4, 0x09]), 9, flip=True), [("failure", "authentication")])
row("bthome encrypted too short", bthome(bytes([0x01, 0x02, 0x03]), info=0x41), [("failure", "malformed")])


def v1(objects):
    return ad(service(0x181C, objects))


row("bthome v1 temperature humidity", v1(bytes([0x23, 0x02, 0xC4, 0x09, 0x03, 0x03, 0xBF, 0x13])),
    [("format", "bthome_v1"), ("temperature", 25), ("humidity", 50.55)])
row("bthome v1 signed rotation, float temperature", v1(bytes([0x23, 0x3F, 0x1A, 0xFF]) + bytes([0x45, 0x02]) + struct.pack("<f", -1250.0)),
    [("format", "bthome_v1"), ("rotation", -23), ("temperature", -12.5)])
row("bthome v1 text and unknown id skipped", v1(bytes([0x64, 0x53]) + b"abc" + bytes([0x02, 0x77, 0x09, 0x02, 0x01, 0x61])),
    [("format", "bthome_v1"), ("text", "abc"), ("battery", 97)])
row("bthome v1 truncated", v1(bytes([0x02, 0x01, 0x61, 0x23, 0x02, 0xC4])),
    [("format", "bthome_v1"), ("battery", 97), ("undecoded", "2302c4")])
nonce = mac_display(ADDR) + b"\x1e\x18" + struct.pack("<I", 0x33)
sealed = AESCCM(KEY, tag_length=4).encrypt(nonce, bytes([0x23, 0x02, 0xCA, 0x09, 0x03, 0x03, 0xBF, 0x13]), b"\x11")
row("bthome v1 encrypted", ad(service(0x181E, sealed[:-4] + struct.pack("<I", 0x33) + sealed[-4:])),
    [("format", "bthome_v1_encrypted"), ("temperature", 25.06), ("humidity", 50.55)])

# --- Fixed-layout families ---
wire = bytes(reversed(mac_display(ADDR)))
for temp, hum, batt, mv, cnt in ((23.4, 45, 87, 2950, 7), (-12.7, 100, 0, 2100, 255)):
    p = mac_display(ADDR) + struct.pack(">hBBHB", round(temp * 10), hum, batt, mv, cnt)
    row("atc1441 %s" % temp, ad(service(0x181A, p)),
        [("format", "atc1441"), ("temperature", temp), ("humidity", hum), ("battery", batt), ("voltage", mv / 1000), ("packet_id", cnt)])
for temp, hum, mv, batt, cnt in ((21.37, 48.01, 3001, 92, 200), (-40.0, 0.0, 1999, 1, 0), (327.67, 99.99, 65535, 100, 1)):
    p = wire + struct.pack("<hHHBBB", round(temp * 100), round(hum * 100), mv, batt, cnt, 4)
    row("pvvx %s" % temp, ad(service(0x181A, p)),
        [("format", "pvvx"), ("temperature", temp), ("humidity", hum), ("voltage", mv / 1000), ("battery", batt), ("packet_id", cnt)])
p = wire + struct.pack("<hHHBB", -512, 10000, 2800, 55, 9)
row("pvvx without flags -5.12", ad(service(0x181A, p)),
    [("format", "pvvx"), ("temperature", -5.12), ("humidity", 100), ("voltage", 2.8), ("battery", 55), ("packet_id", 9)])
row("0x181a of an unknown length", ad(service(0x181A, bytes(12))), [("none", "")])


# pvvx firmware's encrypted 0x181A beacons (custom_beacon.h): counter | ciphertext | MIC (4);
# nonce = MAC wire order | AD length (payload + 3), 0x16, 1A 18, counter; associated data 0x11.
def pvvx_encrypted(counter, plain, flip=False, cut=0):
    length = 1 + len(plain) + 4
    nonce = wire + bytes([length + 3, 0x16, 0x1A, 0x18, counter])
    sealed = bytearray(AESCCM(KEY, tag_length=4).encrypt(nonce, plain, b"\x11"))
    if flip:
        sealed[-1] ^= 0x80
    payload = bytes([counter]) + bytes(sealed)
    return ad(service(0x181A, payload[:len(payload) - cut]))


for temp, hum, batt, flags, cnt in ((22.53, 41.27, 88, 0x00, 0x10), (-30.05, 0.0, 0, 0x1B, 0xFF), (-327.68, 655.35, 100, 0x01, 0x00)):
    row("pvvx encrypted %s" % temp, pvvx_encrypted(cnt, struct.pack("<hHBB", round(temp * 100), round(hum * 100), batt, flags)),
        [("format", "pvvx_encrypted"), ("temperature", temp), ("humidity", hum), ("battery", batt), ("packet_id", cnt)])
row("pvvx encrypted forged", pvvx_encrypted(0x11, struct.pack("<hHBB", 2000, 5000, 50, 0), flip=True), [("failure", "authentication")])
# One byte short is 10 bytes: no layout of 0x181A has that length, so nothing claims it.
row("pvvx encrypted truncated", pvvx_encrypted(0x12, struct.pack("<hHBB", 2000, 5000, 50, 0), cut=1), [("none", "")])
for temp, hum, batt, trigger, cnt in ((21.5, 45.5, 77, False, 0x20), (-40.0, 99.5, 5, True, 0x80), (87.5, 0.0, 100, False, 0x01)):
    raw = bytes([round((temp + 40) * 2), round(hum * 2), batt | (0x80 if trigger else 0)])
    row("atc1441 encrypted %s" % temp, pvvx_encrypted(cnt, raw),
        [("format", "atc1441_encrypted"), ("temperature", temp), ("humidity", hum), ("battery", batt), ("packet_id", cnt)])
row("atc1441 encrypted forged", pvvx_encrypted(0x21, bytes([120, 90, 50]), flip=True), [("failure", "authentication")])
row("atc1441 encrypted truncated", pvvx_encrypted(0x22, bytes([120, 90, 50]), cut=1), [("none", "")])
for version, divisor, flags, lux in ((1, 1000, 0x10, None), (2, 100, 0x21, 5120)):
    temp_raw = 21500 if divisor == 1000 else 2150
    p = bytes([flags | 0x00, 0x05]) + struct.pack(">hhHH", 3100, temp_raw, 32768, 65535) + mac_display(ADDR)
    if lux is not None:
        p += struct.pack(">H", lux)
    expect = [("format", "b_parasite"), ("voltage", 3.1), ("temperature", 21.5), ("humidity", 32768 / 655.35), ("moisture", 100)]
    if lux is not None:
        expect.append(("illuminance", lux))
    row("b-parasite v%d" % version, ad(service(0x181A, p)), expect)

for hum2, tint, tfrac, neg, pres, acc, mv in ((100, 21, 50, False, 51325, (1000, -1000, 0), 2899),
                                             (0, 12, 7, True, 0, (-32768, 32767, 5), 3300)):
    p = bytes([3, hum2, tint | (0x80 if neg else 0), tfrac]) + struct.pack(">Hhhh", pres, *acc) + struct.pack(">H", mv)
    temp = (tint + tfrac / 100) * (-1 if neg else 1)
    row("ruuvi 3 %s" % temp, ad(maker(0x0499, p)),
        [("format", "ruuvi_v3"), ("humidity", hum2 / 2), ("temperature", temp), ("pressure", (pres + 50000) / 100),
         ("acceleration_x", acc[0]), ("acceleration_y", acc[1]), ("acceleration_z", acc[2]), ("voltage", mv / 1000)])
ruuvi5 = bytes.fromhex("0512FC5394C37C0004FFFC040CAC364200CDCBB8334C884F")
row("ruuvi 5 reference", ad(maker(0x0499, ruuvi5)),
    [("format", "ruuvi_v5"), ("temperature", 24.3), ("humidity", 53.49), ("pressure", 1000.44), ("acceleration_x", 4),
     ("acceleration_y", -4), ("acceleration_z", 1036), ("voltage", 2.977), ("tx_power", 4), ("movement_counter", 66),
     ("sequence", 205)])
invalid5 = bytes([5]) + bytes.fromhex("8000ffffffff800080008000ffffffffff") + mac_display(ADDR)
row("ruuvi 5 every field invalid", ad(maker(0x0499, invalid5)), [("format", "ruuvi_v5")])
row("ruuvi 5 one byte short", ad(maker(0x0499, ruuvi5[:-1])), [("none", "")])


def govee_packed(temp, hum, bits=24, split=1000):
    value = round(abs(temp) * 10) * split + round(hum * 10) * (split // 1000)
    if temp < 0:
        value |= 1 << (bits - 1)
    return value


for temp, hum, batt in ((23.4, 45.6, 88), (-5.2, 60.1, 5)):
    row("govee h5075 %s" % temp, ad(maker(0xEC88, b"\x00" + govee_packed(temp, hum).to_bytes(3, "big") + bytes([batt, 0]))),
        [("format", "govee"), ("temperature", temp), ("humidity", hum), ("battery", batt)])
    row("govee h5102 %s" % temp, ad(name("GVH5102_ABCD"), maker(0x0001, b"\x01\x01" + govee_packed(temp, hum).to_bytes(3, "big") + bytes([batt]))),
        [("format", "govee"), ("temperature", temp), ("humidity", hum), ("battery", batt)])
row("govee h5102 layout without its name", ad(maker(0x0001, b"\x01\x01\x03\x93\x20\x55")), [("none", "")])
for temp, hum, batt in ((22.05, 40.5, 100), (-20.48, 0.0, 1)):
    row("govee h5074 %s" % temp, ad(maker(0xEC88, b"\x00" + struct.pack("<hHB", round(temp * 100), round(hum * 100), batt) + b"\x02")),
        [("format", "govee"), ("temperature", temp), ("humidity", hum), ("battery", batt)])
    row("govee h5179 %s" % temp, ad(maker(0x8801, b"\xec\x00\x01\x01" + struct.pack("<hHB", round(temp * 100), round(hum * 100), batt))),
        [("format", "govee"), ("temperature", temp), ("humidity", hum), ("battery", batt)])
for temp, hum, pm in ((21.5, 45.6, 12), (-3.2, 99.9, 999)):
    packed = round(abs(temp) * 10) * 1_000_000 + round(hum * 10) * 1000 + pm
    if temp < 0:
        packed |= 1 << 31
    row("govee h5106 %s" % temp, ad(name("GVH5106_1234"), maker(0x0001, b"\x01\x01" + packed.to_bytes(4, "big"))),
        [("format", "govee"), ("temperature", temp), ("humidity", hum), ("pm25", pm)])

for temp, hum, batt in ((23.45, 56.78, 90), (-10.5, None, 15)):
    body = struct.pack("<hH", round(temp * 100), 0xFFFF if hum is None else round(hum * 100)) + bytes([0, 0x2A, 0x3B, batt, 8])
    expect = [("format", "inkbird"), ("temperature", temp)] + ([] if hum is None else [("humidity", hum)]) + [("battery", batt)]
    row("inkbird ibs-th %s" % temp, ad(name("sps"), (0xFF, body)), expect)
row("inkbird ibt-2x one probe", ad(name("iBBQ"), maker(0x0000, b"\x00\x00" + wire + struct.pack("<HH", 215, 0xFFF6))),
    [("format", "inkbird"), ("temperature", 21.5)])
row("inkbird ibt-2x two probes", ad(name("iBBQ"), maker(0x0000, b"\x00\x00" + wire + struct.pack("<HH", 2500, 0)),),
    [("format", "inkbird"), ("temperature", 250), ("temperature_2", 0)])

for kind in (0x54, 0x69):
    for temp, hum, batt in ((21.7, 55, 95), (-3.4, 99, 100)):
        whole, tenth = int(abs(temp)), round(abs(temp) * 10) % 10
        p = bytes([kind, 0x00, 0x80 | batt, tenth, whole | (0x80 if temp > 0 else 0), hum])
        row("switchbot meter %02x %s" % (kind, temp), ad(service(0xFD3D, p)),
            [("format", "switchbot"), ("battery", batt), ("temperature", temp), ("humidity", hum)])
row("switchbot meter old uuid", ad(service(0x0D00, bytes([0x54, 0x00, 0x64, 0x05, 0x80 | 19, 40]))),
    [("format", "switchbot"), ("battery", 100), ("temperature", 19.5), ("humidity", 40)])
row("switchbot contact open, motion, bright", ad(service(0xFD3D, bytes([0x64, 0x40, 0x55, 0x03, 0, 0, 0, 0, 0]))),
    [("format", "switchbot"), ("motion", 1), ("battery", 85), ("opening", 1), ("light", 1)])
row("switchbot contact closed, still, dark", ad(service(0xFD3D, bytes([0x64, 0x00, 0x0A, 0x00, 0, 0, 0, 0, 0]))),
    [("format", "switchbot"), ("motion", 0), ("battery", 10), ("opening", 0), ("light", 0)])
row("switchbot motion detected dark", ad(service(0xFD3D, bytes([0x73, 0x40, 0x64, 0, 0, 0x00]))),
    [("format", "switchbot"), ("motion", 1), ("battery", 100), ("light", 0)])
row("switchbot motion none bright", ad(service(0xFD3D, bytes([0x73, 0x00, 0x32, 0, 0, 0x02]))),
    [("format", "switchbot"), ("motion", 0), ("battery", 50), ("light", 1)])
for temp, hum in ((12.3, 67), (-18.9, 20)):
    whole, tenth = int(abs(temp)), round(abs(temp) * 10) % 10
    m = wire + bytes([0, 0, tenth, whole | (0x80 if temp > 0 else 0), hum, 0])
    row("switchbot outdoor %s" % temp, ad(service(0xFD3D, bytes([0x77, 0x00, 0xE4])), maker(0x0969, m)),
        [("format", "switchbot"), ("battery", 100), ("temperature", temp), ("humidity", hum)])
row("switchbot unknown type", ad(service(0xFD3D, bytes([0x21, 0, 0, 0, 0, 0]))), [("none", "")])

for co2, temp, pres, hum, batt in ((812, 22.45, 1013.2, 41, 87), (400, -1.5, 950.0, 100, 3)):
    m = bytes([0x21, 0x04, 0x03, 0x01, 0x00, 0x0C, 0x0F, 0x01]) + struct.pack("<hhHBB", co2, round(temp * 20), round(pres * 10), hum, batt) + bytes(6)
    row("aranet4 %s" % co2, ad(maker(0x0702, m)),
        [("format", "aranet4"), ("co2", co2), ("temperature", temp), ("pressure", pres), ("humidity", hum), ("battery", batt)])

for sensor, vbyte, tbyte, level, quality in ((0x03, 0x5C, 60, 1000, 3), (0x0C, 0x40, 0, 16383, 0)):
    m = bytes([sensor, vbyte, tbyte]) + struct.pack("<H", level | (quality << 14)) + wire[:3] + bytes([0x10, 0xF0])
    t = tbyte & 0x7F
    volts = (vbyte & 0x7F) / 32
    row("mopeka %02x" % sensor, ad(maker(0x0059, m)),
        [("format", "mopeka"), ("voltage", volts), ("battery", min(100, max(0, (volts - 2.2) / 0.65 * 100))),
         ("temperature", t - 40), ("tank_level", level * (0.573045 - 0.002822 * t - 0.00000535 * t * t) / 10),
         ("reading_quality", quality)])

for temp, hum in ((22.5, 45), (-10.0, 99)):
    raw = struct.pack("<h", round(temp * 10))
    row("thermopro tp357 %s" % temp, ad(name("TP357 (2B54)"), (0xFF, b"\xc2" + raw + bytes([hum, 0x02, 0x2C]))),
        [("format", "thermopro"), ("temperature", temp), ("humidity", hum)])
for company, mv, temp, hum in ((0x0010, 3010, 21.5, 48.25), (0x001B, 2600, -7.25, 95.0)):
    m = bytes([0x00, 0x00]) + wire + struct.pack("<Hhh", mv, round(temp * 16), round(hum * 16)) + struct.pack("<I", 3600)
    row("thermobeacon %04x" % company, ad(maker(company, m)),
        [("format", "thermobeacon"), ("voltage", mv / 1000), ("temperature", temp), ("humidity", hum)])

for colour, fahrenheit, gravity in ((0x10, 68, 1050), (0x80, 14, 990)):
    m = bytes.fromhex("0215a495bb%02xc5b14b44b5121370f02d74de" % colour) + struct.pack(">hHb", fahrenheit, gravity, -59)
    row("tilt %02x %sF" % (colour, fahrenheit), ad(maker(0x004C, m)),
        [("format", "tilt"), ("temperature", (fahrenheit - 32) / 1.8), ("specific_gravity", gravity / 1000)])
row("an ibeacon that is no tilt", ad(maker(0x004C, bytes.fromhex("0215a495bb11c5b14b44b5121370f02d74de") + bytes(5))), [("none", "")])

# --- TLV families: Qingping and Xiaomi MiBeacon ---
q = bytes([0x08, 0x09]) + wire + bytes([0x01, 0x04]) + struct.pack("<hH", 235, 512) + bytes([0x07, 0x02]) + struct.pack("<H", 10132) + bytes([0x02, 0x01, 77])
row("qingping cgp1w", ad(service(0xFDCD, q)),
    [("format", "qingping"), ("temperature", 23.5), ("humidity", 51.2), ("pressure", 1013.2), ("battery", 77)])
q = bytes([0x88, 0x0E]) + wire + bytes([0x01, 0x04]) + struct.pack("<hH", -105, 1000) + bytes([0x12, 0x04]) + struct.pack("<HH", 35, 60) + bytes([0x13, 0x02]) + struct.pack("<H", 1450)
row("qingping cgdn1 air monitor", ad(service(0xFDCD, q)),
    [("format", "qingping"), ("temperature", -10.5), ("humidity", 100), ("pm25", 35), ("pm10", 60), ("co2", 1450)])
q = bytes([0x08, 0x09]) + wire + bytes([0x01, 0x04, 0x01])
row("qingping truncated object", ad(service(0xFDCD, q)), [("format", "qingping"), ("undecoded", "010401")])


def mibeacon(control, product, counter, objects, capability=None, include_mac=True):
    p = struct.pack("<HHB", control, product, counter)
    if include_mac:
        p += wire
    if capability is not None:
        p += bytes([capability])
    return ad(service(0xFE95, p + objects))


row("mibeacon lywsdcgq temperature humidity", mibeacon(0x2050, 0x01AA, 0x11, bytes([0x0D, 0x10, 0x04]) + struct.pack("<hH", 236, 456)),
    [("format", "mibeacon"), ("temperature", 23.6), ("humidity", 45.6)])
row("mibeacon lywsdcgq battery", mibeacon(0x2050, 0x01AA, 0x12, bytes([0x0A, 0x10, 0x01, 93])), [("format", "mibeacon"), ("battery", 93)])
row("mibeacon lywsd02 negative temperature", mibeacon(0x3070, 0x045B, 0x01, bytes([0x04, 0x10, 0x02]) + struct.pack("<h", -123), capability=0x09),
    [("format", "mibeacon"), ("temperature", -12.3)])
row("mibeacon lywsd02 humidity", mibeacon(0x3070, 0x045B, 0x02, bytes([0x06, 0x10, 0x02]) + struct.pack("<H", 1000), capability=0x09),
    [("format", "mibeacon"), ("humidity", 100)])
row("mibeacon miflora illuminance", mibeacon(0x2050, 0x0098, 0x03, bytes([0x07, 0x10, 0x03]) + (100000).to_bytes(3, "little")),
    [("format", "mibeacon"), ("illuminance", 100000)])
row("mibeacon miflora moisture", mibeacon(0x2050, 0x0098, 0x04, bytes([0x08, 0x10, 0x01, 42])), [("format", "mibeacon"), ("moisture", 42)])
row("mibeacon miflora conductivity", mibeacon(0x2050, 0x0098, 0x05, bytes([0x09, 0x10, 0x02]) + struct.pack("<H", 1234)),
    [("format", "mibeacon"), ("conductivity", 1234)])
row("mibeacon cgg1 formaldehyde, capability with io",
    mibeacon(0x3070, 0x0347, 0x06, b"\x00\x00" + bytes([0x10, 0x10, 0x02]) + struct.pack("<H", 8), capability=0x28),
    [("format", "mibeacon"), ("formaldehyde", 0.08)])
row("mibeacon without objects", mibeacon(0x3030, 0x055B, 0x07, b"", capability=0x08), [("none", "")])
row("mibeacon truncated object", mibeacon(0x2050, 0x01AA, 0x13, bytes([0x0D, 0x10, 0x04, 0xEC])),
    [("format", "mibeacon"), ("undecoded", "0d1004ec")])
row("mibeacon too short", ad(service(0xFE95, bytes([0x50, 0x20]))), [("failure", "malformed")])


def mibeacon_encrypted(product, counter, ext, objects, flip=False):
    control = 0x5858
    nonce = wire + struct.pack("<HB", product, counter) + ext.to_bytes(3, "little")
    sealed = AESCCM(KEY, tag_length=4).encrypt(nonce, objects, b"\x11")
    mic = bytearray(sealed[-4:])
    if flip:
        mic[0] ^= 1
    payload = struct.pack("<HHB", control, product, counter) + wire + sealed[:-4] + ext.to_bytes(3, "little") + bytes(mic)
    return ad(service(0xFE95, payload))


row("mibeacon encrypted lywsd03mmc temperature", mibeacon_encrypted(0x055B, 0x21, 1, bytes([0x04, 0x10, 0x02]) + struct.pack("<h", 232)),
    [("format", "mibeacon_encrypted"), ("temperature", 23.2)])
row("mibeacon encrypted float temperature and humidity",
    mibeacon_encrypted(0x055B, 0x22, 1, bytes([0x01, 0x4C, 0x04]) + struct.pack("<f", -12.5) + bytes([0x08, 0x4C, 0x04]) + struct.pack("<f", 55.5)),
    [("format", "mibeacon_encrypted"), ("temperature", -12.5), ("humidity", 55.5)])
row("mibeacon encrypted battery", mibeacon_encrypted(0x0347, 0xFF, 0xFFFFFF, bytes([0x0A, 0x10, 0x01, 100])),
    [("format", "mibeacon_encrypted"), ("battery", 100)])
row("mibeacon encrypted forged", mibeacon_encrypted(0x055B, 0x23, 1, bytes([0x0A, 0x10, 0x01, 50]), flip=True),
    [("failure", "authentication")])


# Legacy MiBeacon (versions 2 and 3): ciphertext | extended counter (3) | the first byte of a
# 16-byte MIC; nonce = frame control, product id, frame counter | extended counter | MAC wire
# order without its last byte; associated data 0x11.
def mibeacon_legacy(version, product, counter, ext, objects, flip=False, cut=0):
    control = (version << 12) | 0x0058
    head = struct.pack("<HHB", control, product, counter)
    nonce = head + ext.to_bytes(3, "little") + wire[:5]
    sealed = AESCCM(KEY, tag_length=16).encrypt(nonce, objects, b"\x11")
    mic = sealed[len(objects)] ^ (0x01 if flip else 0)
    payload = head + wire + sealed[:len(objects)] + ext.to_bytes(3, "little") + bytes([mic])
    return ad(service(0xFE95, payload[:len(payload) - cut]))


row("mibeacon legacy v3 temperature humidity", mibeacon_legacy(3, 0x01AA, 0x31, 2, bytes([0x0D, 0x10, 0x04]) + struct.pack("<hH", -95, 873)),
    [("format", "mibeacon_encrypted"), ("temperature", -9.5), ("humidity", 87.3)])
row("mibeacon legacy v2 battery", mibeacon_legacy(2, 0x0098, 0xFF, 0xFFFFFF, bytes([0x0A, 0x10, 0x01, 100])),
    [("format", "mibeacon_encrypted"), ("battery", 100)])
row("mibeacon legacy forged", mibeacon_legacy(3, 0x01AA, 0x32, 2, bytes([0x0A, 0x10, 0x01, 50]), flip=True),
    [("failure", "authentication")])
row("mibeacon legacy truncated", mibeacon_legacy(3, 0x01AA, 0x33, 2, b"", cut=1), [("failure", "malformed")])

# --- Broken advertising data and strangers ---
row("ad length past the end", bytes([0x05, 0x16, 0xD2, 0xFC, 0x40]), [("unparsable", "")])
row("ad service data too short for a uuid", bytes([0x02, 0x16, 0xD2]), [("unparsable", "")])
row("apple manufacturer data", ad(maker(0x004C, bytes([0x10, 0x05, 0x01]))), [("none", "")])
row("eddystone service data", ad(service(0xFEAA, bytes([0x10, 0x00]))), [("none", "")])
row("govee of a wrong length", ad(maker(0xEC88, bytes(4))), [("none", "")])
row("aranet of a wrong length", ad(maker(0x0702, bytes(10))), [("none", "")])
row("empty advert", b"", [("none", "")])

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "BLETests", "Resources", "ble-corpus.tsv")
with open(out, "w") as handle:
    handle.write("# Generated by tools/ble-corpus.py: label, address, advertising data, expectation.\n")
    handle.write("\n".join(rows) + "\n")
print(len(rows), "adverts", file=sys.stderr)
