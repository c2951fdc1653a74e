#!/bin/sh
# Installs every Debian 12 package that Hifazat's build, tests and benchmarks need.
# Idempotent: asks apt only for what is missing and prints nothing when all is there.
# Usage: scripts/install-deps.sh [--image]   (--image adds what image-build/ needs)
set -eu

PKGS="
build-essential cmake ninja-build pkg-config git gettext
clang llvm libclang-rt-14-dev
libsdl2-dev libraqm-dev libfreetype-dev libharfbuzz-dev libfribidi-dev libunibreak-dev
libsodium-dev libarchive-dev libjansson-dev libinih-dev libqrencode-dev libcurl4-openssl-dev
libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev libgif-dev libexif-dev nettle-dev
libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
libjpeg-turbo-progs ffmpeg imagemagick python3 nginx-light openssl curl
espeak-ng opus-tools libopusfile-dev libasound2-dev librsvg2-bin fonts-noto-core
zlib1g-dev
libmtp-dev libgphoto2-dev libudev-dev mtp-tools
zbar-tools
libseccomp-dev
"
# image-build/: mmdebstrap (rootfs), squashfs-tools, dosfstools+mtools (ESP
# without mounting), e2fsprogs (KIOSKDATA: mkfs.ext4 -d, debugfs), gdisk+fdisk
# (GPT on a plain file), grub-*-bin (BIOS + UEFI boot images), dpkg-dev (the
# kiosk .deb's dependencies via dpkg-shlibdeps), cpio (the test-only initrd
# layer), qemu-system-x86 + ovmf (the boot test, BIOS via SeaBIOS and UEFI),
# imagemagick (screendump comparison; also in PKGS), zstd + gzip, ntfs-3g +
# exfatprogs (the test sticks with NTFS and exFAT filesystems), hostapd + iw
# + busybox (udhcpd) with nginx-light (in PKGS): boot 2's Wi-Fi access point
# and drop box, carried into the test variant only.
IMAGE_PKGS="
mmdebstrap debian-archive-keyring squashfs-tools dosfstools mtools e2fsprogs fdisk gdisk
grub-pc-bin grub-efi-amd64-bin dpkg-dev cpio gzip zstd
ntfs-3g exfatprogs
qemu-system-x86 ovmf
hostapd iw busybox
"
[ "${1:-}" = "--image" ] && PKGS="$PKGS $IMAGE_PKGS"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
