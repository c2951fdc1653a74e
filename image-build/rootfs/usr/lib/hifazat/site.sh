# Shared by upload-firewall (sourced, POSIX sh): a setting from the
# root-owned configuration only: the site settings (/run/hifazat/site.conf,
# copied from the boot stick's ESP by hifazat-site.service) first, then the
# image's /etc/hifazat/kiosk.conf. Never the override on the data partition,
# which the kiosk itself can write.

# ini_get FILE SECTION KEY: the value, or nothing
ini_get() {
    [ -r "$1" ] || return 0
    awk -v sec="$2" -v key="$3" '
        /^[[:space:]]*[#;]/ { next }
        /^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s); cur = s; next }
        cur == sec {
            i = index($0, "="); if (!i) next
            k = substr($0, 1, i - 1); gsub(/[[:space:]]/, "", k)
            if (k != key) next
            v = substr($0, i + 1); sub(/^[[:space:]]+/, "", v); sub(/[[:space:]]+$/, "", v)
            val = v
        }
        END { if (val != "") print val }' "$1"
}

# (HIFAZAT_ROOT: a directory standing for / in tests/image/test_image_scripts.py)
site_get() {
    _v=$(ini_get "${HIFAZAT_ROOT:-}/run/hifazat/site.conf" "$1" "$2")
    [ -n "$_v" ] || _v=$(ini_get "${HIFAZAT_ROOT:-}/etc/hifazat/kiosk.conf" "$1" "$2")
    printf '%s' "$_v"
}
