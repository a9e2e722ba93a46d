#!/usr/bin/env bash
# Benchlab polling: CPU time per poll, devices one core can poll at 10 Hz, and RSS with 8
# devices, from BenchlabService polling 8 simulated devices (tools/benchlab-sim.py) at 10 Hz
# into a local broker. Baseline for the ratio: the seed tool's way of doing the same in
# Python (bench/benchlab/python_poller.py: a thread per device, pyserial-style reads, paho).
# Printed, never asserted. Built with swiftc from Sources/ (as fuzz/run does), so it needs
# no product in Package.swift.
set -euo pipefail
cd "$(dirname "$0")/../.."
devices=${DEVICES:-8}
seconds=${SECONDS_PER_RUN:-10}
out=build/bench/benchlab
mkdir -p "$out/modules"
includes=()
for dir in Sources/C*/; do includes+=(-I "$dir"); done
# The modules and C libraries come from Package.swift through fuzz/modules.py, which reads
# the `// modules:` first line of main.swift (a fixed list here broke when modules were added).
resolved=$(python3 fuzz/modules.py bench/benchlab/main.swift)
modules=$(sed -n 1p <<< "$resolved")
libs=$(sed -n 2p <<< "$resolved")
objects=()
for module in $modules; do
    swiftc -O -parse-as-library -wmo -module-name "$module" -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
        -I "$out/modules" "${includes[@]}" -c Sources/"$module"/*.swift -o "$out/$module.o" 2> "$out/build.log" \
        || { cat "$out/build.log"; exit 1; }
    objects+=("$out/$module.o")
done
swiftc -O -I "$out/modules" "${includes[@]}" bench/benchlab/main.swift "${objects[@]}" \
    $libs -o "$out/bench-benchlab" 2> "$out/build.log" \
    || { cat "$out/build.log"; exit 1; }

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user root\nlistener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$port" > "$dir/m.conf"
mosquitto -c "$dir/m.conf" >/dev/null 2>&1 & broker=$!
# All ORIGINAL fw 5: the Python baseline decodes that frame layout only.
sim_args=()
for _ in $(seq "$devices"); do sim_args+=(--device original:5); done
python3 tools/benchlab-sim.py "${sim_args[@]}" --link-dir "$dir" > "$dir/sim.out" 2> "$dir/sim.err" < /dev/null &
sim=$!
trap 'kill $broker $sim 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do grep -q ready "$dir/sim.out" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
ports=$(grep '^device' "$dir/sim.out" | awk '{print $NF}')

ours=$("$out/bench-benchlab" "$port" "$seconds" 100 $ports)
echo "$ours" | sed 's/^/benchlab: /'
if python3 -c 'import paho.mqtt' 2>/dev/null || python3 -m pip install -q 'paho-mqtt>=2,<3' >/dev/null 2>&1; then
    # The simulator's devices are free again once our process has closed them.
    python_us=$(python3 bench/benchlab/python_poller.py "$port" "$seconds" 100 $ports)
    ours_us=$(echo "$ours" | sed -n 's/^CPU per poll: \([0-9.]*\) us.*/\1/p')
    echo "benchlab: python (seed-style) CPU per poll: $python_us us; ratio $(python3 -c "print(f'{$python_us / $ours_us:.1f}')")x"
fi
