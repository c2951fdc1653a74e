#!/bin/sh
# Benchmarks: each section prints its figures as ratios against a baseline
# measured in the same run. Usage: scripts/bench.sh [SECTION...]
# Sections: hash, queue, upload, media, ui, kiosk
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench >/dev/null
shared="$(cd .. && pwd)/shared"
work=$(mktemp -d "${TMPDIR:-/tmp}/hifazat-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
sections="${*:-hash queue upload media ui kiosk}"

for s in $sections; do
    case "$s" in
    hash)
        echo "== hash (issue 2)"
        build-bench/tests/bench/bench_hash "$shared" build-bench/kiosk/hifazat "$work"
        ;;
    queue)
        echo "== queue: sealed reports, durable queue, outbox archives (issue 3)"
        mkdir -p "$work/queue"
        build-bench/tests/bench/bench_queue "$work/queue"
        ;;
    upload)
        echo "== upload: 2 000 reports in 20 archives to a real nginx over TLS (issue 4)"
        python3 tests/bench/bench_upload.py build-bench/kiosk/hifazat "$shared" "$work"
        ;;
    media)
        echo "== media (issue 6: opening a camera folder of 3 000 photos)"
        mkdir -p "$work/media"
        build-bench/tests/bench/bench_media "$work/media" 3000
        ;;
    ui)
        echo "== ui (issue 5): text layout, UI toolkit, app shell"
        build-bench/tests/bench/bench_ui build-bench/kiosk/hifazat-kiosk
        ;;
    kiosk)
        echo "== kiosk (issue 6): the flow in the real app"
        mkdir -p "$work/kiosk"
        build-bench/tests/bench/bench_kiosk build-bench/kiosk/hifazat-kiosk build-bench/kiosk/hifazat \
            "$work/kiosk"
        ;;
    *)
        echo "unknown section $s" >&2
        exit 2
        ;;
    esac
done
