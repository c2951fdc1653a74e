# image-build/site-conf.sh — sourced by build.sh and provision.sh: the site
# settings (where reports go, whom people call, the staff PIN) as both write
# them: /hifazat/site.conf on the stick's EFI system partition (FAT), written
# with mtools, nothing mounted. At boot hifazat-site.service copies it to
# /run/hifazat/site.conf, root's and read-only for the kiosk (site_config in
# the image's /etc/hifazat/kiosk.conf); the data partition, which the kiosk
# can write, never holds them.

# site_sections URL PIN_HASH [CA_PATH] [PIN]: [upload] and [staff], each only
# when given.
site_sections() {
    if [ -n "$1" ]; then
        echo "[upload]"
        echo "url = $1"
        [ -z "${3:-}" ] || echo "ca_file = $3"
        [ -z "${4:-}" ] || echo "pin = $4"
    fi
    if [ -n "$2" ]; then
        echo "[staff]"
        echo "pin_hash = $2"
    fi
}

# Where the CA file of the drop box ends up on the running kiosk.
SITE_CA_PATH=/run/hifazat/upload-ca.pem

# site_esp_offset IMAGE_OR_DEVICE: byte offset of the ESP (GPT partition 2,
# named ESP), or fails.
site_esp_offset() {
    local info
    info=$(sgdisk -i 2 "$1" 2>/dev/null) || return 1
    echo "$info" | grep -q "Partition name: 'ESP'" || return 1
    echo $(( $(echo "$info" | awk '/First sector/ {print $3}') * 512 ))
}

# site_secret_on_esp MTOOLS_IMAGE: the kiosk_key_secret of the site.conf
# already there (nothing when none).
site_secret_on_esp() {
    { MTOOLS_SKIP_CHECK=1 mtype -i "$1" ::/hifazat/site.conf 2>/dev/null || true; } | tr -d '\r' |
        awk '/^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s); next }
             s == "kiosk" && $1 == "kiosk_key_secret" && $2 == "=" { v = $3 } END { if (v != "") print v }'
}

# site_write_esp MTOOLS_IMAGE CONF_FILE [CA_FILE]: /hifazat/site.conf (and
# /hifazat/upload-ca.pem, or none) on the ESP, replacing what was there.
site_write_esp() {
    local i=$1
    export MTOOLS_SKIP_CHECK=1
    mmd -i "$i" ::/hifazat 2>/dev/null || true
    mcopy -o -i "$i" "$2" ::/hifazat/site.conf
    if [ -n "${3:-}" ]; then
        mcopy -o -i "$i" "$3" ::/hifazat/upload-ca.pem
    else
        mdel -i "$i" ::/hifazat/upload-ca.pem 2>/dev/null || true
    fi
    mtype -i "$i" ::/hifazat/site.conf | cmp -s - "$2"
}
