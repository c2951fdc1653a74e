#!/bin/sh
# `hifazat --version` and `hifazat-kiosk --version` name the checkout's
# `git describe` as it is now: taken at build time, not when cmake last ran.
# Outside a git tree there is nothing to compare with (skipped, 77).
cli=$1 kiosk=$2 src=$3
want=$(git -C "$src" describe --always --dirty --tags 2>/dev/null) || {
    echo "not a git tree: skipped"
    exit 77
}
rc=0
for bin in "$cli" "$kiosk"; do
    got=$("$bin" --version) || { echo "$bin --version failed"; rc=1; continue; }
    case "$got" in
    *"($want)"*) echo "ok: $got" ;;
    *) echo "$bin --version says '$got'; git describe says '$want'"; rc=1 ;;
    esac
done
exit $rc
