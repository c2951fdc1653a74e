#!/bin/sh
# Re-extracts the UI strings (xgettext) and merges them into assets/po/*.po,
# keeping existing translations. New strings arrive untranslated: translate
# them (the po check test fails until every string has its Urdu), then build.
set -eu
cd "$(dirname "$0")/.."
pot=$(mktemp "${TMPDIR:-/tmp}/hifazat-XXXXXX.pot")
trap 'rm -f "$pot"' EXIT
xgettext --add-location=file --keyword=_ --keyword=N_ --from-code=UTF-8 \
    --add-comments=TRANSLATORS --package-name=hifazat -o "$pot" \
    kiosk/src/app/*.c kiosk/src/ui/*.c kiosk/src/guide/*.c
for po in assets/po/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$pot"
done
echo "merged into assets/po/*.po"
