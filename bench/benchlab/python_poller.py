"""Baseline: the seed tool's way of polling (one thread per device, write the opcode, read
exactly N bytes with a timeout, unpack, translate to a flat dict, json.dumps, paho publish),
measured the same way as ours: CPU time of the process per poll published.

Usage: python_poller.py BROKER_PORT SECONDS POLL_MS PORT...   (prints microseconds per poll)
"""
import json
import os
import resource
import select
import struct
import sys
import termios
import threading
import time
import tty

import paho.mqtt.client as mqtt

port, seconds, poll_ms = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
paths = sys.argv[4:]
RAILS = ["EPS1", "EPS2", "3.3V", "5V", "5VSB", "12V", "PCIE8_1", "PCIE8_2", "PCIE8_3", "HPWR1", "HPWR2"]
stop = threading.Event()
published = [0]
lock = threading.Lock()


def request(fd, opcode, length, timeout=0.25):
    termios.tcflush(fd, termios.TCIFLUSH)
    os.write(fd, bytes([opcode]))
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < length:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        data += os.read(fd, length - len(data))
    return data


def translate(frame):
    values = struct.unpack_from("<13hHHh4hhH4B", frame)
    out = {"VIN_%d" % i: values[i] / 1000 for i in range(13)}
    out.update(Vdd=values[13] / 1000, Vref=values[14] / 1000, Chip_Temp=round(values[15] / 10, 1))
    for i in range(4):
        out["Temp_Sensor_%d" % (i + 1)] = round(values[16 + i] / 10, 1)
    out["Ambient_Temp"], out["Humidity"] = round(values[20] / 10, 1), round(values[21] / 10, 1)
    total = 0
    for i, name in enumerate(RAILS):
        mv, ma, mw = struct.unpack_from("<h2xii", frame, 48 + 12 * i)
        out[name + "_Voltage"], out[name + "_Current"], out[name + "_Power"] = mv / 1000, ma / 1000, mw / 1000
        total += mw
    out["SYS_Power"] = total / 1000
    for i in range(9):
        enable, duty, rpm = struct.unpack_from("<BBH", frame, 180 + 4 * i)
        out["Fan%d_Duty" % (i + 1)], out["Fan%d_RPM" % (i + 1)], out["Fan%d_Status" % (i + 1)] = duty, rpm, enable
    out["timestamp"] = int(time.time() * 1000)
    return out


def device(path, client):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    time.sleep(0.1)
    termios.tcflush(fd, termios.TCIFLUSH)
    uid = request(fd, 0x0D, 12).hex().upper()
    period = poll_ms / 1000
    next_poll = time.monotonic()
    while not stop.is_set():
        frame = request(fd, 0x01, 216)
        if frame:
            client.publish("bench/%s/telemetry" % uid, json.dumps(translate(frame)))
            with lock:
                published[0] += 1
        next_poll += period
        time.sleep(max(0, next_poll - time.monotonic()))
    os.close(fd)


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
client.connect("127.0.0.1", port)
client.loop_start()
threads = [threading.Thread(target=device, args=(path, client)) for path in paths]
for thread in threads:
    thread.start()
time.sleep(2)
usage = resource.getrusage(resource.RUSAGE_SELF)
start_cpu, start_count = usage.ru_utime + usage.ru_stime, published[0]
time.sleep(seconds)
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu, count = usage.ru_utime + usage.ru_stime - start_cpu, published[0] - start_count
stop.set()
for thread in threads:
    thread.join()
client.loop_stop()
print("%.1f" % (cpu / max(count, 1) * 1e6))
