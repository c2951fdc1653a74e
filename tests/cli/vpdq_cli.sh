#!/bin/sh
# vPDQ through the command line: `hifazat hash` on videos and `hifazat compare`.
# Re-encodes of one of Meta's sample videos are made here with the ffmpeg
# command-line tool (another bitrate, half size, a few pixels cropped, a
# watermark, a platform's autorotated copy of a phone video); each must still
# match the original under the vPDQ rule, and different videos must not.
# Needs: HIFAZAT_BIN, HIFAZAT_SHARED (set by ctest), ffmpeg, python3.
set -u
H="$HIFAZAT_BIN/hifazat"
V="$HIFAZAT_SHARED/vpdq/videos"
ORIG="$V/chair-orig-22-sd-bar.mp4"
T=$(mktemp -d "${TMPDIR:-/tmp}/hifazat-vpdqcli-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
failures=0
checks=0

fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }
# expect STATUS DESCRIPTION -- COMMAND...
expect() {
    want=$1; what=$2; shift 3
    checks=$((checks + 1))
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$what: exit $got, want $want ($(head -c 400 "$T/out" "$T/err"))"
}
# jcheck FILE PYTHON-EXPR: the expression over j (the JSON object on FILE's first line) must hold
jcheck() {
    checks=$((checks + 1))
    python3 - "$1" "$2" <<'EOF' || fail "$2 on $(head -c 300 "$1")"
import json, re, sys
with open(sys.argv[1]) as f:
    j = json.loads(f.readline())
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}
ff() { out=$1; shift; ffmpeg -nostdin -v error -y "$@" "$T/$out" || fail "ffmpeg $out"; }

# ---- re-encodes of the original ----
FONT=/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf
ff lowrate.mp4 -i "$ORIG" -an -c:v libx264 -preset veryfast -b:v 200k
ff half.mp4 -i "$ORIG" -an -vf scale=iw/2:ih/2 -c:v libx264 -preset veryfast
ff crop.mp4 -i "$ORIG" -an -vf crop=iw-10:ih-8:6:4 -c:v libx264 -preset veryfast
ff mark.mp4 -i "$ORIG" -an -vf "drawtext=fontfile=$FONT:text='@reuploader':x=w-tw-12:y=h-th-12:fontsize=22:fontcolor=white@0.8,drawbox=x=10:y=10:w=80:h=40:color=red@0.7:t=fill" -c:v libx264 -preset veryfast
ff webm.webm -i "$ORIG" -an -c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8
for f in lowrate.mp4 half.mp4 crop.mp4 mark.mp4 webm.webm; do
    expect 0 "$f matches the original" -- "$H" compare "$T/$f" "$ORIG"
    jcheck "$T/out" "j['match'] and j['query_percent'] >= 80 and j['rule'] == 'query >= 80 %'"
done

# a phone video (landscape pixels + rotation flag) and the platform's upright re-encode
ff phone.mp4 -i "$ORIG" -an -c copy -metadata:s:v:0 rotate=90
ff platform.mp4 -i "$T/phone.mp4" -an -c:v libx264 -preset veryfast -b:v 400k
expect 0 "autorotated re-encode matches the phone video" -- "$H" compare "$T/platform.mp4" "$T/phone.mp4"
jcheck "$T/out" "j['match'] and j['target_variant'] == 'displayed' and j['query_variant'] == 'decoded'"

# a clip: matches as the query, not the other way round (unless --either)
ff clip.mp4 -i "$ORIG" -an -ss 5 -t 8 -c:v libx264 -preset veryfast
expect 0 "clip as query" -- "$H" compare "$T/clip.mp4" "$ORIG"
expect 1 "whole video as query of a clip" -- "$H" compare "$ORIG" "$T/clip.mp4"
jcheck "$T/out" "not j['match'] and j['target_percent'] == 100"
expect 0 "--either" -- "$H" compare --either "$ORIG" "$T/clip.mp4"

# ---- different videos do not match ----
expect 1 "chair vs pattern" -- "$H" compare "$ORIG" "$V/pattern-sd-grey-bar.mp4"
jcheck "$T/out" "not j['match'] and j['query_percent'] < 20"
expect 1 "doorknob vs chair" -- "$H" compare "$V/doorknob-hd-no-bar.mp4" "$ORIG"
expect 1 "pattern vs doorknob" -- "$H" compare "$V/pattern-hd-no-bar.mp4" "$V/doorknob-hd-no-bar.mp4"

# ---- hifazat hash on videos ----
expect 0 "hash a video" -- "$H" hash "$ORIG"
cp "$T/out" "$T/orig.json"
jcheck "$T/orig.json" "j['kind'] == 'video' and len(j['md5']) == 32 and len(j['sha256']) == 64"
jcheck "$T/orig.json" "j['width'] == 480 and j['height'] == 720 and j['fps'] == 30 and j['frames'] == 673"
jcheck "$T/orig.json" "len(j['vpdq']) == 23 and all(re.fullmatch(r'[0-9a-f]{64},\d{1,3},\d+\.\d{3}', s) for s in j['vpdq'])"
jcheck "$T/orig.json" "j['vpdq'][1].endswith(',1.000') and j['vpdq_low_quality_frames'] == 0 and 'error' not in j"
expect 0 "every frame" -- "$H" hash --vpdq-interval 0 "$ORIG"
jcheck "$T/out" "len(j['vpdq']) == 673"
expect 0 "downscale" -- "$H" hash --vpdq-downscale 128 "$ORIG"
jcheck "$T/out" "len(j['vpdq']) == 23 and j['vpdq'] != json.load(open('$T/orig.json'))['vpdq']"
expect 0 "--no-vpdq" -- "$H" hash --no-vpdq "$ORIG"
jcheck "$T/out" "'vpdq' not in j and len(j['sha256']) == 64"
expect 0 "phone video" -- "$H" hash "$T/phone.mp4"
jcheck "$T/out" "j['rotation'] == 270 and len(j['vpdq_displayed']) == len(j['vpdq']) and j['vpdq_displayed'] != j['vpdq']"
expect 0 "--no-displayed" -- "$H" hash --no-displayed "$T/phone.mp4"
jcheck "$T/out" "j['rotation'] == 270 and 'vpdq_displayed' not in j"

# saved lists as compare inputs: hash output, HMA JSON array, reference text
expect 0 "re-encode vs saved hash output" -- "$H" compare "$T/half.mp4" "$T/orig.json"
python3 -c "import json; print(json.dumps(json.load(open('$T/orig.json'))['vpdq']))" >"$T/hma.json"
expect 0 "HMA list vs video" -- "$H" compare "$T/hma.json" "$T/crop.mp4"
python3 -c "
import json
for i, s in enumerate(json.load(open('$T/orig.json'))['vpdq']):
    h, q, t = s.split(',')
    print(f'{i*30},{q},{h},{t}')" >"$T/ref.txt"
expect 0 "reference text vs HMA list" -- "$H" compare "$T/ref.txt" "$T/hma.json"
jcheck "$T/out" "j['match'] and j['query_percent'] == 100 and j['query_frames'] == 23"
expect 0 "saved phone hash keeps the displayed list" -- "$H" hash "$T/phone.mp4"
cp "$T/out" "$T/phone.json"
expect 0 "re-encode vs saved rotated hash" -- "$H" compare "$T/platform.mp4" "$T/phone.json"

# ---- damaged input: clear errors, digests still there, exit codes ----
size=$(stat -c %s "$ORIG")
head -c $((size / 2)) "$ORIG" >"$T/cut.mp4"
expect 1 "cut video" -- "$H" hash "$T/cut.mp4"
jcheck "$T/out" "j['error'] == 'corrupt_video' and len(j['md5']) == 32 and len(j['vpdq']) > 5 and j['vpdq_complete'] is False"
head -c 3000 "$ORIG" >"$T/stub.mp4"
head -c 200000 /dev/urandom >>"$T/stub.mp4"
expect 1 "header + garbage" -- "$H" hash "$T/stub.mp4"
jcheck "$T/out" "j['error'] in ('corrupt_video', 'no_video_frames') and len(j['sha256']) == 64"
# sound only, in a container that does not say so (an .m4a says so: not a video at all)
ff audio.mp4 -f lavfi -i sine=duration=1 -c:a aac
expect 1 "audio only" -- "$H" hash "$T/audio.mp4"
jcheck "$T/out" "j['kind'] == 'video' and j['error'] == 'no_video_stream' and len(j['md5']) == 32"
expect 1 "budget" -- "$H" hash --vpdq-interval 0 --video-budget 0.05 "$V/chair-22-sd-grey-bar.mp4"
jcheck "$T/out" "j['error'] == 'video_too_long' and len(j['md5']) == 32"
expect 2 "bad interval" -- "$H" hash --vpdq-interval -1 "$ORIG"
expect 2 "bad downscale" -- "$H" hash --vpdq-downscale 2 "$ORIG"

expect 2 "compare with one input" -- "$H" compare "$ORIG"
expect 3 "compare a missing file" -- "$H" compare "$T/missing.mp4" "$ORIG"
expect 3 "compare an image" -- "$H" compare "$HIFAZAT_SOURCE/tests/fuzz/seeds/image/base.jpg" "$ORIG"
printf 'not a hash\n' >"$T/junk.txt"
expect 3 "compare junk" -- "$H" compare "$T/junk.txt" "$ORIG"
grep -q "line 1" "$T/err" || fail "junk: no line number in '$(cat "$T/err")'"
printf '{"path":"x","kind":"image"}\n' >"$T/img.json"
expect 3 "compare a hash output without vpdq" -- "$H" compare "$T/img.json" "$ORIG"
cat "$T/orig.json" "$T/orig.json" >"$T/two.json"
expect 3 "compare a hash output of two videos" -- "$H" compare "$T/two.json" "$ORIG"
expect 1 "compare a cut video (partial) with another video" -- "$H" compare "$T/cut.mp4" "$V/pattern-hd-no-bar.mp4"
grep -q "note:" "$T/err" || fail "cut video: no note on stderr"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
