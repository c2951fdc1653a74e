#!/bin/sh
# The whole test suite, from a clean clone on Debian 12:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds and runs every ctest suite (build/),
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and
#      runs the suite again (build-asan/),
#   4. builds the libFuzzer targets with clang and runs each for
#      HIFAZAT_FUZZ_SECONDS (default 60) (build-fuzz/),
#   5. builds the bootable USB image and boot-tests it in qemu under BIOS
#      and UEFI (image-build/test.sh; root, via sudo if needed; about 10 min,
#      plus a few for mmdebstrap when its cache is cold). HIFAZAT_IMAGE_TEST=0
#      skips it (and says so).
# Exits non-zero on the first failing step. ../shared must sit beside the checkout.
set -eu
cd "$(dirname "$0")/.."
if [ "${HIFAZAT_IMAGE_TEST:-1}" = 0 ]; then scripts/install-deps.sh; else scripts/install-deps.sh --image; fi
jobs=$(nproc)

step() { printf '\n==== %s\n' "$*"; }

step "build + tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
(cd build && ctest --output-on-failure -j"$jobs")

step "ASan + UBSan build + tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHIFAZAT_SANITIZE=ON >/dev/null
cmake --build build-asan
(cd build-asan && ctest --output-on-failure -j"$jobs" -LE nosan)

step "fuzzers (${HIFAZAT_FUZZ_SECONDS:-60} s each)"
CC=clang cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHIFAZAT_FUZZ=ON -DHIFAZAT_SANITIZE=ON \
    -DHIFAZAT_FUZZ_SECONDS="${HIFAZAT_FUZZ_SECONDS:-60}" >/dev/null
cmake --build build-fuzz
(cd build-fuzz && ctest --output-on-failure -L fuzz)

if [ "${HIFAZAT_IMAGE_TEST:-1}" = 0 ]; then
    step "USB image: SKIPPED (HIFAZAT_IMAGE_TEST=0)"
else
    step "USB image: build + boot tests in qemu, BIOS and UEFI (image-build/test.sh)"
    if [ "$(id -u)" -eq 0 ]; then image-build/test.sh; else sudo image-build/test.sh; fi
fi

step "all tests passed"
