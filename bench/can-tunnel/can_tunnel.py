#!/usr/bin/env python3
"""CAN tunnel benchmark: a synthetic bus (no serial) through ring, run loop, MQTT uplink and a
real mosquitto broker to an independent subscriber (mosquitto_sub).

Reports, never asserts: frames/s end to end, p50/p99/max latency (frame read on the bus ->
subscriber), drops (ring, publish, gaps in the sequence the subscriber saw), CPU time of the
gateway process per frame (user + system, all its threads, from /proc/<pid>/stat), and how
that compares with a saturated 1 Mbit/s classic CAN bus (about 8,000-9,000 frames/s).

Usage: bench/can-tunnel/run.sh, or bench/can-tunnel/can_tunnel.py [--binary PATH] [--seconds N]
[--bus-rate-only] (only the saturated-bus run: quick before/after CPU comparisons)
The binary defaults to $SWITCHYARD, else the x86_64 firmware (build/x86_64/switchyard), else
the host release build, else the host debug build; which one ran is printed, because a debug
build is several times slower than the firmware.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SATURATED_BUS = 8500  # frames/s of a saturated 1 Mbit/s bus, classic 8-byte frames (8,000-9,000)
TOPIC = "bench/can"


def find_binary(explicit):
    candidates = [explicit, os.environ.get("SWITCHYARD"),
                  os.path.join(ROOT, "build/x86_64/switchyard"),
                  os.path.join(ROOT, ".build/release/switchyard"),
                  os.path.join(ROOT, ".build/debug/switchyard")]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    sys.exit("bench can-tunnel: no switchyard binary found; run `make build` or pass --binary")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


class Broker:
    def __init__(self, directory):
        self.port = free_port()
        config = os.path.join(directory, "mosquitto.conf")
        with open(config, "w") as f:
            f.write("user root\nlistener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % self.port)
            f.write("max_queued_messages 1000000\n")
        self.process = subprocess.Popen(["mosquitto", "-c", config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        if not wait_listening(self.port):
            sys.exit("bench/can-tunnel: mosquitto did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(5)


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid` so far, all threads (fields 14 and 15 of
    /proc/<pid>/stat, in clock ticks), or None when it cannot be read."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(binary, broker, directory, rate, count, label, seconds=None):
    """One run: `count` synthetic frames at `rate`/s (or, unpaced, `seconds` of an endless
    source); returns the measurements."""
    received = os.path.join(directory, "received-%s.txt" % label)
    log = os.path.join(directory, "tunnel-%s.log" % label)
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "0",
                            "-t", TOPIC + "/#", "-F", "%U %x"], stdout=open(received, "w"),
                           stderr=subprocess.DEVNULL)
    time.sleep(0.3)  # let it subscribe
    tunnel = subprocess.Popen([binary, "can-tunnel", "-b", "synthetic", "--rate", str(rate), "--count", str(count),
                               "-t", TOPIC, "-S", "-H", "127.0.0.1", "-P", str(broker.port),
                               "--stats-interval", "0", "--log-level", "info"],
                              stdout=open(log, "w"), stderr=subprocess.STDOUT)
    expected_seconds = count / rate if rate else seconds
    deadline = time.time() + (expected_seconds * 3 + 10 if rate else seconds)
    last_size, stable_since = -1, time.time()
    while time.time() < deadline:
        size = os.path.getsize(received)
        if size != last_size:
            last_size, stable_since = size, time.time()
        elif time.time() - stable_since > 1.5 and size > 0:
            break  # nothing new for 1.5 s: the run is over
        time.sleep(0.1)
    # Read before SIGINT: the shutdown (flush, disconnect) is not per-frame work, and the
    # 1.5 s of quiet above costs an idle gateway next to nothing.
    cpu = cpu_seconds(tunnel.pid)
    tunnel.send_signal(signal.SIGINT)
    tunnel.wait(10)
    time.sleep(0.5)  # the last messages on their way to the subscriber
    sub.terminate()
    sub.wait(5)
    stats = {}
    with open(log) as f:
        text = f.read()
    for key in ("published", "publish_failed", "frames_in"):
        m = re.search(r'"%s":(\d+)' % key, text)
        stats[key] = int(m.group(1)) if m else None
    m = re.search(r'"ring":\{[^}]*"dropped":(\d+)', text)
    stats["ring_dropped"] = int(m.group(1)) if m else None
    stats["cpu_seconds"] = cpu

    if not count:
        count = stats["frames_in"] or 0
    return {"rate": rate, **received_figures(received, count), **stats}


def received_figures(received, count):
    """What a subscriber saw (`mosquitto_sub -F '%U %x'` lines of stamped, numbered payloads):
    received, missing of `count` (0: of what arrived), reordered, throughput, p50/p99/max
    latency in ms (arrival minus the payload's timestamp)."""
    latencies, sequences, first, last = [], [], None, None
    with open(received) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2 or len(parts[1]) < 34:
                continue
            received_at = float(parts[0])
            payload = bytes.fromhex(parts[1])
            stamp = int.from_bytes(payload[0:8], "little")
            sequences.append(int.from_bytes(payload[9:17], "little"))
            latencies.append(received_at * 1e6 - stamp)
            first = received_at if first is None else first
            last = received_at
    got = len(sequences)
    if not count:
        count = got
    missing = count - len(set(sequences))
    reordered = sum(1 for a, b in zip(sequences, sequences[1:]) if b < a)
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] / 1000 if latencies else float("nan")

    duration = (last - first) if got > 1 else float("nan")
    return {"count": count, "received": got, "missing": missing, "reordered": reordered,
            "throughput": (got - 1) / duration if got > 1 and duration > 0 else 0.0,
            "p50": pct(50), "p99": pct(99), "max": latencies[-1] / 1000 if latencies else float("nan")}


def show(r, title):
    print("%s" % title)
    print("  offered %s frames/s, %d frames read: received %d, missing %d, reordered %d"
          % ("unpaced" if r["rate"] == 0 else "{:,}".format(r["rate"]), r["count"], r["received"], r["missing"],
             r["reordered"]))
    print("  end to end %.0f frames/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms"
          % (r["throughput"], r["p50"], r["p99"], r["max"]))
    print("  gateway: read %s, published %s, publish failed %s, ring drops %s"
          % (r["frames_in"], r["published"], r["publish_failed"], r["ring_dropped"]))
    if r["cpu_seconds"] is not None and r["frames_in"]:
        print("  gateway CPU: %.2f s user+system = %.2f us per frame read"
              % (r["cpu_seconds"], r["cpu_seconds"] * 1e6 / r["frames_in"]))


def clean(r):
    """No frame lost anywhere, and the subscriber kept up (a backlog only hides in buffers)."""
    kept_up = r["rate"] == 0 or r["throughput"] >= 0.95 * r["rate"]
    return r["missing"] == 0 and r["ring_dropped"] == 0 and r["publish_failed"] == 0 and kept_up


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary")
    parser.add_argument("--seconds", type=float, default=10, help="length of the saturated-bus run")
    parser.add_argument("--bus-rate-only", action="store_true",
                        help="only the saturated-bus run (CPU per frame at 9,000 frames/s), no headroom or flood")
    args = parser.parse_args()
    binary = find_binary(args.binary)
    print("bench can-tunnel: %s" % os.path.relpath(binary, ROOT))
    with tempfile.TemporaryDirectory(prefix="can-bench-") as directory:
        broker = Broker(directory)
        try:
            # 1. A saturated 1 Mbit/s bus, for long enough to see the tail.
            rate = 9000
            base = run(binary, broker, directory, rate, int(rate * args.seconds), "bus")
            show(base, "saturated 1 Mbit/s bus (%s frames/s, the top of the 8,000-9,000 range):" % "{:,}".format(rate))
            print("  -> %s" % ("zero drops, kept up" if clean(base) else "DROPS or a backlog at bus rate"))
            if args.bus_rate_only:
                return

            # 2. Headroom: double the offered rate until something is lost.
            best = base["throughput"] if clean(base) else 0
            offered = 18000
            while offered <= 576000:
                r = run(binary, broker, directory, offered, offered * 3, "x%d" % offered)
                show(r, "headroom step, %s frames/s offered for 3 s:" % "{:,}".format(offered))
                if not clean(r):
                    print("  -> past the limit (%s)" % ("drops" if r["missing"] else "the subscriber fell behind"))
                    break
                best = max(best, r["throughput"])
                offered *= 2

            # 3. Unpaced: the source pushes as fast as the ring takes frames.
            flood = run(binary, broker, directory, 0, 0, "flood", seconds=3)
            show(flood, "unpaced source for 3 s (ring overflow expected and counted; shows the drain rate):")
        finally:
            broker.stop()
    print()
    print("sustained %s frames/s with zero drops = %.1f x a saturated 1 Mbit/s bus (%s frames/s)"
          % ("{:,}".format(int(best)), best / SATURATED_BUS, "{:,}".format(SATURATED_BUS)))
    print("unpaced source: subscriber saw %s frames/s = %.1f x a saturated 1 Mbit/s bus"
          % ("{:,}".format(int(flood["throughput"])), flood["throughput"] / SATURATED_BUS))
    print("latency at bus rate: p50 %.2f ms, p99 %.2f ms" % (base["p50"], base["p99"]))
    if base["cpu_seconds"] is not None and base["frames_in"]:
        print("gateway CPU at bus rate: %.2f us per frame" % (base["cpu_seconds"] * 1e6 / base["frames_in"]))


if __name__ == "__main__":
    main()
