#!/bin/bash
# Builds the USB image (image-build/build.sh, cached) and boot-tests it in qemu
# with software emulation (TCG, no KVM): the shipped image under UEFI, then a
# test variant under BIOS and again under UEFI. Prints "N passed, N failed".
#
#   sudo image-build/test.sh            (scripts/test.sh runs it as its last step)
#
# The test variant is the shipped image file, byte for byte, with two changes
# on its ESP only: an extra initramfs archive (hifazat-test.cpio) and a GRUB
# config that loads it. That archive puts a root agent (a systemd unit talking
# on a virtio serial port only qemu has) into the tmpfs layer at boot. The
# shipped squashfs, kernel and initrd contain no hook of any kind: nothing on
# the data partition or a stick can start the agent, and changing the ESP
# needs the stick in hand, which without Secure Boot already means owning it.
# Between and after boots the host reads the data partition with debugfs.
# Boot 1 also gets a phone: qemu's own usb-mtp device serving a phone-like
# folder tree (made here by mkphone), read-only.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/config.env"
OUT=${HIFAZAT_IMAGE_OUT:-$REPO/build-image}
T=$OUT/test
GROW_MB=512
T0=$(date +%s)
say() { printf '\n==== [%4ds] %s\n' $(($(date +%s) - T0)) "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "test.sh: run as root (build.sh needs it)" >&2; exit 2; }
say "build (image-build/build.sh; whole log in $OUT/build.log)"
mkdir -p "$OUT"
set +e
"$HERE/build.sh" --out "$OUT" 2>&1 | tee "$OUT/build.out" |
    grep --line-buffered -E '^(==== |image |build time|root\.sqfs|kernel |[0-9]+ packages)'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || { echo "test.sh: build.sh failed:" >&2; tail -n 40 "$OUT/build.out" >&2; exit 1; }
IMG=$OUT/hifazat-usb.img
HZ=$OUT/kiosk-build/kiosk/hifazat
(cd "$OUT" && sha256sum --quiet -c SHA256SUMS) || { echo "test.sh: outputs do not match SHA256SUMS" >&2; exit 1; }

say "test variant: helpline key, provisioned data partition, test-only initramfs layer"
rm -rf "$T"
mkdir -p "$T"
printf 'boot test helpline passphrase\n' > "$T/pass"
"$HZ" keygen --out "$T/helpline" --passphrase-file "$T/pass" --kdf interactive > "$T/keygen.txt"
cp --sparse=always "$IMG" "$T/test.img"
truncate -s +${GROW_MB}M "$T/test.img"          # a stick bigger than the image
printf '246813\n' > "$T/pin"       # STAFF_PIN in test/boot_test.py
pin_hash=$("$HZ" staff-pin --pin-file "$T/pin" | sed -n 's/^pin_hash = //p')
# The drop box: nginx on the host's loopback (boot_test.py starts it), which
# the guest reaches as https://10.0.2.100/ through qemu's guestfwd only; its
# certificate is signed by a CA made here, given to the kiosk with --upload-ca.
mkdir -p "$T/tls"
(cd "$T/tls" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt \
        -days 2 -subj "/CN=Hifazat boot test CA" 2>/dev/null &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
        -subj "/CN=10.0.2.100" 2>/dev/null &&
    echo "subjectAltName=IP:10.0.2.100" > san.ext &&
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
        -extfile san.ext 2>/dev/null)
DROPBOX_URL=https://10.0.2.100/drop/
"$HERE/provision.sh" "$T/test.img" --helpline-key "$T/helpline/helpline.pub" \
    --kiosk-id boot-test --upload-url "$DROPBOX_URL" --upload-ca "$T/tls/ca.crt" --staff-pin-hash "$pin_hash"
# The layer: the overlay script again, with lines appended that copy the
# agent's files into the tmpfs layer (the initramfs has klibc's tools only:
# cat, mkdir, ln; no cp).
L=$T/layer
mkdir -p "$L/scripts/init-bottom" "$L/hifazat-test"
cp -a "$HERE/test/guest/etc" "$HERE/test/guest/usr" "$L/hifazat-test/"
# Boot 2's Wi-Fi access point and drop box (mac80211_hwsim's second radio in
# a network namespace of its own): host binaries the shipped image must not
# have (hostapd, iw, busybox for udhcpd and ip, nginx-light with WebDAV),
# the libraries ldd lists that the image lacks, and the drop box's
# certificate. The layer's files are written by cat (mode 0644): the agent
# makes these executable and runs them with LD_LIBRARY_PATH.
TB=$L/hifazat-test/usr/local/lib/hifazat-test
mkdir -p "$TB/bin" "$TB/lib" "$TB/tls"
BASE=$(ls -d "${HIFAZAT_IMAGE_CACHE:-/var/cache/hifazat-image}"/base-* 2>/dev/null | head -n 1 || true)
for b in hostapd iw busybox nginx; do
    p=""
    for d in /usr/sbin /usr/bin /sbin /bin; do [ -x "$d/$b" ] && { p=$d/$b; break; }; done
    [ -n "$p" ] || { echo "test.sh: no $b on the host (scripts/install-deps.sh --image)" >&2; exit 1; }
    cp "$p" "$TB/bin/$b"
    for lib in $(ldd "$p" | awk '$3 ~ /^\// {print $3}'); do
        [ -n "$BASE" ] && [ -e "$BASE$lib" ] && continue
        cp -L "$lib" "$TB/lib/"
    done
done
cp "$T/tls/server.crt" "$T/tls/server.key" "$TB/tls/"
echo "test layer: $(ls "$TB/bin" | tr '\n' ' ')+ libraries the image lacks: $(ls "$TB/lib" | tr '\n' ' ')"
{
    cat "$HERE/initramfs/scripts/init-bottom/hifazat-overlay"
    echo
    echo "# ---- appended by image-build/test.sh (TEST VARIANT ONLY): the test agent goes"
    echo "# into the tmpfs layer, never onto a disk"
    (cd "$L/hifazat-test" && find . -mindepth 1 | LC_ALL=C sort) | while read -r p; do
        p=${p#./}
        if [ -L "$L/hifazat-test/$p" ]; then
            echo "ln -sf '$(readlink "$L/hifazat-test/$p")' \"\${rootmnt}/$p\""
        elif [ -d "$L/hifazat-test/$p" ]; then
            echo "mkdir -p \"\${rootmnt}/$p\""
        else
            echo "cat '/hifazat-test/$p' > \"\${rootmnt}/$p\""
        fi
    done
} > "$L/scripts/init-bottom/hifazat-overlay"
chmod 0755 "$L/scripts/init-bottom/hifazat-overlay"
(cd "$L" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$T/hifazat-test.cpio"
export MTOOLS_SKIP_CHECK=1
add_test_layer() {     # $1: a copy of the shipped image; only its ESP changes
    local esp
    esp=$(( $(sgdisk -i 2 "$1" 2>/dev/null | awk '/First sector/ {print $3}') * 512 ))
    mcopy -o -i "$1@@$esp" "$T/hifazat-test.cpio" ::/boot/hifazat-test.cpio
    mtype -i "$1@@$esp" ::/boot/grub/grub.cfg |
        sed 's|initrd /boot/initrd.img$|initrd /boot/initrd.img /boot/hifazat-test.cpio|' > "$T/grub.cfg"
    grep -q hifazat-test.cpio "$T/grub.cfg" || { echo "test.sh: cannot add the test layer to grub.cfg" >&2; exit 1; }
    mcopy -o -i "$1@@$esp" "$T/grub.cfg" ::/boot/grub/grub.cfg
}
add_test_layer "$T/test.img"
# a stick whose data partition was deleted: the first boot must create it
cp --sparse=always "$IMG" "$T/nodata.img"
sgdisk -d 4 "$T/nodata.img" >/dev/null
truncate -s +256M "$T/nodata.img"
add_test_layer "$T/nodata.img"

say "test sticks: FAT32 (MBR, pictures), exFAT + NTFS + ext4 (GPT), a FAT32 courier stick"
S=$T/sticks
mkdir -p "$S/fat/DCIM/Camera" "$S/ext4/Pictures"
cp "$REPO"/assets/demo/media/DEMO-PHONE/DCIM/Camera/IMG_000[1-3].jpg "$S/fat/DCIM/Camera/"
cp "$REPO"/assets/demo/media/DEMO-PHONE/DCIM/Camera/IMG_0004.jpg "$S/ext4/Pictures/"
touch -d @1700000000 "$S"/fat/DCIM/Camera/* "$S"/ext4/Pictures/*
# FAT32 partition on an MBR disk, as sticks and SD cards come
mkfs.vfat -F 32 -n PHONE -i 1a2b3c4d -C "$S/fat.part" $((48 * 1024)) >/dev/null
mcopy -s -m -i "$S/fat.part" "$S/fat/DCIM" ::/
truncate -s 50M "$S/fat.img"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$S/fat.img"
dd if="$S/fat.part" of="$S/fat.img" bs=512 seek=2048 conv=notrunc,sparse status=none
# exFAT, NTFS and ext4 on one GPT disk
truncate -s 24M "$S/exfat.part" "$S/ntfs.part"
mkfs.exfat -L EXFATSTICK "$S/exfat.part" >/dev/null
mkntfs -q -F -Q -L NTFSSTICK "$S/ntfs.part" >/dev/null 2>&1
ntfscp "$S/ntfs.part" "$REPO/assets/demo/media/DEMO-PHONE/DCIM/Camera/IMG_0005.jpg" IMG_0005.jpg >/dev/null
mkfs.ext4 -q -L EXT4STICK -d "$S/ext4" "$S/ext4.part" 24M >/dev/null
truncate -s 80M "$S/multi.img"
sgdisk -n 1:1M:+24M -t 1:0700 -n 2:0:+24M -t 2:0700 -n 3:0:+24M -t 3:8300 "$S/multi.img" >/dev/null
off() { echo $(( $(sgdisk -i "$1" "$S/multi.img" | awk '/First sector/ {print $3}') )); }
dd if="$S/exfat.part" of="$S/multi.img" bs=512 seek="$(off 1)" conv=notrunc,sparse status=none
dd if="$S/ntfs.part" of="$S/multi.img" bs=512 seek="$(off 2)" conv=notrunc,sparse status=none
dd if="$S/ext4.part" of="$S/multi.img" bs=512 seek="$(off 3)" conv=notrunc,sparse status=none
# staff's courier stick: empty FAT32 labelled HIFAZATOUT (mounted read-write)
mkfs.vfat -F 32 -n HIFAZATOUT -i 5e5e5e5e -C "$S/courier.part" $((40 * 1024)) >/dev/null
truncate -s 42M "$S/courier.img"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$S/courier.img"
dd if="$S/courier.part" of="$S/courier.img" bs=512 seek=2048 conv=notrunc,sparse status=none
rm -f "$S"/*.part
python3 - "$S" "$REPO" <<'PY'
import hashlib, json, os, sys
s, repo = sys.argv[1], sys.argv[2]
def sums(root, files):
    return {f: hashlib.sha256(open(os.path.join(root, f), "rb").read()).hexdigest() for f in files}
fat = ["DCIM/Camera/IMG_0001.jpg", "DCIM/Camera/IMG_0002.jpg", "DCIM/Camera/IMG_0003.jpg"]
cam = os.path.join(repo, "assets/demo/media/DEMO-PHONE/DCIM/Camera")
sticks = [
    {"img": f"{s}/fat.img", "dir": f"{s}/fat",
     "parts": [{"fs": "FAT32", "label": "PHONE", "mount_type": "vfat", "files": fat, "sha256": sums(f"{s}/fat", fat)}]},
    {"img": f"{s}/multi.img",
     "parts": [{"fs": "exFAT", "label": "EXFATSTICK", "mount_type": "exfat"},
               {"fs": "NTFS", "label": "NTFSSTICK", "mount_type": "fuse|fuseblk",
                "files": ["IMG_0005.jpg"], "sha256": sums(cam, ["IMG_0005.jpg"])},
               {"fs": "ext4", "label": "EXT4STICK", "mount_type": "ext4",
                "files": ["Pictures/IMG_0004.jpg"], "sha256": {"Pictures/IMG_0004.jpg": sums(cam, ["IMG_0004.jpg"])["IMG_0004.jpg"]}}]},
]
json.dump(sticks, open(f"{s}/sticks.json", "w"), indent=1)
PY

say "a phone for qemu's usb-mtp device (mkphone: camera, HEIC, WhatsApp, videos, one long video)"
# mkphone is a test tool (tests/unit/mkphone.c): built on the host in a tree
# of its own, never part of the image. The folder must stay until every boot
# is over: qemu's usb-mtp watches what it served and hangs if it is deleted.
TOOLS=$OUT/tools
cmake -S "$REPO" -B "$TOOLS" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build "$TOOLS" --target mkphone >/dev/null
"$TOOLS/tests/mkphone" "$T/phone" --camera 4 --heic 1 --videos 1 --whatsapp 3 --big-video 16

say "boots (qemu TCG, -device virtio-rng-pci, hard timeout per boot)"
rc=0
python3 "$HERE/test/boot_test.py" --image "$IMG" --test-image "$T/test.img" --nodata-image "$T/nodata.img" \
    --sticks "$S/sticks.json" --courier "$S/courier.img" --phone "$T/phone" \
    --golden "$REPO/tests/golden" --out "$T" --hifazat "$HZ" \
    --helpline-secret "$T/helpline/helpline.key" --passphrase "$T/pass" \
    --data-mb "$DATA_MB" --grow-mb "$GROW_MB" --dropbox-tls "$T/tls" ${HIFAZAT_IMAGE_BOOTS:+--only "$HIFAZAT_IMAGE_BOOTS"} || rc=$?
echo "image test: $(($(date +%s) - T0)) s in all; screendumps and serial logs in $T/boot*/"
exit $rc
