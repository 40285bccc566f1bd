#!/usr/bin/env bash
# Installs what Doppelledger needs on a fresh Debian machine, once; quiet when all is there.
# LMDB (liblmdb-dev, lmdb-utils for mdb_stat), OpenSSL's libcrypto for SHA-256 (libssl-dev),
# Python's jsonschema for the schema check, Chromium (headless) for the test that renders the
# HTML report.
set -euo pipefail
need=()
dpkg -s liblmdb-dev >/dev/null 2>&1 || need+=(liblmdb-dev)
dpkg -s lmdb-utils >/dev/null 2>&1 || need+=(lmdb-utils)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
python3 -c 'import jsonschema' >/dev/null 2>&1 || need+=(python3-jsonschema)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian's python3-jsonschema lands in the system python; fall back to pip for another python3.
  python3 -c 'import jsonschema' >/dev/null 2>&1 || python3 -m pip install -q jsonschema
fi
