#!/bin/sh
# Installs what is missing, builds, and starts Hifazat's main job: the kiosk
# app, full screen (pass --windowed for a window, --help for the options).
# It picks a real display (wayland, x11, then kmsdrm on a console) or says
# clearly that there is none; set SDL_VIDEODRIVER to choose one.
# The command-line tool is build/kiosk/hifazat, e.g. fingerprint the bundled
# synthetic samples: build/kiosk/hifazat hash assets/demo/media
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build >/dev/null
exec build/kiosk/hifazat-kiosk "$@"
