#!/bin/sh
# Installs what is missing, builds, and starts Hifazat's main job: the kiosk
# app, in a window, in demo mode (practice pictures from assets/demo/media,
# nothing is ever saved or sent; no configuration needed). Extra options go
# to the kiosk, e.g. scripts/run.sh --lang en, or --help for all of them.
# A real kiosk runs build/kiosk/hifazat-kiosk without --demo, full screen,
# with /etc/hifazat/kiosk.conf (see assets/kiosk.conf.example).
# Keys: F5 starts the demo again, F12 or Esc three times is quick exit,
# hold V to see a focused picture clearly, Ctrl+Alt+S opens the staff screen.
# It picks a real display (wayland, x11, then kmsdrm on a console) or says
# clearly that there is none; set SDL_VIDEODRIVER to choose one.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build >/dev/null
echo "hifazat-kiosk: demo mode (F5 starts again, F12 or Esc Esc Esc is quick exit)" >&2
exec build/kiosk/hifazat-kiosk --windowed --demo "$@"
