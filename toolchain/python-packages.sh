#!/usr/bin/env bash
# Installs the PyPI packages of toolchain/python-packages.txt that python3 cannot import yet.
# The tests use them as the real clients of the tools Switchyard replaces (pycapnp speaks
# BCMS's Cap'n Proto RPC, bthome-ble decodes BTHome as Home Assistant does). Idempotent:
# when everything imports it only checks.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
missing=()
while read -r module requirement; do
  [[ -z "$module" || "$module" == \#* ]] && continue
  python3 -c "import $module" 2>/dev/null || missing+=("$requirement")
done < "$here/python-packages.txt"

if ((${#missing[@]})); then
  echo "toolchain: pip install ${missing[*]}"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${missing[@]}"
fi
