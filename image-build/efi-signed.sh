#!/bin/sh
# Debian's Secure Boot chain for the ESP, fetched while mmdebstrap builds the
# base root filesystem (a customize hook: $1 is the root, apt is set up for
# the image's own mirror and suite through $MMDEBSTRAP_APT_CONFIG):
#   shimx64.efi  shim, signed with Microsoft's UEFI CA key (shim-signed)
#   mmx64.efi    shim's MokManager, signed by Debian (shim-helpers-amd64-signed)
#   grubx64.efi  GRUB signed by Debian; shim checks it against Debian's key
#                (grub-efi-amd64-signed)
# The kernel is Debian's signed linux-image already in the root.
# The packages are unpacked into $1/boot/efi-signed, never installed: their
# maintainer scripts would run grub-install, and the root needs none of
# their files. build.sh copies the three files to the ESP, leaves the
# directory out of the squashfs and adds VERSIONS to packages.lock.
set -eu
R=$1
D=$R/boot/efi-signed
rm -rf "$D"
mkdir -p "$D/debs"
cd "$D/debs"
APT_CONFIG=$MMDEBSTRAP_APT_CONFIG apt-get download -q=2 \
    shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed 2>&1 | grep -v 'unsandboxed as root' >&2 || true
for p in shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed; do
    deb=$(ls "$p"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { echo "efi-signed.sh: apt-get download $p failed" >&2; exit 1; }
    dpkg-deb -W --showformat='${Package}\t${Version}\t${Architecture}\n' "$deb" >> "$D/VERSIONS"
    dpkg-deb -x "$deb" "$D/x"
done
cp "$D/x/usr/lib/shim/shimx64.efi.signed" "$D/shimx64.efi"
cp "$D/x/usr/lib/shim/mmx64.efi.signed" "$D/mmx64.efi"
cp "$D/x/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$D/grubx64.efi"
# their licences travel with the image, as every installed package's do
for c in "$D"/x/usr/share/doc/*/copyright; do
    [ -f "$c" ] || continue
    n=$(basename "$(dirname "$c")")
    mkdir -p "$R/usr/share/doc/$n"
    cp "$c" "$R/usr/share/doc/$n/copyright"
done
rm -rf "$D/debs" "$D/x"
