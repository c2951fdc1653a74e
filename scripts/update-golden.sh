#!/bin/sh
# Regenerates the committed expectations of what a person sees:
#   tests/golden/*.png   screenshots (software renderer on SDL's dummy driver)
#   tests/shaping/*.test glyphs from the shaper
# Run after a deliberate change to the UI or an upgrade of FreeType/HarfBuzz/
# FriBidi/libraqm, then look at every changed PNG and read the diff before
# committing. Usage: scripts/update-golden.sh [CASE...]   (cases: screenshot names)
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target test_golden test_shaping narration pictograms hifazat-decode >/dev/null
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy SDL_RENDER_DRIVER=software
export SDL_FRAMEBUFFER_ACCELERATION=0 HIFAZAT_SOURCE="$PWD"
# The same environment as ctest (tests/CMakeLists.txt): pictures are decoded
# by the sandboxed decoder, as in the kiosk.
export HIFAZAT_DECODER="$PWD/build/kiosk/hifazat-decode" HIFAZAT_SHARED="$PWD/../shared"
build/tests/test_golden --update "$@"
# The flow's screenshots (tests/golden/flow_*.png): the whole scenario.
if [ $# -eq 0 ]; then
    cmake --build build --target test_flow hifazat >/dev/null
    HIFAZAT_BIN="$PWD/build/kiosk" build/tests/test_flow --update
fi
[ $# -eq 0 ] && build/tests/test_shaping --update tests/shaping
git status --short tests/golden tests/shaping
