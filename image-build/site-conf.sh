# image-build/site-conf.sh — sourced by build.sh and provision.sh: the
# kiosk.conf sections both write from the same options, so that a setting
# added here reaches the image's configuration and a stick's override alike.

# site_sections URL PIN_HASH: [upload] and [staff], each only when given.
site_sections() {
    if [ -n "$1" ]; then
        echo "[upload]"
        echo "url = $1"
    fi
    if [ -n "$2" ]; then
        echo "[staff]"
        echo "pin_hash = $2"
    fi
}
