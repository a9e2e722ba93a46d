#!/usr/bin/env bash
# BCMS Cap'n Proto RPC: calls/s of list() (10 approved devices) over the gateway's door
# against a pycapnp server (the original's RPC library) doing the same work, both driven by
# the same pycapnp client: one call at a time, and 32 in flight. Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --scratch-path .build-bench --product switchyard >/dev/null
binary=.build-bench/release/switchyard
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
trap 'kill $gateway $baseline 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
    grep -q "JSON-RPC listening" "$dir/gateway.log" 2>/dev/null && [ -s "$dir/baseline.port" ] && break
    sleep 0.1
done
client=tools/bcms-capnp-client.py
ours=$(python3 $client --port "$port" bench "$calls")
theirs=$(python3 $client --port "$(cat "$dir/baseline.port")" bench "$calls")
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = (json.loads(line) for line in sys.argv[1:3])
for key, label in (("callsPerSecond", "one call at a time"), ("pipelinedPerSecond", "32 calls in flight")):
    print("%-20s gateway %8.0f calls/s   pycapnp server %8.0f calls/s   ratio %.2f"
          % (label, ours[key], theirs[key], ours[key] / theirs[key]))
PY
