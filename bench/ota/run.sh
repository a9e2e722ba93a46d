#!/usr/bin/env bash
# OTA transfer through a local broker: MiB/s of a 4 MiB image from `switchyard ota push` to a
# supervised gateway until it has verified the image, the time from push to committed, and the
# gateway's peak RSS while receiving (chunks go to the slot file, never all into memory).
# Baseline for the ratio: the same 4 MiB as ONE QoS 1 message from mosquitto_pub to
# mosquitto_sub through the same broker (the broker's raw speed). Printed, never asserted.
# Uses the static firmware (build/x86_64/switchyard) if built, else the host build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/x86_64/switchyard
[ -x "$bin" ] || bin=.build/debug/switchyard
[ -x "$bin" ] || { echo "ota bench: build first (make firmware ARCH=x86_64 or swift build)"; exit 1; }
bin=$(realpath "$bin")
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user root\nlistener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\nmessage_size_limit 0\n' "$port" > "$dir/m.conf"
mosquitto -c "$dir/m.conf" >/dev/null 2>&1 & broker=$!
pids=("$broker")
trap 'kill "${pids[@]}" 2>/dev/null; sleep 0.5; rm -rf "$dir"' EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
now() { date +%s%N; }

# The image: the firmware with its stamp set to 0.2.0, padded to 4 MiB when smaller (a
# truncated binary would not start and would be rolled back).
python3 - "$bin" "$dir/image" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read().replace(b'switchyard-version:0.1.0;', b'switchyard-version:0.2.0;')
size = 4 << 20
data = data + b'\0' * max(0, size - len(data))
open(sys.argv[2], 'wb').write(data)
PY

# Baseline: one 4 MiB message through the broker.
mosquitto_sub -p "$port" -t bench/raw -C 1 -q 1 > /dev/null & sub=$!
sleep 0.3
t0=$(now)
mosquitto_pub -p "$port" -t bench/raw -q 1 -f "$dir/image"
wait "$sub"
t1=$(now)
raw_ns=$((t1 - t0))

# The gateway under its supervisor.
data=$dir/data
mkdir -p "$data"
(cd "$dir" && "$bin" ota keygen --out key > /dev/null)
# ota.stable_s 1: the commit waits that long after the healthy report; the default 30 s would
# swamp the "push to committed" figure.
for kv in "node.name bench" "ota.enabled true" "ota.public_keys $(cat "$dir/key.pub")" "rpc.port $((port + 1))" \
          "console.device none" "ota.stable_s 1"; do
    "$bin" config set $kv --data "$data" > /dev/null
done
MQTT_BROKER=127.0.0.1 MQTT_PORT=$port LOG_LEVEL=warning "$bin" supervise --data "$data" > "$dir/gateway.log" 2>&1 & sup=$!
pids+=("$sup")
for _ in $(seq 100); do mosquitto_sub -p "$port" -t switchyard/bench/ota/status -C 1 -W 1 --retained-only > /dev/null 2>&1 && break; done
child=$(pgrep -P "$sup" | head -1)

# Status lines with arrival times, and the gateway's RSS sampled every 10 ms.
mosquitto_sub -p "$port" -t switchyard/bench/ota/status -F '%U %p' > "$dir/status.log" & watcher=$!
pids+=("$watcher")
(peak=0; while kill -0 "$child" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' /proc/"$child"/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$dir/rss"
    sleep 0.01
done) & sampler=$!
pids+=("$sampler")
idle_rss=$(awk '/VmRSS/ {print $2}' /proc/"$child"/status)
sleep 0.3
t0=$(now)
"$bin" ota push --file "$dir/image" --key "$dir/key" --node bench --broker "127.0.0.1:$port" > "$dir/push.out" 2>&1 \
    || { cat "$dir/push.out" "$dir/gateway.log"; exit 1; }
t1=$(now)
verifying=$(grep -m1 '"state":"verifying"' "$dir/status.log" | cut -d' ' -f1 | tr -d .)
transfer_ns=$((10#$verifying - t0))
peak_rss=$(cat "$dir/rss" 2>/dev/null || echo 0)

bytes=$(stat -c %s "$dir/image")
awk -v bytes="$bytes" -v raw="$raw_ns" -v transfer="$transfer_ns" -v total="$((t1 - t0))" -v idle="$idle_rss" -v peak="$peak_rss" 'BEGIN {
    mib = bytes / 1048576
    raw_rate = mib / (raw / 1e9); ota_rate = mib / (transfer / 1e9)
    printf "raw broker, one %.2f MiB QoS 1 message : %7.1f MiB/s\n", mib, raw_rate
    printf "ota push, %.2f MiB in 16 KiB chunks    : %7.1f MiB/s (%.2fx the raw broker rate)\n", mib, ota_rate, ota_rate / raw_rate
    printf "push to committed (incl. restart)   : %7.2f s\n", total / 1e9
    printf "gateway RSS idle / peak receiving   : %d / %d KiB (+%d KiB, %.1f%% of the image)\n", idle, peak, peak - idle, 100 * (peak - idle) / (bytes / 1024)
}'
