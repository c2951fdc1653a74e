#!/bin/bash
# Builds the Hifazat USB image: Debian bookworm (mmdebstrap, minbase) + kernel
# + systemd + the kiosk (.deb made by CMake/CPack from this checkout) → read-only
# squashfs root → GPT disk image that boots on BIOS and on UEFI with Secure Boot
# on (shim + Debian's signed GRUB and kernel), always from its own stick.
#
#   sudo image-build/build.sh [--out DIR] [--helpline-key FILE] [--helpline-signing-key FILE]
#                             [--upload-url URL] [--kiosk-id ID] [--staff-pin-hash HASH]
#                             [--no-compress]
#
# Outputs in DIR (default build-image/): hifazat-usb.img (sparse raw image),
# hifazat-usb.img.gz (for distribution), SHA256SUMS, packages.list (what was
# asked for), packages.lock (every package and version installed), the kiosk
# .deb, build.log. Needs root (mmdebstrap --mode=root, chroot) and only Debian
# packages (scripts/install-deps.sh --image). No loop devices, no mounts: the
# ESP is written with mtools, the data partition with mkfs.ext4 -d, the disk
# with sgdisk + dd, and GRUB's BIOS boot sectors are patched by hand.
#
# Caching (HIFAZAT_IMAGE_CACHE, default /var/cache/hifazat-image): the .debs
# of the last base (older versions are dropped); the base root filesystem (Debian packages only), keyed by the package
# list, the mirror and the initramfs files, rebuilt after 7 days; and the
# finished image, reused when nothing that goes into it changed.
# Reproducible inputs: SOURCE_DATE_EPOCH (default: the last commit's time)
# fixes every timestamp, GUID, UUID and volume id; with a snapshot MIRROR (see
# config.env) the same commit gives the same image.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# shellcheck source=config.env
. "$HERE/config.env"
# shellcheck source=site-conf.sh
. "$HERE/site-conf.sh"

OUT=$REPO/build-image
HELPLINE_KEY=""
SIGNING_KEY=""
UPLOAD_URL=""
KIOSK_ID=""
STAFF_PIN_HASH=""
COMPRESS=1
CACHE=${HIFAZAT_IMAGE_CACHE:-/var/cache/hifazat-image}
BASE_MAX_AGE_DAYS=${HIFAZAT_IMAGE_BASE_MAX_AGE_DAYS:-7}

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "build.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$(realpath -m "$2"); shift 2 ;;
        --helpline-key) HELPLINE_KEY=$(realpath "$2"); shift 2 ;;
        --helpline-signing-key) SIGNING_KEY=$(realpath "$2"); shift 2 ;;
        --upload-url) UPLOAD_URL=$2; shift 2 ;;
        --kiosk-id) KIOSK_ID=$2; shift 2 ;;
        --staff-pin-hash) STAFF_PIN_HASH=$2; shift 2 ;;
        --no-compress) COMPRESS=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "build.sh: unknown option $1" >&2; usage 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root and chroot need it)"
[ -z "$HELPLINE_KEY" ] || [ -r "$HELPLINE_KEY" ] || die "cannot read $HELPLINE_KEY"
[ -z "$SIGNING_KEY" ] || [ -r "$SIGNING_KEY" ] || die "cannot read $SIGNING_KEY"
case "$UPLOAD_URL" in ""|https://*) ;; *) die "--upload-url must be an https:// URL" ;; esac
case "$KIOSK_ID" in ""|*[!A-Za-z0-9_.-]*) [ -z "$KIOSK_ID" ] || die "--kiosk-id: letters, digits, - _ . only" ;; esac
case "$STAFF_PIN_HASH" in ""|'$argon2id$'*) ;; *) die "--staff-pin-hash: the argon2id hash 'hifazat staff-pin' prints (\$argon2id\$...)" ;; esac

mkdir -p "$OUT" "$CACHE/debs"
exec > >(tee "$OUT/build.log") 2>&1
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || echo 1700000000)}
export LC_ALL=C.UTF-8 TZ=UTC
T0=$(date +%s)
step() { printf '\n==== [%4ds] %s\n' $(($(date +%s) - T0)) "$*"; }
echo "build.sh: SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" +%F)), suite $SUITE, mirror $MIRROR"
echo "build.sh: commit $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"

IMG=$OUT/hifazat-usb.img
W=$OUT/work
# A build killed inside mmdebstrap or a chroot leaves /proc, /sys and /dev
# mounted in its tree: unmount those (deepest first) before anything under
# it is removed, and never let rm cross into another filesystem.
unmount_under() {
    findmnt -rn -o TARGET | awk -v d="$1/" 'index($0, d) == 1' | sort -r | while read -r m; do
        umount -l "$m" || true
    done
}
wipe() { local d; for d in "$@"; do [ -e "$d" ] || continue; unmount_under "$(realpath "$d")"; rm -rf --one-file-system "$d"; done; }
# A stable UUID from SOURCE_DATE_EPOCH and a name (GPT GUIDs, ext4, FAT id).
uuid_for() {
    local h
    h=$(printf '%s-%s' "$SOURCE_DATE_EPOCH" "$1" | sha256sum)
    echo "${h:0:8}-${h:8:4}-4${h:13:3}-a${h:17:3}-${h:20:12}"
}

# ---- 1. the kiosk, built for bookworm (the host is bookworm: same libraries)
step "kiosk: Release build and .deb (CPack; dependencies from dpkg-shlibdeps)"
K=$OUT/kiosk-build
cmake -S "$REPO" -B "$K" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
ninja -C "$K" -j2 >/dev/null
rm -f "$K"/hifazat_*.deb
(cd "$K" && cpack -G DEB >/dev/null)
DEB=$(ls "$K"/hifazat_*_amd64.deb)
rm -f "$OUT"/hifazat_*.deb
cp "$DEB" "$OUT/"
DEB=$OUT/$(basename "$DEB")
echo "$(basename "$DEB"): Depends: $(dpkg-deb -f "$DEB" Depends)"

# ---- 2. the package list: packages.txt + the kiosk's dependencies
kiosk_deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g')
{ sed 's/#.*//' "$HERE/packages.txt" | tr -s ' \t' '\n'; echo "$kiosk_deps"; } |
    grep -v '^$' | sort -u > "$OUT/packages.list"
echo "$(wc -l < "$OUT/packages.list") packages asked for (packages.list)"

# ---- 3. base root filesystem: Debian packages only (cached)
# BASE-RECIPE: anything that changes what mmdebstrap makes changes this key.
base_key=$({
    echo "base recipe 4"
    sha256sum < "$HERE/efi-signed.sh"
    echo "$SUITE|$MIRROR|$SECURITY_MIRROR|$COMPONENTS"
    cat "$OUT/packages.list"
    (cd "$HERE/initramfs" && find . -type f | LC_ALL=C sort | xargs sha256sum)
} | sha256sum | cut -c1-16)
BASE=$CACHE/base-$base_key
if [ -d "$BASE" ] && [ -n "$(find "$BASE/.done" -mtime -"$BASE_MAX_AGE_DAYS" 2>/dev/null)" ]; then
    step "base root filesystem: cached ($BASE, built $(date -u -r "$BASE/.done" '+%F %H:%M'))"
else
    step "base root filesystem: mmdebstrap $SUITE minbase + $(wc -l < "$OUT/packages.list") packages"
    wipe "$CACHE"/base-* "$CACHE/base.tmp"
    comps=${COMPONENTS// /,}
    mmdebstrap --variant=minbase --mode=root --format=directory \
        --components="$comps" \
        --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --dpkgopt='path-include=/usr/share/locale/*/LC_MESSAGES/hifazat.mo' \
        --include="$(paste -sd, "$OUT/packages.list")" \
        --skip=download/empty \
        --setup-hook='mkdir -p "$1/var/cache/apt/archives" && cp -a '"$CACHE/debs"'/. "$1/var/cache/apt/archives/"' \
        --setup-hook='mkdir -p "$1/etc/initramfs-tools" && cp -r '"$HERE/initramfs"'/. "$1/etc/initramfs-tools/"' \
        --customize-hook='printf "ur_PK.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n" > "$1/etc/locale.gen" && chroot "$1" locale-gen' \
        --customize-hook="'$HERE/efi-signed.sh' \"\$1\"" \
        --customize-hook='rm -f '"$CACHE/debs"'/*.deb; cp -a "$1"/var/cache/apt/archives/*.deb '"$CACHE/debs"'/ 2>/dev/null || true; rm -f "$1"/var/cache/apt/archives/*.deb' \
        "$SUITE" "$CACHE/base.tmp" \
        "deb $MIRROR $SUITE $COMPONENTS" \
        "deb $MIRROR $SUITE-updates $COMPONENTS" \
        "deb $SECURITY_MIRROR $SUITE-security $COMPONENTS"
    touch "$CACHE/base.tmp/.done"
    mv "$CACHE/base.tmp" "$BASE"
fi
KVER=$(ls "$BASE/lib/modules" | sort -V | tail -1)
echo "kernel $KVER"
for f in shimx64.efi mmx64.efi grubx64.efi VERSIONS; do
    [ -s "$BASE/boot/efi-signed/$f" ] || die "no $f in $BASE/boot/efi-signed (efi-signed.sh): remove the base and build again"
done

# ---- 4. is the finished image already there? (same inputs → same image)
deb_tree=$(mktemp -d)
dpkg-deb -x "$DEB" "$deb_tree"
final_key=$({
    echo "final recipe 3|$base_key|$(cat "$BASE/.done" 2>/dev/null; stat -c %Y "$BASE/.done")"
    echo "$SOURCE_DATE_EPOCH|$CMDLINE|$ESP_MB|$DATA_MB|$KIOSK_UID|$GZIP_LEVEL|$COMPRESS|$UPLOAD_URL|$KIOSK_ID|$STAFF_PIN_HASH"
    [ -z "$HELPLINE_KEY" ] || sha256sum < "$HELPLINE_KEY"
    [ -z "$SIGNING_KEY" ] || sha256sum < "$SIGNING_KEY"
    (cd "$deb_tree" && find . -type f | LC_ALL=C sort | xargs sha256sum)
    (cd "$HERE" && find rootfs -type f -o -type l | LC_ALL=C sort | xargs sha256sum)
    sha256sum < "$0"
    sha256sum < "$HERE/site-conf.sh"
} | sha256sum | cut -c1-16)
rm -rf "$deb_tree"
if [ -f "$OUT/image.key" ] && [ "$(cat "$OUT/image.key")" = "$final_key" ] && [ -f "$IMG" ] &&
    { [ "$COMPRESS" = 0 ] || [ -f "$IMG.gz" ]; } && (cd "$OUT" && sha256sum --quiet -c SHA256SUMS); then
    step "image: unchanged inputs, reusing $IMG (key $final_key)"
    exit 0
fi
rm -f "$OUT/image.key"

# ---- 5. the kiosk's root filesystem: base + the kiosk .deb + our files
step "root filesystem: kiosk package, services, hardening"
wipe "$W"
mkdir -p "$W"
R=$W/rootfs
cp -a "$BASE" "$R"
rm -f "$R/.done"
cp "$DEB" "$R/tmp/hifazat.deb"
chroot "$R" dpkg -i /tmp/hifazat.deb >/dev/null
rm -f "$R/tmp/hifazat.deb"
cp -r --preserve=mode "$HERE/rootfs/." "$R/"
# Phones and cameras: 70-hifazat-phones.rules alone decides who may open
# their USB nodes (the kiosk only). libgphoto2's rule would make PTP devices
# group plugdev 0664, libmtp's runs mtp-probe, which is not installed, for
# almost every USB device (an error in the journal each time): both masked.
for rule in 69-libmtp.rules 60-libgphoto2-6.rules; do
    [ -e "$R/lib/udev/rules.d/$rule" ] || die "no /lib/udev/rules.d/$rule to mask: did libmtp or libgphoto2 rename it?"
    ln -sf /dev/null "$R/etc/udev/rules.d/$rule"
done
# Nothing may mount a phone (FUSE through MTP/PTP, GNOME's gvfs) or probe it
# behind the kiosk's back: the kiosk reads phones in place, read-only.
for p in gvfs gvfs-backends gvfs-fuse jmtpfs mtpfs simple-mtpfs go-mtpfs gphotofs libmtp-runtime udisks2; do
    ! chroot "$R" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
        die "$p is installed: nothing in the image may mount or probe a phone"
done

# the kiosk's own unprivileged account (fixed uid: the data partition is made owned by it)
chroot "$R" useradd --system --uid "$KIOSK_UID" --user-group --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin \
    --groups video,render,input,audio "$KIOSK_USER"
# NTFS sticks are read by ntfs-3g as this user, never as root (media-mount).
# ntfs-3g must be setuid root for a user to mount; only this user's group
# may run it (the kiosk could not anyway: NoNewPrivileges).
chroot "$R" useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hifazat-ntfs
chroot "$R" dpkg-statoverride --update --add root hifazat-ntfs 4750 /bin/ntfs-3g
# MediaTek Wi-Fi is all we want of firmware-misc-nonfree (packages.txt): the
# rest of its files (GPUs, TV tuners, SoCs) go, so the stick does not carry
# them. mt76's files are mediatek/mt7*, mediatek/WIFI_* (MT7921/7922) and
# mt7*.bin at the top (mt7601u, mt7662). The package's copyright file stays.
chroot "$R" dpkg -L firmware-misc-nonfree >/dev/null || die "firmware-misc-nonfree is not installed"
chroot "$R" dpkg -L firmware-misc-nonfree | while read -r f; do
    case "$f" in
        */lib/firmware/mediatek/mt7[0-9]*|*/lib/firmware/mediatek/WIFI_*|*/lib/firmware/mt7[0-9]*|/usr/share/doc/*) ;;
        /lib/firmware/*|/usr/lib/firmware/*) [ -d "$R$f" ] && [ ! -L "$R$f" ] || rm -f "$R$f" ;;
    esac
done
# Bluetooth firmware comes with the Wi-Fi packages (Intel's ibt-*, Realtek's
# rtl_bt, Qualcomm's qca and ar3k, Broadcom's .hcd): the kiosk has no use for
# Bluetooth, so it goes too (about 25 MiB).
rm -rf "$R"/lib/firmware/intel/ibt-* "$R"/lib/firmware/rtl_bt "$R"/lib/firmware/qca \
    "$R"/lib/firmware/ar3k "$R"/lib/firmware/brcm/*.hcd
find "$R/lib/firmware" -depth -type d -empty -delete
ls "$R"/lib/firmware/mediatek/WIFI_RAM_CODE_MT7961* >/dev/null 2>&1 ||
    echo "build.sh: WARNING: no MediaTek MT7921 firmware left in /lib/firmware/mediatek (did firmware-misc-nonfree move it?)"
echo "firmware: $(du -sm "$R/lib/firmware" | cut -f1) MiB in /lib/firmware, MediaTek Wi-Fi $(du -sm "$R/lib/firmware/mediatek" 2>/dev/null | cut -f1) MiB"
# Wi-Fi: wpa_supplicant only as hifazat-wifi@wlan0 (no network configured,
# its control socket for the kiosk's group); the package's own D-Bus service
# (wpa_supplicant.service, which the package enables) never runs.
chroot "$R" systemctl disable -q wpa_supplicant.service 2>/dev/null || true
chroot "$R" systemctl mask -q wpa_supplicant.service
# The boot test's access point and drop box (hostapd, iw, nginx; busybox's
# udhcpd) come with the test variant's layer only, never in the image.
for p in hostapd iw nginx nginx-light nginx-core; do
    ! chroot "$R" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
        die "$p is installed: it belongs to the boot test's layer, not the image"
done

# data directory in the read-only root: root's, not writable by the kiosk, so
# an unmounted data partition can never mean reports "queued" into RAM
install -d -m 0755 "$R/var/lib/hifazat" "$R/media"

# the image's configuration: root's, in the squashfs. Site settings (helpline
# key, drop box, staff PIN, kiosk id) are not here but in site.conf on the
# ESP (provision.sh, or the options of this script: step 7), copied at boot
# to /run/hifazat/site.conf where the kiosk reads but cannot write them.
install -d -m 0755 "$R/etc/hifazat"
{
    echo "# Hifazat kiosk configuration (image-build/build.sh). Site settings come"
    echo "# from site_config, which image-build/provision.sh writes."
    echo "[kiosk]"
    echo "data_dir = /var/lib/hifazat"
    echo "media_root = /media"
    echo "language = ur"
    echo "site_config = /run/hifazat/site.conf"
    echo "# the own-stick check (ownstick) leaves this when another stick has"
    echo "# this one's identifiers: the kiosk then takes nothing and says why"
    echo "boot_problem = /run/hifazat/boot-problem"
    echo
    echo "# The kiosk has no network: \"Upload now\" asks hifazat-upload.service."
    echo "[upload]"
    echo "via = unit"
    echo
    echo "# Wi-Fi on the staff screen: wireless interfaces keep the kernel's name"
    echo "# (70-hifazat-wlan.link), the first is wlan0; wpa_supplicant's control"
    echo "# socket is in /run/wpa_supplicant (hifazat-wifi@.service)."
    echo "[wifi]"
    echo "interface = wlan0"
    # The referral numbers shown to people: the [referrals] section of
    # assets/kiosk.conf.example (edit it there, checked, before building; a
    # site's settings can add their own).
    echo
    sed -n '/^\[referrals\]/,/^\[/{/^\[referrals\]/p;/^\[/!p}' "$REPO/assets/kiosk.conf.example"
} > "$R/etc/hifazat/kiosk.conf"
chmod 0644 "$R/etc/hifazat/kiosk.conf"

# services: the kiosk, its data partition, the VT lock, network (DHCP, DNS
# client, firewall), Wi-Fi's wpa_supplicant (started when wlan0 appears)
chroot "$R" systemctl enable -q hifazat-kiosk.service hifazat-data.service hifazat-vtlock.service \
    hifazat-site.service hifazat-upload.path systemd-networkd.service systemd-resolved.service nftables.service \
    hifazat-wifi@wlan0.service
chroot "$R" systemctl set-default -q multi-user.target
# no login anywhere, no shell on failure, no Ctrl-Alt-Del, no boot-time extras
chroot "$R" systemctl mask -q getty@.service serial-getty@.service autovt@.service \
    console-getty.service container-getty@.service getty-static.service getty.target \
    debug-shell.service rescue.service emergency.service ctrl-alt-del.target \
    systemd-networkd-wait-online.service e2scrub_reap.service e2scrub_all.timer \
    apt-daily.timer apt-daily-upgrade.timer fstrim.timer 2>/dev/null
# root is locked (no password can ever match) and has no login shell
chroot "$R" usermod -p '!*' -s /usr/sbin/nologin root
# DNS through systemd-resolved without its stub listener
ln -sf /run/systemd/resolve/resolv.conf "$R/etc/resolv.conf"
# reproducibility and hygiene: no caches, logs, host keys or machine id
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/debconf/*-old \
    "$R"/var/log/*.log "$R"/var/log/apt/* "$R"/tmp/* "$R"/var/tmp/* "$R"/root/.bash_history
: > "$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"
# the signed boot chain on the ESP (efi-signed.sh) is listed with the rest
{ chroot "$R" dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n'; cat "$R/boot/efi-signed/VERSIONS"; } |
    LC_ALL=C sort > "$OUT/packages.lock"
echo "$(wc -l < "$OUT/packages.lock") packages installed (packages.lock); root $(du -sh "$R" | cut -f1)"

# ---- 6. squashfs root (kernel and initrd go to the ESP)
step "squashfs root (zstd)"
# (mksquashfs takes every timestamp from SOURCE_DATE_EPOCH in the environment)
mksquashfs "$R" "$W/root.sqfs" -comp zstd -noappend -quiet -no-progress \
    -e boot/initrd.img-"$KVER" boot/vmlinuz-"$KVER" boot/System.map-"$KVER" boot/config-"$KVER" boot/efi-signed \
    2> >(grep -v 'Unrecognised xattr prefix' >&2)
ROOT_MB=$(( ($(stat -c %s "$W/root.sqfs") + 1048575) / 1048576 ))
echo "root.sqfs: $ROOT_MB MiB"

# ---- 7. ESP: GRUB for both firmwares, kernel, initrd (FAT32 via mtools)
step "ESP: shim + signed GRUB (UEFI, Secure Boot), GRUB (BIOS), kernel, initrd"
# Its own stick and no other: nothing here searches disks by label.
# UEFI: the firmware starts shim (EFI/BOOT/BOOTX64.EFI, signed by Microsoft's
# UEFI CA, so Secure Boot may stay on), shim starts Debian's signed GRUB
# beside it, which reads EFI/debian/grub.cfg from the partition it was
# started from ($cmdpath's); that file hands over to /boot/grub/grub.cfg on
# the same partition. Under Secure Boot GRUB loads no module from disk and
# boots only a kernel signed by Debian (Debian's linux-image is).
# BIOS: our own core.img whose prefix names partition 2 of the drive the
# BIOS booted from, "(,gpt2)": again this stick's ESP, never another's.
cat > "$W/debian.cfg" <<'CFG'
# Debian's signed GRUB reads this file from the ESP it was started from
# (build.sh): $root is that partition, so the stick boots itself even when
# another disk has a partition with the same label.
set prefix=($root)/boot/grub
configfile $prefix/grub.cfg
CFG
# superusers without any password: nobody can edit the entry or reach the
# GRUB shell (so no init=/bin/sh); the one entry boots without asking.
# The root filesystem is partition 3 of the disk GRUB itself came from,
# named to the kernel by its PARTUUID (provision.sh makes them new for each
# stick); hifazat.esp names the ESP GRUB came from (the boot test reads it).
cat > "$W/grub.cfg" <<CFG
set timeout=0
set timeout_style=hidden
set default=0
set superusers="hifazat"
insmod all_video
insmod probe
insmod regexp
regexp --set=1:hz_disk '^\(?([^,)]+)' "\$root"
probe --set=hz_esp --part-uuid "(\$hz_disk,gpt2)"
probe --set=hz_root --part-uuid "(\$hz_disk,gpt3)"
if [ -z "\$hz_esp" -o -z "\$hz_root" ]; then
  echo "Hifazat: this stick's partitions were not found. Write the image to the stick again."
  sleep 60
  halt
fi
menuentry "Hifazat" --unrestricted {
  linux /boot/vmlinuz root=PARTUUID=\$hz_root hifazat.esp=\$hz_esp $CMDLINE
  initrd /boot/initrd.img
}
CFG
grub-mkimage -O i386-pc -o "$W/core.img" -p '(,gpt2)/boot/grub' biosdisk part_gpt fat
cp "$R/boot/vmlinuz-$KVER" "$W/vmlinuz"
cp "$R/boot/initrd.img-$KVER" "$W/initrd.img"
cp "$R/boot/efi-signed/shimx64.efi" "$W/BOOTX64.EFI"
cp "$R/boot/efi-signed/grubx64.efi" "$R/boot/efi-signed/mmx64.efi" "$W/"
touch -h -d "@$SOURCE_DATE_EPOCH" "$W/grub.cfg" "$W/debian.cfg" "$W/BOOTX64.EFI" "$W/grubx64.efi" "$W/mmx64.efi" \
    "$W/vmlinuz" "$W/initrd.img"
espid=$(uuid_for esp | tr -d - | cut -c1-8)
rm -f "$W/esp.img"
mkfs.vfat --invariant -i "$espid" -F 32 -n KIOSKESP -C "$W/esp.img" $((ESP_MB * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
m() { mcopy -m -i "$W/esp.img" "$@"; }
mmd -i "$W/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/boot ::/boot/grub ::/boot/grub/i386-pc
# no fbx64.efi: shim's fallback would write boot entries into the PC's NVRAM
m "$W/BOOTX64.EFI" "$W/grubx64.efi" "$W/mmx64.efi" ::/EFI/BOOT/
m "$W/debian.cfg" ::/EFI/debian/grub.cfg
m "$W/grub.cfg" ::/boot/grub/grub.cfg
m /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst ::/boot/grub/i386-pc/
m "$W/vmlinuz" ::/boot/vmlinuz
m "$W/initrd.img" ::/boot/initrd.img
# site settings given to this script: the same /hifazat/site.conf that
# provision.sh writes (without a kiosk_key_secret: every stick written from
# this image would share it; provision.sh makes one per stick)
if [ -n "$HELPLINE_KEY$SIGNING_KEY$UPLOAD_URL$KIOSK_ID$STAFF_PIN_HASH" ]; then
    {
        echo "# Site settings, written by image-build/build.sh (provision.sh replaces them)."
        echo "[kiosk]"
        [ -z "$KIOSK_ID" ] || echo "id = $KIOSK_ID"
        [ -z "$HELPLINE_KEY" ] || echo "helpline_public_key = $(grep -v '^[[:space:]]*#' "$HELPLINE_KEY" | tr -d ' \t\r\n')"
        [ -z "$SIGNING_KEY" ] || echo "helpline_signing_public_key = $(grep -v '^[[:space:]]*#' "$SIGNING_KEY" | tr -d ' \t\r\n')"
        site_sections "$UPLOAD_URL" "$STAFF_PIN_HASH"
    } > "$W/site.conf"
    touch -d "@$SOURCE_DATE_EPOCH" "$W/site.conf"
    site_write_esp "$W/esp.img" "$W/site.conf" || die "cannot write site.conf to the ESP"
fi
echo "kernel $(du -h "$W/vmlinuz" | cut -f1), initrd $(du -h "$W/initrd.img" | cut -f1)"

# ---- 8. KIOSKDATA: empty ext4 owned by the kiosk user (grown on first boot)
step "KIOSKDATA partition (ext4, ${DATA_MB} MiB)"
mkdir -p "$W/data"
chmod 0700 "$W/data"
touch -d "@$SOURCE_DATE_EPOCH" "$W/data"
data_uuid=$(uuid_for data)
rm -f "$W/data.img"
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -L KIOSKDATA -U "$data_uuid" \
    -E root_owner="$KIOSK_UID:$KIOSK_UID,hash_seed=$data_uuid" -d "$W/data" "$W/data.img" "${DATA_MB}M" >/dev/null

# ---- 9. the GPT disk: BIOS boot | ESP | root (squashfs) | KIOSKDATA
step "GPT disk image"
TOTAL_MB=$((1 + 1 + ESP_MB + ROOT_MB + DATA_MB + 1))
rm -f "$IMG"
truncate -s "${TOTAL_MB}M" "$IMG"
sgdisk -U "$(uuid_for disk)" \
    -n 1:1M:+1M -t 1:EF02 -c 1:bios -u 1:"$(uuid_for p1)" \
    -n 2:0:+"${ESP_MB}M" -t 2:EF00 -c 2:ESP -u 2:"$(uuid_for p2)" \
    -n 3:0:+"${ROOT_MB}M" -t 3:8304 -c 3:kioskroot -u 3:"$(uuid_for p3)" \
    -n 4:0:+"${DATA_MB}M" -t 4:8300 -c 4:kioskdata -u 4:"$(uuid_for p4)" "$IMG" >/dev/null
start() { sgdisk -i "$1" "$IMG" | awk '/First sector/ {print $3}'; }
dd if="$W/esp.img" of="$IMG" bs=512 seek="$(start 2)" conv=notrunc,sparse status=none
dd if="$W/root.sqfs" of="$IMG" bs=512 seek="$(start 3)" conv=notrunc,sparse status=none
dd if="$W/data.img" of="$IMG" bs=512 seek="$(start 4)" conv=notrunc,sparse status=none
# BIOS: what grub-bios-setup does, on a plain file (it wants a block device):
# boot.img learns where core.img is, core.img where the rest of itself is.
S=$(start 1)
le64() { perl -e 'print pack("Q<", $ARGV[0])' "$1"; }
cp /usr/lib/grub/i386-pc/boot.img "$W/boot.img"
le64 "$S" | dd of="$W/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
printf '\x90\x90' | dd of="$W/boot.img" bs=1 seek=$((0x66)) conv=notrunc status=none
le64 $((S + 1)) | dd of="$W/core.img" bs=1 seek=$((0x200 - 12)) conv=notrunc status=none
dd if="$W/boot.img" of="$IMG" bs=1 count=440 conv=notrunc status=none
dd if="$W/core.img" of="$IMG" bs=512 seek="$S" conv=notrunc status=none
sgdisk -v "$IMG" | grep -q 'No problems found' || die "sgdisk -v reports problems in $IMG"
touch -d "@$SOURCE_DATE_EPOCH" "$IMG"

# ---- 10. distribution copy, checksums
rm -f "$IMG.gz"
if [ "$COMPRESS" = 1 ]; then
    step "gzip -$GZIP_LEVEL"
    gzip -n -"$GZIP_LEVEL" -c "$IMG" > "$IMG.gz"
fi
outputs=("$(basename "$IMG")")
[ "$COMPRESS" = 0 ] || outputs+=("$(basename "$IMG").gz")
outputs+=("$(basename "$DEB")" packages.list packages.lock)
(cd "$OUT" && sha256sum "${outputs[@]}" > SHA256SUMS)
echo "$final_key" > "$OUT/image.key"
wipe "$W/rootfs"
step "done"
printf 'image %s: %s MiB (%s MiB allocated)' "$IMG" "$TOTAL_MB" "$(du -m "$IMG" | cut -f1)"
[ "$COMPRESS" = 0 ] || printf ', gzip %s MiB' "$(du -m "$IMG.gz" | cut -f1)"
printf '\nbuild time %ss\n' $(($(date +%s) - T0))
cat "$OUT/SHA256SUMS"
