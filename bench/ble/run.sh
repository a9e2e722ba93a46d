#!/usr/bin/env bash
# BLE pipeline: adverts/s through framing, parse, decode (stage 1) and through the whole
# service with JSON publishing to a local mosquitto (stage 2), RSS with 5,000 devices, against
# a plain-Python decoder of the same stream. Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --scratch-path .build-bench --product bench-ble >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" >/dev/null 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; rm -rf "$dir"' EXIT
sleep 0.5
python3 bench/ble/python_decoder.py 20
echo "-- every advert published (publish_interval_s 0)"
BLE_BENCH_BROKER_PORT=$port BLE_BENCH_PUBLISH_S=0 .build-bench/release/bench-ble 2>/dev/null
echo "-- default rate limit (publish_interval_s 10: each device at most every 10 s)"
BLE_BENCH_BROKER_PORT=$port BLE_BENCH_PUBLISH_S=10 .build-bench/release/bench-ble 2>/dev/null
