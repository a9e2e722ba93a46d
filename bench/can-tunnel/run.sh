#!/usr/bin/env bash
# CAN tunnel throughput and latency: a synthetic bus (no serial) through the reader thread,
# the ring, the run loop, the MQTT uplink and a real broker to mosquitto_sub, measured against
# the physical limit, a saturated 1 Mbit/s classic bus (8,000-9,000 frames/s). Runs the
# static x86_64 firmware natively (the binary users flash, minus the architecture).
# Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SWITCHYARD:-build/x86_64/switchyard}
[ -x "$bin" ] || make -s firmware ARCH=x86_64 >/dev/null
exec python3 bench/can-tunnel/can_tunnel.py --binary "$bin" "$@"
