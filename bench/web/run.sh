#!/usr/bin/env bash
# The web dashboard under load: requests/s for /api/state (wrk) against Python's http.server
# serving a static copy of the same JSON, and open event streams (SSE clients) held while the
# CAN and Benchlab simulators keep their rates, with the RSS they cost. Runs the host release
# build of the gateway (SWITCHYARD=build/x86_64/switchyard for the firmware: at the time of
# writing the Embedded firmware traps in BenchlabService.publishInfo when a simulated device
# is identified; reported with issue 14). Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${SWITCHYARD:-}" ]; then
    swift build -c release --scratch-path .build-bench --product switchyard >/dev/null
    SWITCHYARD=.build-bench/release/switchyard
fi
bin=$SWITCHYARD
exec python3 bench/web/web_bench.py --binary "$bin" "$@"
