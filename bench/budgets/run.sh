#!/usr/bin/env bash
# Performance budgets (issue 29): every row of the budget table measured in this run and
# printed against its budget, with the same-run baseline where one exists (see budgets.py).
# Runs the static x86_64 firmware natively (RSS under qemu would measure qemu); the size row
# reads the aarch64 firmware when it is built. Printed, never asserted.
# Usage: bench/budgets/run.sh [--only memory,can,ble,size,start]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SWITCHYARD:-build/x86_64/switchyard}
[ -x "$bin" ] || make -s firmware ARCH=x86_64 >/dev/null
exec python3 bench/budgets/budgets.py --binary "$bin" "$@"
