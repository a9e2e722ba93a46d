#!/usr/bin/env bash
# The web dashboard under load: requests/s for /api/state (wrk) against Python's http.server
# serving a static copy of the same JSON, and open event streams (SSE clients) held while the
# CAN and Benchlab simulators keep their rates, with the RSS they cost. Runs the static x86_64
# firmware natively. Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SWITCHYARD:-build/x86_64/switchyard}
[ -x "$bin" ] || make -s firmware ARCH=x86_64 >/dev/null
exec python3 bench/web/web_bench.py --binary "$bin" "$@"
