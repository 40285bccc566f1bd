#!/usr/bin/env bash
# The main job on its embedded default: installs what is missing, builds, runs `doppelledger demo`.
# Any arguments go to the demo (e.g. a folder: Tools/demo.sh /tmp/my-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift build -c release --product doppelledger
exec .build/release/doppelledger demo "$@"
