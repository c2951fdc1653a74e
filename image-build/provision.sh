#!/bin/bash
# Provisions a Hifazat stick (or image) for a site: writes its site settings
# to /hifazat/site.conf on the stick's EFI system partition, without mounting
# anything.
#
#   image-build/provision.sh TARGET --helpline-key helpline.pub
#                            [--helpline-signing-key helpline-sign.pub] [--upload-url URL]
#                            [--upload-ca CA.pem] [--upload-pin PIN] [--kiosk-id ID]
#                            [--staff-pin-hash HASH]
#
# TARGET is the image file before it is written (hifazat-usb.img; no root
# needed) or the written stick's whole device (/dev/sdX; as root). The
# helpline's public key file is the helpline.pub that `hifazat keygen` made
# (compare the fingerprint keygen printed with the one on the kiosk's staff
# screen); helpline-sign.pub, its receipt-signing key (kiosks check the
# helpline's status archives with it). CA.pem: the CA that signed the drop
# box's certificate when it is not one the system trusts; PIN: sha256//BASE64
# of its public key. HASH is what `hifazat staff-pin` prints after
# "pin_hash = " (the staff screen stays closed without one). Running it
# again replaces the settings but keeps the stick's own kiosk_key_secret (it
# unlocks the kiosk's signing key on the data partition) and the GPT
# identifiers it gave the stick the first time (sgdisk -G: the boot chain
# finds its root by them). Uses mtools on the ESP at its offset, and sgdisk.
set -euo pipefail
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "provision.sh: $*" >&2; exit 2; }
. "$(dirname "$0")/site-conf.sh"
[ $# -ge 1 ] || usage 2
case "$1" in -h|--help) usage 0 ;; esac
TARGET=$1; shift
KEY=""; SIGN_KEY=""; URL=""; ID=""; PIN_HASH=""; CA=""; PIN=""
while [ $# -gt 0 ]; do
    case "$1" in
        --helpline-key) KEY=$2; shift 2 ;;
        --helpline-signing-key) SIGN_KEY=$2; shift 2 ;;
        --upload-url) URL=$2; shift 2 ;;
        --upload-ca) CA=$2; shift 2 ;;
        --upload-pin) PIN=$2; shift 2 ;;
        --kiosk-id) ID=$2; shift 2 ;;
        --staff-pin-hash) PIN_HASH=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) die "unknown option $1" ;;
    esac
done
[ -e "$TARGET" ] || die "$TARGET does not exist"
[ -n "$KEY" ] || die "--helpline-key FILE is required"
[ -r "$KEY" ] || die "cannot read $KEY"
key64=$(grep -v '^[[:space:]]*#' "$KEY" | tr -d ' \t\r\n')
printf '%s' "$key64" | base64 -d 2>/dev/null | wc -c | grep -qx 32 ||
    die "$KEY is not a helpline public key (one line of base64 for 32 bytes, as hifazat keygen writes it)"
sign64=""
if [ -n "$SIGN_KEY" ]; then
    [ -r "$SIGN_KEY" ] || die "cannot read $SIGN_KEY"
    sign64=$(grep -v '^[[:space:]]*#' "$SIGN_KEY" | tr -d ' \t\r\n')
    printf '%s' "$sign64" | base64 -d 2>/dev/null | wc -c | grep -qx 32 ||
        die "$SIGN_KEY is not a helpline signing key (one line of base64 for 32 bytes, as hifazat keygen writes helpline-sign.pub)"
fi
case "$URL" in ""|https://*) ;; *) die "--upload-url must be an https:// URL" ;; esac
case "$ID" in *[!A-Za-z0-9_.-]*) die "--kiosk-id: letters, digits, - _ . only" ;; esac
case "$PIN_HASH" in ""|'$argon2id$'*) ;; *) die "--staff-pin-hash: the argon2id hash 'hifazat staff-pin' prints (\$argon2id\$...)" ;; esac
case "$PIN" in ""|sha256//*) ;; *) die "--upload-pin: sha256//BASE64 of the drop box's public key" ;; esac
if [ -n "$CA" ]; then
    [ -r "$CA" ] || die "cannot read $CA"
    grep -q -- '-----BEGIN CERTIFICATE-----' "$CA" || die "$CA is not a PEM certificate"
fi
{ [ -z "$CA" ] && [ -z "$PIN" ]; } || [ -n "$URL" ] || die "--upload-ca and --upload-pin need --upload-url"

off=$(site_esp_offset "$TARGET") || die "$TARGET has no GPT partition 2 named ESP (not a Hifazat stick?)"
esp="$TARGET@@$off"
MTOOLS_SKIP_CHECK=1 mlabel -s -i "$esp" :: 2>/dev/null | grep -q KIOSKESP ||
    die "no KIOSKESP filesystem on partition 2 of $TARGET"

# Once per stick: the secret that unlocks the kiosk's signing key on the data
# partition. Kept when re-provisioning, or that key could no longer be read.
secret=$(site_secret_on_esp "$esp" || true)
new_secret=0
if [ -z "$secret" ]; then
    secret=$(head -c 32 /dev/urandom | base64 -w0)
    new_secret=1
    # Also once per stick: GPT identifiers of its own (disk and partitions).
    # GRUB names the root partition to the kernel by its PARTUUID, and the
    # initramfs refuses to start when another disk has the same ones, as
    # every stick written from one image has until it is provisioned.
    sgdisk -G "$TARGET" >/dev/null || die "sgdisk -G $TARGET: cannot give the stick identifiers of its own"
fi

conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
{
    echo "# Site settings for this kiosk, written by image-build/provision.sh onto"
    echo "# the stick's ESP; the kiosk reads them as /run/hifazat/site.conf (root's)."
    echo "[kiosk]"
    [ -z "$ID" ] || echo "id = $ID"
    echo "helpline_public_key = $key64"
    [ -z "$sign64" ] || echo "helpline_signing_public_key = $sign64"
    echo "kiosk_key_secret = $secret"
    site_sections "$URL" "$PIN_HASH" "${CA:+$SITE_CA_PATH}" "$PIN"
} > "$conf"
site_write_esp "$esp" "$conf" "$CA" || die "writing /hifazat/site.conf to the ESP of $TARGET failed"

# A stick provisioned before site settings moved to the ESP has them in the
# data partition's kiosk.conf, where the kiosk now refuses them: keep only
# staff's preferences there (debugfs, nothing mounted).
info=$(sgdisk -i 4 "$TARGET" 2>/dev/null || true)
if echo "$info" | grep -q "Partition name: 'kioskdata'"; then
    data="$TARGET?offset=$(( $(echo "$info" | awk '/First sector/ {print $3}') * 512 ))"
    old=$(mktemp); new=$(mktemp)
    trap 'rm -f "$conf" "$old" "$new"' EXIT
    if debugfs -R "dump /kiosk.conf $old" "$data" 2>/dev/null && [ -s "$old" ]; then
        awk '
            /^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s) }
            s == "upload" || s == "referrals" { next }
            /^[[:space:]]*[#;]/ || !/=/ { print; next }
            { k = $0; sub(/=.*/, "", k); gsub(/[[:space:]]/, "", k) }
            s == "kiosk" && (k == "id" || k == "helpline_public_key" || k == "helpline_key" || k == "helpline_signing_public_key" || k == "helpline_signing_key" || k == "kiosk_key_secret") { next }
            s == "staff" && k == "pin_hash" { next }
            { print }' "$old" > "$new"
        if ! cmp -s "$old" "$new"; then
            debugfs -w -f - "$data" >/dev/null 2>&1 <<CMDS
rm /kiosk.conf
write $new /kiosk.conf
sif /kiosk.conf uid 990
sif /kiosk.conf gid 990
sif /kiosk.conf mode 0100600
CMDS
            echo "removed the old site settings from the data partition's kiosk.conf (they are on the ESP now)"
        fi
    fi
fi
echo "provisioned $TARGET: helpline key ${key64:0:12}...${URL:+, upload to $URL}${CA:+ (own CA)}${ID:+, kiosk id $ID}${PIN_HASH:+, staff PIN set}, kiosk key secret and identifiers $([ "$new_secret" = 1 ] && echo new || echo kept)"
