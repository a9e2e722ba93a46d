#!/usr/bin/env bash
# 100,000 messages at QoS 0 and at QoS 1 through Switchyard's uplink and through paho-mqtt,
# one after the other on the same local broker; prints messages/s and the ratio.
set -euo pipefail
bench=$1
count=${COUNT:-100000}
python3 -c 'import paho.mqtt' 2>/dev/null || python3 -m pip install -q 'paho-mqtt>=2,<3' >/dev/null 2>&1
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user root\nlistener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$port" > "$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" >/dev/null 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
for qos in 0 1; do
    ours=$("$bench" "$port" "$count" "$qos")
    paho=$(python3 "$(dirname "$0")/paho_publisher.py" "$port" "$count" "$qos")
    ratio=$(python3 -c "print(f'{$ours / $paho:.1f}')")
    echo "uplink qos$qos: switchyard $ours msg/s, paho-mqtt $paho msg/s, ratio ${ratio}x ($count messages)"
done
