#!/usr/bin/env bash
# BCMS Cap'n Proto RPC: calls/s of list() (10 approved devices) over the gateway's door
# against a pycapnp server (the original's RPC library) doing the same work, both driven by
# the same pycapnp client: one call at a time, and 32 in flight. Printed, never asserted.
# Usage: bench/bcms-capnp/run.sh (BCMS_BENCH_CALLS=3000, BCMS_BENCH_BINARY=...)
set -euo pipefail
cd "$(dirname "$0")/../.."
# BCMS_BENCH_BINARY=build/x86_64/switchyard measures the static firmware instead.
binary=${BCMS_BENCH_BINARY:-}
if [ -z "$binary" ]; then
    swift build -c release --scratch-path .build-bench --product switchyard >/dev/null
    binary=.build-bench/release/switchyard
fi
devices=10
calls=${BCMS_BENCH_CALLS:-3000}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
approved=$(python3 -c "print(','.join('A4:C1:38:00:00:%02X=00000000-0000-4000-8000-%012d' % (n, n) for n in range($devices)))")
for setting in "rpc.port $port" "console.device none" "ble.enabled true" "ble.capnp true" "ble.adapter /nonexistent" \
               "ble.approved $approved"; do
    # shellcheck disable=SC2086
    $binary config set $setting --data "$dir" >/dev/null
done
MQTT_BROKER=127.0.0.1 MQTT_PORT=1 $binary run --data "$dir" >"$dir/gateway.log" 2>&1 &
gateway=$!
python3 bench/bcms-capnp/pycapnp_server.py $devices >"$dir/baseline.port" &
baseline=$!
trap 'kill $gateway $baseline 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
    grep -q "JSON-RPC listening" "$dir/gateway.log" 2>/dev/null && [ -s "$dir/baseline.port" ] && break
    sleep 0.1
done
client=tools/bcms-capnp-client.py
# The server's own CPU time (user + system ticks) over its run: the client is the same
# Python process both ways and often the bottleneck, so this is the fairer comparison.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=$(ticks $gateway); ours=$(python3 $client --port "$port" bench "$calls"); ours_ticks=$(( $(ticks $gateway) - before ))
before=$(ticks $baseline); theirs=$(python3 $client --port "$(cat "$dir/baseline.port")" bench "$calls")
theirs_ticks=$(( $(ticks $baseline) - before ))
python3 - "$ours" "$theirs" "$ours_ticks" "$theirs_ticks" "$(getconf CLK_TCK)" <<'PY'
import json, sys
ours, theirs = (json.loads(line) for line in sys.argv[1:3])
ours_ticks, theirs_ticks, hz = (int(v) for v in sys.argv[3:6])
for key, label in (("callsPerSecond", "one call at a time"), ("pipelinedPerSecond", "32 calls in flight")):
    print("%-20s gateway %8.0f calls/s   pycapnp server %8.0f calls/s   ratio %.2f"
          % (label, ours[key], theirs[key], ours[key] / theirs[key]))
calls = 2 * ours["calls"]
per_call = lambda ticks: 1e6 * ticks / hz / calls
print("server CPU per call  gateway %8.1f us        pycapnp server %8.1f us        ratio %.2f"
      % (per_call(ours_ticks), per_call(theirs_ticks), theirs_ticks / max(ours_ticks, 1)))
PY
