#!/bin/sh
# Builds the narration clips (build time; CMake runs it).
#   scripts/gen-audio.sh TEXTS.tsv OUTDIR SRCDIR
# TEXTS.tsv comes from hifazat-guide-texts: "lang<TAB>clip<TAB>slow<TAB>text"
# per clip, the texts being the .po's msgstr. For each clip, in order:
#   1. a human recording SRCDIR/assets/audio/<lang>/<clip>.opus is copied,
#   2. or SRCDIR/assets/audio/<lang>/<clip>.wav is encoded,
#   3. else espeak-ng speaks the text (Urdu voice "ur", English "en") and
#      opusenc encodes it.
# Output: OUTDIR/<lang>/<clip>.opus, mono Ogg Opus at 20 kb/s (speech). Only
# clips whose text or recording changed are made again.
set -eu
tsv=$1 out=$2 src=$3
tab=$(printf '\t')
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hifazat-audio-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
made=0 kept=0 human=0
while IFS="$tab" read -r lang clip slow text; do
    [ -n "$lang" ] || continue
    mkdir -p "$out/$lang"
    dst="$out/$lang/$clip.opus"
    rec="$src/assets/audio/$lang/$clip"
    if [ -f "$rec.opus" ]; then
        cp "$rec.opus" "$dst"
        human=$((human + 1))
        continue
    fi
    if [ -f "$rec.wav" ]; then
        opusenc --quiet --bitrate 20 --downmix-mono "$rec.wav" "$dst"
        human=$((human + 1))
        continue
    fi
    # The text and voice settings are kept beside the clip: unchanged, no work.
    speed=150
    [ "$slow" = 1 ] && speed=110
    key="$lang $speed $text"
    if [ -f "$dst" ] && [ -f "$dst.txt" ] && [ "$(cat "$dst.txt")" = "$key" ]; then
        kept=$((kept + 1))
        continue
    fi
    voice=$lang
    espeak-ng -v "$voice" -s "$speed" -w "$tmp/c.wav" -- "$text"
    opusenc --quiet --bitrate 20 --downmix-mono "$tmp/c.wav" "$dst"
    printf '%s' "$key" > "$dst.txt"
    made=$((made + 1))
done < "$tsv"
# Clips the guide no longer names are not installed with the app.
cut -f1,2 "$tsv" | tr "$tab" / | sed 's/$/.opus/' | sort > "$tmp/want"
stale=0
for f in "$out"/*/*.opus; do
    [ -e "$f" ] || continue
    rel=${f#"$out"/}
    if ! grep -qxF "$rel" "$tmp/want"; then
        rm -f "$f" "$f.txt"
        stale=$((stale + 1))
    fi
done
echo "gen-audio: $made spoken, $kept unchanged, $human human recordings, $stale stale removed"
