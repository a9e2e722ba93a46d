#!/usr/bin/env bash
# An idle gateway: resident memory and wake-ups per second of the static x86_64 firmware
# (natively: RSS under qemu would measure qemu), connected to a local broker, no devices.
# Baseline for the ratio: `sleep`, a process that does nothing at all.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/x86_64/switchyard
[ -x "$bin" ] || make -s firmware ARCH=x86_64 >/dev/null
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user root\nlistener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$dir/m.conf"
mosquitto -c "$dir/m.conf" >/dev/null 2>&1 & broker=$!
sleep 0.5
# A copy written in 64 KiB pieces, cached as a board's kernel caches the file (see
# board_like_copy in bench/budgets/budgets.py: the linker's own file sits in large folios here).
dd if="$bin" of="$dir/switchyard" bs=64K status=none && chmod +x "$dir/switchyard" && mkdir "$dir/data"
MQTT_BROKER=127.0.0.1 MQTT_PORT=$port "$dir/switchyard" run --data "$dir/data" > "$dir/log" 2>&1 & gw=$!
sleep 60 & idle=$!
trap 'kill $gw $broker $idle 2>/dev/null; rm -rf "$dir"' EXIT
sleep 2
switches() { awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {n += $2} END {print n}' "/proc/$1/status"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
a=$(switches $gw); b=$(switches $idle)
sleep 10
a2=$(switches $gw); b2=$(switches $idle)
echo "idle: switchyard RSS $(rss $gw) KiB (sleep: $(rss $idle) KiB); wake-ups $(( a2 - a )) in 10 s (sleep: $(( b2 - b )))"
