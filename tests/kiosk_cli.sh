#!/bin/sh
# hifazat-kiosk from the outside: KIOSK_READY once the first frame is shown,
# clear errors and exit 2 for bad drivers and options (never a blank screen).
# Usage: kiosk_cli.sh BINARY
set -u
bin=$1
fail=0
check() { if eval "$2"; then :; else echo "FAIL: $1"; fail=1; fi; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

"$bin" --windowed --size 1024x600 --exit-after-frames 3 >"$out" 2>"$err"; rc=$?
check "runs and exits 0 (rc=$rc: $(cat "$err"))" '[ $rc -eq 0 ]'
check "prints KIOSK_READY exactly once" '[ "$(grep -c "^KIOSK_READY$" "$out")" -eq 1 ]'
check "names its drivers on stderr" 'grep -q "video dummy, renderer software, 1024x600" "$err"'

"$bin" --exit-after-frames 1 >"$out" 2>"$err"; rc=$?
check "full screen on the dummy display (rc=$rc)" '[ $rc -eq 0 ] && grep -q "^KIOSK_READY$" "$out"'

SDL_VIDEODRIVER=no-such-driver "$bin" --windowed --exit-after-frames 1 >"$out" 2>"$err"; rc=$?
check "bad SDL_VIDEODRIVER exits 2 (rc=$rc)" '[ $rc -eq 2 ]'
check "bad SDL_VIDEODRIVER is named" 'grep -q "video driver .no-such-driver. failed" "$err"'
check "no KIOSK_READY on failure" '! grep -q KIOSK_READY "$out"'

"$bin" --windowed --render-driver no-such-renderer --exit-after-frames 1 >"$out" 2>"$err"; rc=$?
check "bad render driver exits 2 (rc=$rc)" '[ $rc -eq 2 ]'
check "bad render driver lists the available ones" 'grep -q "available: .*software" "$err"'

"$bin" --no-such-option >"$out" 2>"$err"; rc=$?
check "unknown option exits 2" '[ $rc -eq 2 ] && grep -q "unknown option" "$err"'
"$bin" --size 10x10 >"$out" 2>"$err"; rc=$?
check "bad --size exits 2" '[ $rc -eq 2 ]'
"$bin" --help >"$out" 2>"$err"; rc=$?
check "--help exits 0 and documents F12" '[ $rc -eq 0 ] && grep -q F12 "$out"'
"$bin" --list-drivers >"$out" 2>"$err"; rc=$?
check "--list-drivers" '[ $rc -eq 0 ] && grep -q "render drivers:.*software" "$out"'
"$bin" --windowed --lang en --screen privacy --demo --exit-after-frames 2 >"$out" 2>"$err"; rc=$?
check "English, privacy screen, demo (rc=$rc)" '[ $rc -eq 0 ]'
"$bin" --windowed --screen nowhere >"$out" 2>"$err"; rc=$?
check "unknown screen exits 2" '[ $rc -eq 2 ] && grep -q "unknown screen" "$err"'

# HIFAZAT_TEST_EVENTS=1: a line when the number of devices changes and on
# every screen change (for the USB image's boot test); never a name.
media=$(mktemp -d)
HIFAZAT_TEST_EVENTS=1 "$bin" --windowed --media-root "$media" --media-folders --demo-dir "$media" \
    --config /nonexistent/kiosk.conf -q >"$out" 2>"$err" &
pid=$!
wait_for() { i=0; while [ $i -lt 100 ] && ! grep -q "$1" "$out"; do sleep 0.1; i=$((i + 1)); done; }
wait_for "^KIOSK_READY$"
wait_for "^KIOSK_EVENT volumes=0$"
mkdir "$media/SECRET-LABEL"
wait_for "^KIOSK_EVENT volumes=1$"
rmdir "$media/SECRET-LABEL"
i=0
while [ $i -lt 100 ] && [ "$(grep -c "^KIOSK_EVENT volumes=0$" "$out")" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "test events: screen (config error without a config)" 'grep -q "^KIOSK_EVENT screen=config_error$" "$out"'
check "test events: a device appears" 'grep -q "^KIOSK_EVENT volumes=1$" "$out"'
check "test events: and goes" '[ "$(grep -c "^KIOSK_EVENT volumes=0$" "$out")" -ge 2 ]'
check "test events never name a device" '! grep -q SECRET "$out" "$err"'
HIFAZAT_TEST_EVENTS=0 "$bin" --windowed --exit-after-frames 1 >"$out" 2>&1
check "no test events unless asked" '! grep -q KIOSK_EVENT "$out"'
rm -rf "$media"

# hifazat staff-pin: the config line for the staff PIN, from a file, never an argument.
cli=$(dirname "$bin")/hifazat
pinf=$(mktemp)
echo 246813 >"$pinf"
"$cli" staff-pin --pin-file "$pinf" >"$out" 2>"$err"; rc=$?
check "staff-pin prints an argon2id line (rc=$rc)" '[ $rc -eq 0 ] && grep -q "^pin_hash = .argon2id.v=19" "$out"'
check "staff-pin uses libsodium's moderate cost (256 MiB)" 'grep -q "m=262144,t=3," "$out"'
check "staff-pin never prints the PIN" '! grep -q 246813 "$out" "$err"'
echo 12ab56 >"$pinf"
"$cli" staff-pin --pin-file "$pinf" >"$out" 2>"$err"; rc=$?
check "staff-pin refuses a PIN that is not digits" '[ $rc -eq 2 ] && grep -q "6 to 12 digits" "$err"'
echo 24681 >"$pinf"
"$cli" staff-pin --pin-file "$pinf" >"$out" 2>"$err"; rc=$?
check "staff-pin refuses fewer than 6 digits" '[ $rc -eq 2 ] && grep -q "6 to 12 digits" "$err"'
"$cli" staff-pin 246813 >"$out" 2>"$err"; rc=$?
check "staff-pin refuses the PIN as an argument" '[ $rc -eq 2 ]'
rm -f "$pinf"

[ $fail -eq 0 ] && echo "kiosk_cli: all checks passed"
exit $fail
