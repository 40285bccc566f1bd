#!/usr/bin/env bash
# The test command: installs what is missing, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
python3 Tools/check_schemas.py
swift build --build-tests
swift test --skip-build
# The benchmark's small run (seconds, debug build): only that it works; figures: docs/PERFORMANCE.md.
"$(swift build --show-bin-path)/doppelledger-bench" --quick
