#!/bin/sh
# Installs what is missing, builds, and runs Hifazat's main job.
# Until the kiosk app exists this fingerprints the bundled synthetic sample
# images with `hifazat hash`.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build >/dev/null
exec build/kiosk/hifazat hash assets/demo/media "$@"
