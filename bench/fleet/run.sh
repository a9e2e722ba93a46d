#!/usr/bin/env bash
# A fleet of N gateways (default 100; FLEET_N=...) on one local mosquitto, each supervised
# with its own data directory, updated by `switchyard fleet rollout` in waves 1,10,50,100%.
# Prints the time from start to 100 % committed, the bytes the broker received and sent
# during the campaign ($SYS totals), bytes per gateway against the image size, and the peak
# RSS of any one gateway during the campaign; then the same for a second campaign, 0.2.0 to
# 0.2.1, sent as a zstd delta (--patch-from), and the delta/full ratio of broker bytes.
# Printed, never asserted.
# Uses the static firmware (build/x86_64/switchyard) if built, else the host build.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${FLEET_N:-100}
bin=build/x86_64/switchyard
[ -x "$bin" ] || bin=.build/debug/switchyard
[ -x "$bin" ] || { echo "fleet bench: build first (make firmware ARCH=x86_64 or swift build)"; exit 1; }
bin=$(realpath "$bin")
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user root\nlistener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\nmessage_size_limit 0\nsys_interval 1\nmax_connections -1\n' \
    "$port" > "$dir/m.conf"
mosquitto -c "$dir/m.conf" >/dev/null 2>&1 & broker=$!
pids=("$broker")
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
now() { date +%s%N; }
sys() { mosquitto_sub -p "$port" -t "\$SYS/broker/bytes/$1" -C 1 -W 5; }

(cd "$dir" && "$bin" ota keygen --out key > /dev/null)
cp "$bin" "$dir/image"
python3 toolchain/stamp-version.py "$dir/image" 0.2.0 > /dev/null
cp "$bin" "$dir/image-0.2.1"
python3 toolchain/stamp-version.py "$dir/image-0.2.1" 0.2.1 > /dev/null
group=bench

# Each gateway's config file, written in its documented format (a `config set` per key and
# gateway would cost 600 processes).
python3 - "$dir" "$n" "$port" "$(cat "$dir/key.pub")" "$group" <<'PY'
import hashlib, os, sys
root, n, port, key, group = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
for i in range(1, n + 1):
    data = os.path.join(root, "gw-%03d" % i)
    os.makedirs(data)
    settings = {"node.name": "gw-%03d" % i, "ota.enabled": "true", "ota.public_keys": key, "ota.group": group,
                "ota.stable_s": "1", "console.device": "none", "rpc.port": str(port + 100 + i)}
    text = "# switchyard config v1\n" + "".join("%s=%s\n" % (k, settings[k]) for k in sorted(settings))
    text += "# sha256 " + hashlib.sha256(text.encode()).hexdigest() + "\n"
    open(os.path.join(data, "config"), "w").write(text)
PY
for i in $(seq -f %03g 1 "$n"); do
    MQTT_BROKER=127.0.0.1 MQTT_PORT=$port LOG_LEVEL=warning "$bin" supervise --data "$dir/gw-$i" \
        > "$dir/gw-$i/supervise.log" 2>&1 &
    pids+=("$!")
done
t_start=$(now)
for _ in $(seq 600); do
    online=$("$bin" fleet status --group "$group" --json --broker "127.0.0.1:$port" 2>/dev/null | grep -c '"online":.*true' || true)
    [ "$online" -ge "$n" ] && break
    sleep 1
done
echo "$n gateways online in $(( ($(now) - t_start) / 1000000 )) ms"

# Peak RSS of any one gateway (the supervisors' children), sampled every 200 ms.
(peak=0; while :; do
    [ -f "$dir/rss" ] || peak=0   # each campaign removes the file: a peak of its own
    for sup in "${pids[@]:1}"; do
        for child in $(pgrep -P "$sup" 2>/dev/null); do
            rss=$(awk '/VmRSS/ {print $2}' /proc/"$child"/status 2>/dev/null || echo 0)
            [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$dir/rss"
        done
    done
    sleep 0.2
done) & sampler=$!
pids+=("$sampler")

# campaign NAME IMAGE [ROLLOUT OPTIONS...]: one rollout, its figures, and the broker bytes sent
# in $dir/NAME.sent.
campaign() {
    local name=$1 image=$2
    shift 2
    rm -f "$dir/rss"
    sleep 0.5
    local received0 sent0 t0 t1 received1 sent1
    received0=$(sys received); sent0=$(sys sent)
    t0=$(now)
    "$bin" fleet rollout --file "$image" --key "$dir/key" --group "$group" --waves 1,10,50,100% --max-failures 5% \
        --broker "127.0.0.1:$port" "$@" > "$dir/$name.out" 2>&1 || { tail -30 "$dir/$name.out"; exit 1; }
    t1=$(now)
    sleep 2   # one more $SYS interval, so the totals include the end
    received1=$(sys received); sent1=$(sys sent)
    echo "$((sent1 - sent0))" > "$dir/$name.sent"
    echo "== $name: $(grep -m1 '^delta from' "$dir/$name.out" || true)"
    tail -1 "$dir/$name.out"
    awk -v n="$n" -v ms="$(( (t1 - t0) / 1000000 ))" -v image="$(stat -c %s "$image")" -v rx="$((received1 - received0))" \
        -v tx="$((sent1 - sent0))" -v rss="$(cat "$dir/rss" 2>/dev/null || echo 0)" 'BEGIN {
        printf "image                 : %.2f MiB\n", image / 1048576
        printf "time to 100%% committed: %.1f s (waves 1,10,50,100%%, each after the one before committed)\n", ms / 1000
        printf "broker received       : %.1f MiB (%.2f x the image)\n", rx / 1048576, rx / image
        printf "broker sent           : %.1f MiB (%.3f x the image per gateway)\n", tx / 1048576, tx / image / n
        printf "peak gateway RSS      : %.1f MiB\n", rss / 1024
    }'
}
campaign full "$dir/image"
campaign delta "$dir/image-0.2.1" --patch-from "$dir/image"
awk -v full="$(cat "$dir/full.sent")" -v delta="$(cat "$dir/delta.sent")" 'BEGIN {
    printf "delta/full broker bytes sent: %.4f\n", delta / full
}'
