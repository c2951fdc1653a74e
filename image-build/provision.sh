#!/bin/bash
# Provisions a Hifazat stick (or image) for a site: writes the configuration
# override kiosk.conf onto its KIOSKDATA partition, without mounting anything.
#
#   image-build/provision.sh TARGET --helpline-key helpline.pub [--upload-url URL] [--kiosk-id ID]
#                            [--staff-pin-hash HASH]
#
# TARGET is the image file before it is written (hifazat-usb.img; no root
# needed) or the written stick's whole device (/dev/sdX; as root). The
# helpline's public key file is the helpline.pub that `hifazat keygen` made
# (compare the fingerprint keygen printed with the one on the kiosk's staff
# screen). HASH is what `hifazat staff-pin` prints after "pin_hash = " (the
# staff screen stays closed without one). Running it again replaces the
# previous override. Uses debugfs (e2fsprogs) on the partition at its offset,
# and sgdisk to find it.
set -euo pipefail
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "provision.sh: $*" >&2; exit 2; }
. "$(dirname "$0")/site-conf.sh"
[ $# -ge 1 ] || usage 2
case "$1" in -h|--help) usage 0 ;; esac
TARGET=$1; shift
KEY=""; URL=""; ID=""; PIN_HASH=""
while [ $# -gt 0 ]; do
    case "$1" in
        --helpline-key) KEY=$2; shift 2 ;;
        --upload-url) URL=$2; shift 2 ;;
        --kiosk-id) ID=$2; shift 2 ;;
        --staff-pin-hash) PIN_HASH=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) die "unknown option $1" ;;
    esac
done
KIOSK_UID=990
[ -e "$TARGET" ] || die "$TARGET does not exist"
[ -n "$KEY" ] || die "--helpline-key FILE is required"
[ -r "$KEY" ] || die "cannot read $KEY"
key64=$(grep -v '^[[:space:]]*#' "$KEY" | tr -d ' \t\r\n')
printf '%s' "$key64" | base64 -d 2>/dev/null | wc -c | grep -qx 32 ||
    die "$KEY is not a helpline public key (one line of base64 for 32 bytes, as hifazat keygen writes it)"
case "$URL" in ""|https://*) ;; *) die "--upload-url must be an https:// URL" ;; esac
case "$ID" in *[!A-Za-z0-9_.-]*) die "--kiosk-id: letters, digits, - _ . only" ;; esac
case "$PIN_HASH" in ""|'$argon2id$'*) ;; *) die "--staff-pin-hash: the argon2id hash 'hifazat staff-pin' prints (\$argon2id\$...)" ;; esac

info=$(sgdisk -i 4 "$TARGET" 2>/dev/null) || die "$TARGET has no GPT partition 4 (not a Hifazat stick?)"
echo "$info" | grep -q "Partition name: 'kioskdata'" || die "partition 4 of $TARGET is not kioskdata (not a Hifazat stick?)"
first=$(echo "$info" | awk '/First sector/ {print $3}')
dev="$TARGET?offset=$((first * 512))"
debugfs -R "stats" "$dev" 2>/dev/null | grep -q 'Filesystem volume name:   KIOSKDATA' ||
    die "no KIOSKDATA filesystem on partition 4 of $TARGET"

conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
{
    echo "# Site settings for this kiosk, written by image-build/provision.sh."
    echo "# They override /etc/hifazat/kiosk.conf in the image."
    echo "[kiosk]"
    [ -z "$ID" ] || echo "id = $ID"
    echo "helpline_public_key = $key64"
    site_sections "$URL" "$PIN_HASH"
} > "$conf"
# owned by the kiosk user, readable by nobody else (it may one day hold upload credentials)
debugfs -w -f - "$dev" >/dev/null 2>&1 <<CMDS
rm /kiosk.conf
write $conf /kiosk.conf
sif /kiosk.conf uid $KIOSK_UID
sif /kiosk.conf gid $KIOSK_UID
sif /kiosk.conf mode 0100600
CMDS
debugfs -R "cat /kiosk.conf" "$dev" 2>/dev/null | cmp -s - "$conf" || die "writing kiosk.conf to $TARGET failed"
echo "provisioned $TARGET: helpline key ${key64:0:12}...${URL:+, upload to $URL}${ID:+, kiosk id $ID}${PIN_HASH:+, staff PIN set}"
