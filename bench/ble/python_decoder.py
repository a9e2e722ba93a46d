#!/usr/bin/env python3
"""Baseline: the same H4 stream (5,000 devices, reference BTHome advert) framed and decoded
in plain Python, as a Python gateway's decoder would; prints adverts/s."""
import struct
import sys
import time

def advert_event(n):
    ad = bytes([0x02, 0x01, 0x06, 0x0A, 0x16, 0xD2, 0xFC, 0x40, 0x02, 0xC4, 0x09, 0x03, 0xBF, 0x13])
    report = bytes([0, 0, n & 0xFF, (n >> 8) & 0xFF, (n >> 16) & 0xFF, 0x38, 0xC1, 0xA4, len(ad)]) + ad + bytes([0xC4])
    params = bytes([0x02, 0x01]) + report
    return bytes([0x04, 0x3E, len(params)]) + params

def decode(stream):
    out = 0
    i = 0
    while i + 3 <= len(stream):
        plen = stream[i + 2]
        params = stream[i + 3:i + 3 + plen]
        i += 3 + plen
        if params[0] != 0x02:
            continue
        j = 2
        length = params[j + 8]
        data = params[j + 9:j + 9 + length]
        k = 0
        while k < len(data):
            n = data[k]
            if n == 0:
                break
            t = data[k + 1]
            payload = data[k + 2:k + 1 + n]
            if t == 0x16 and payload[:2] == b"\xd2\xfc":
                objs = payload[3:]
                values = {}
                m = 0
                while m < len(objs):
                    if objs[m] == 0x02:
                        values["temperature"] = struct.unpack_from("<h", objs, m + 1)[0] / 100
                        m += 3
                    elif objs[m] == 0x03:
                        values["humidity"] = struct.unpack_from("<H", objs, m + 1)[0] / 100
                        m += 3
                    else:
                        break
                if values:
                    out += 1
            k += 1 + n
    return out

stream = b"".join(advert_event(n) for n in range(5000))
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
start = time.perf_counter()
total = sum(decode(stream) for _ in range(rounds))
elapsed = time.perf_counter() - start
print("python baseline: %d adverts in %.3f s = %d adverts/s" % (total, elapsed, total / elapsed))
