#!/usr/bin/env python3
"""Boot tests of the Hifazat USB image under qemu TCG (called by image-build/test.sh).

Boot 0  the shipped image, untouched (snapshot), UEFI with Secure Boot on
        (OVMF with SMM and Microsoft's keys, as PCs ship), from a USB stick,
        with two decoy sticks plugged in first (a KIOSKESP whose GRUB
        configuration halts, a kioskroot partition): KIOSK_READY, the staff-facing "not ready" screen (no helpline key is
        provisioned yet, so it takes no reports), no login anywhere,
        Ctrl-Alt-F2 and Ctrl-Alt-Del do nothing.
Boot 1  the test variant (same image bytes + a test-only initramfs layer that
        adds a root agent on a virtio port), BIOS, USB, written to a "stick"
        larger than the image: system checks, sticks plugged in and out, a
        report queued, files written to /etc and /home, keys, audio; then a
        phone: qemu's own usb-mtp device (read-only, fixed serial) serving a
        folder mkphone made: the image's libmtp/libgphoto2 and udev rule (only
        the kiosk user may open the USB node, nothing mounts it), `hifazat
        devices` and `hifazat hash mtp:`/`ptp:` equal to the host's hashes,
        then the whole kiosk flow by keys (PHONE_FLOW_KEYS) with the phone
        pulled out while it is fingerprinted and plugged in again (Try again):
        a second report queued.
Boot 2  the same disk again, UEFI with Secure Boot on, with a stick already
        in: Secure Boot enforced (firmware variable, kernel lockdown); the reports are
        still queued, /etc and /home are back to the image's; a courier stick
        (FAT, label HIFAZATOUT) is mounted read-write for the kiosk and the
        reports exported onto it; Wi-Fi, the only network (mac80211_hwsim:
        an access point with DHCP and the drop box in a network namespace
        of its own, from the test layer): wpa_supplicant up by itself and
        joined to nothing, then staff join by keys (a wrong password, then
        the right one), "Upload now" sends a fresh report over it, and
        leaving the staff screen takes it down; staff shut the kiosk down from the staff
        screen by keyboard alone (the PIN, Tab, Enter): the machine powers
        off. On the host the reports open with the helpline's secret key,
        from the data partition and from the courier stick: the stick
        picture's hashes, and the phone's exactly `hifazat hash` of the same
        files on the host; the phone's folder is unchanged.
Boot 3  a copy whose data partition was deleted, BIOS, beside the decoy
        sticks: GRUB and the root come from its own stick; the first boot
        creates the data partition; the decoys are unchanged.
Prints PASS/FAIL lines and finally "N passed, N failed".
"""
import argparse
import base64
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vm import VM, BootError  # noqa: E402

BOOT_TIMEOUT = 300          # first frame, per boot
ALLOWED_DATA = {"lost+found", "queue", "kiosk.key", "kiosk.conf", "outbox", "upload",
                "helpline-key.pin", "staff-pin.state",  # the remembered helpline key; wrong-PIN count
                "wifi-networks"}    # boot 2's Wi-Fi network, remembered (sealed under the site's secret)
# The drop box as the guest sees it: qemu's guestfwd (the only way out of its
# restricted user network) to nginx on the host's loopback (test.sh made the
# certificate for this address and provisioned the URL).
DROPBOX_ADDR, DROPBOX_PORT = "10.0.2.100", 443
DROPBOX_URL = f"https://{DROPBOX_ADDR}/drop/"
STAFF_PIN = "246813"         # test.sh provisions its hash
# Staff screen by keyboard to "Shut down": tests/unit/test_flow.c
# (section staff_keys) checks the same presses on the app. Change both together.
STAFF_OPEN_KEYS = ("ctrl", "alt", "s")
STAFF_SHUTDOWN_KEYS = ("tab", "tab", "ret", "tab", "ret")
# Boot 2's Wi-Fi by keys: tests/unit/test_flow.c (section staff_wifi_keys)
# checks the same presses on the app. Change both together. From the staff
# screen's start (Close): six Tabs to Wi-Fi (Shut down, Screen check, Export,
# Upload now, Wi-Fi), Enter; on its page two Tabs (Refresh, the network),
# Enter: the password page, which starts on Connect (typed, then Enter).
WIFI_OPEN_KEYS = ("tab",) * 6 + ("ret",)
WIFI_NETWORK_KEYS = ("tab", "tab", "ret")
WIFI_TRY_AGAIN_KEYS = ("tab", "ret")     # the outcome starts on Back
WIFI_DONE_KEYS = ("tab", "ret")          # Connected: Done, the staff page on Close
STAFF_UPLOAD_KEYS = ("tab",) * 4 + ("ret",)
STAFF_CLOSE_KEYS = ("ret",)              # Upload now off while it ran: the focus is on Close
# After those keys the focus ring is already showing, so the first Tab moves
# it: Shut down is one Tab away, not two as on a fresh start.
STAFF_SHUTDOWN_KEYS_AFTER_WIFI = ("tab", "ret", "tab", "ret")
# The access point (mac80211_hwsim's second radio, in the network namespace
# "ap"): hostapd WPA2-PSK, udhcpd, and nginx as the drop box on the address
# the test variant is provisioned with (DROPBOX_ADDR, on the namespace's lo,
# routed through the access point: udhcpd's router option).
WIFI_SSID = "HifazatTest"
WIFI_PASS = "hifazat-test-77"
WIFI_WRONG = "wrongpass1"
WIFI_AP = "192.168.77.1"
WIFI_PICTURE = "IMG_0003.jpg"   # the report queued for the Wi-Fi upload (the demo's)
# The whole kiosk flow on a phone by keys, each row's presses and the
# KIOSK_EVENT line to wait for after them ("" = none): tests/unit/test_flow.c
# (phone_flow_keys, section phone_keys) checks the same presses on the app.
# Change both together.
PHONE_FLOW_KEYS = (
    ("ret", "screen=privacy"),          # Welcome: Start
    ("ret", ""),                        # How it works: the secret code, Next
    ("ret", ""),                        # what happens next, Next
    ("ret", "screen=questions"),        # quick exit: I understand
    ("ret", ""),                        # Under 18? The first answer: yes
    ("shift-tab", ""),                  # Next
    ("ret", ""),                        # Who are you?
    ("ret", ""),                        # The first answer: the person in them
    ("shift-tab", ""),                  # Next
    ("ret", ""),                        # What kind of pictures?
    ("ret", ""),                        # "Is anyone near you?": People are near (focused)
    ("ret", ""),                        # The first answer: yes
    ("shift-tab", ""),                  # Next
    ("ret", ""),                        # Taken on this phone?
    ("ret", ""),                        # The first answer: yes
    ("shift-tab", ""),                  # Next
    ("ret", ""),                        # Where the codes are checked: Next is focused
    ("ret", "screen=connect"),          # Connect: the phone, already there, is focused
    ("ret", "gallery=read"),            # Choose: the gallery, read to the end
    ("ret", ""),                        # The first album, Camera, opens
    ("shift-tab", ""),                  # Choose all in this album
    ("ret", ""),
    ("shift-tab", ""),                  # Next (with the count)
    ("ret", "screen=review"),           # Fingerprinting, then Review by itself
    ("ret", "screen=confirm"),          # Review: Next
    ("ret", "screen=case_code"),        # Confirm: Send the fingerprints
    ("ret", ""),                        # Case code: I have saved my code -> "Have you saved it?"
    ("tab", ""),                        # from "No, show it again" to "Yes, I have it"
    ("ret", "screen=finish"),
    ("ret", "screen=welcome"),          # Finish
)
# The phone: qemu's usb-mtp device (46f4:0004) with a fixed serial, so that
# plugging it in again is the same phone (the device path key is its serial).
PHONE_SERIAL = "R58N12HFZ7Q"
PHONE_DESC = "Galaxy A14"
PHONE_ALBUM = "DCIM/Camera"      # the gallery's first album: what the flow sends
# Under TCG with llvmpipe the kiosk draws a frame in a second or more, and a
# key that lands before a new page's first frame acts on the old page's
# layout: after each row of presses the test waits for the screen to change
# (every row changes it: a page, a focus ring, a choice), then this long.
PHONE_KEY_GAP = 3.0
# Seconds between pulling the phone out mid-read and plugging it in again:
# as quick as a person (the device layer asks a phone whose opening fails
# again; before it did, a replug within ~10 s ended 'failed').
PHONE_REPLUG_S = 3

passed = failed = 0
timings = []
spans = []


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
    else:
        failed += 1
        print(f"FAIL {name}: {detail}", flush=True)
    return ok


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


# ---- screen comparison ------------------------------------------------------
def differing_fraction(a, b, fuzz):
    """Fraction of pixels whose colour differs by more than fuzz % (ImageMagick)."""
    r = subprocess.run(["/usr/bin/compare", "-metric", "AE", "-fuzz", f"{fuzz}%", a, b, "null:"],
                       capture_output=True, text=True)
    m = re.match(r"\s*([0-9.e+]+)", r.stderr)
    if not m:
        return 1.0
    w, h = (int(x) for x in subprocess.run(["/usr/bin/identify", "-format", "%w %h", b],
                                              capture_output=True, text=True).stdout.split())
    return float(m.group(1)) / (w * h)


def screen_match(png, goldens, want="welcome_ur", limit=0.03):
    """(matches, detail): the screendump is closest to the wanted golden and
    differs from it in at most `limit` of its pixels (by more than 12 %:
    GLES2 on llvmpipe vs the golden's software renderer differ in
    anti-aliasing only)."""
    size = subprocess.run(["/usr/bin/identify", "-format", "%wx%h", png],
                          capture_output=True, text=True).stdout.strip()
    scores = {}
    for g, path in goldens.items():
        if path.endswith(f"_{size}.png"):
            scores[g] = differing_fraction(png, path, 12)
    if not scores:
        return False, f"no golden at {size}"
    best = min(scores, key=scores.get)
    detail = ", ".join(f"{k} {v:.2%}" for k, v in sorted(scores.items(), key=lambda x: x[1]))
    return best.startswith(want) and scores[best] <= limit, f"{size}: {detail}"


def screen_check(name, png, goldens, want="welcome_ur", limit=0.03):
    return check(name, *screen_match(png, goldens, want, limit))


def first_screen_check(name, vm, png, goldens, want="welcome_ur", wait=30):
    """The first screen after KIOSK_READY: on a loaded host llvmpipe may show
    the first frame a few seconds after the kiosk said it was ready, so the
    screen is read again (every 2 s, up to `wait` s) until it matches."""
    end = time.monotonic() + wait
    while True:
        ok, detail = screen_match(vm.screendump(png), goldens, want)
        if ok or time.monotonic() > end:
            return check(name, ok, detail)
        time.sleep(2)


# ---- guest helpers ----------------------------------------------------------------
def sh(vm, script, timeout=150):
    try:
        return vm.sh(script, timeout)
    except BootError as e:
        return 255, str(e)


def ownstick_once_seen(vm, count_test):
    """Runs the own-stick check once the partitions carrying the root's
    identifier number `count_test` (a test(1) comparison: "-ge 2" once a
    twin is in, "-le 1" once it is out); its output, rc= and problem=."""
    rc, out = sh(vm, r"""
        u=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^root=PARTUUID=//p')
        for i in $(seq 90); do [ "$(lsblk -rno PARTUUID | grep -ci "^$u$")" %s ] && break; sleep 1; done
        /usr/lib/hifazat/ownstick 2>&1; echo "rc=$?"
        echo "problem=$(cat /run/hifazat/boot-problem 2>/dev/null || echo none)"
        """ % count_test, timeout=120)
    return out


def kv(out):
    d = {}
    for line in out.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k.strip()] = v.strip()
    return d


def sockets(vm):
    """Every TCP/UDP socket in the guest: (proto, port, state, remote, owner)."""
    rc, out = sh(vm, r"""
        for f in tcp tcp6 udp udp6; do
            tail -n +2 /proc/net/$f | while read -r sl local rem st rest; do
                set -- $rest; echo "S $f $local $rem $st $6"
            done
        done
        for p in /proc/[0-9]*; do
            c=$(cat $p/comm 2>/dev/null)
            for fd in $p/fd/*; do
                l=$(readlink $fd 2>/dev/null) || continue
                case "$l" in socket:*) i=${l#socket:[}; echo "O ${i%]} $c";; esac
            done
        done
        echo "F $(nft list ruleset 2>/dev/null | grep -c 'policy drop')"
        """)
    owners, socks, fw = {}, [], 0
    for line in out.splitlines():
        p = line.split()
        if p[:1] == ["O"] and len(p) >= 3:
            owners[p[1]] = " ".join(p[2:])
        elif p[:1] == ["S"] and len(p) >= 6:
            socks.append(p[1:])
        elif p[:1] == ["F"] and len(p) == 2:
            fw = int(p[1])
    res = []
    for proto, local, rem, st, inode in socks:
        res.append((proto, int(local.split(":")[1], 16), st, rem, owners.get(inode, "?")))
    return rc, res, fw


def check_ports(vm, tag, dhcp_allowed):
    """No TCP socket listens; UDP: nothing bound, except (with a network
    cable) the DHCP client's own port 68 in systemd-networkd."""
    rc, socks, fw = sockets(vm)
    listening = [s for s in socks if s[0].startswith("tcp") and s[2] == "0A"]
    bound = [s for s in socks if s[0].startswith("udp") and s[3].endswith(":0000")]
    dhcp = [s for s in bound if s[1] == 68 and s[4] == "systemd-network"]
    other = [s for s in bound if s not in dhcp]
    desc = "; ".join(f"{p} {port} {o}" for p, port, _, _, o in listening + bound) or "none"
    if dhcp_allowed:
        check(f"{tag}: no TCP port listening, no UDP port bound but the DHCP client's (68, systemd-networkd)",
              rc == 0 and not listening and not other, desc)
        check(f"{tag}: firewall drops everything that is not an answer (nftables, input, forward and output)", fw == 3,
              f"{fw} chains with policy drop")
    else:
        check(f"{tag}: no TCP or UDP port is listening or bound at all", rc == 0 and not listening and not bound, desc)


def wait_guest(vm, script, timeout, interval=1.0):
    end = time.monotonic() + timeout
    while True:
        rc, out = sh(vm, script)
        if rc == 0 or time.monotonic() > end or not vm.alive():
            return rc, out
        time.sleep(interval)


def kiosk_pid(vm):
    rc, out = sh(vm, "systemctl show -p MainPID --value hifazat-kiosk")
    return out.strip() if rc == 0 else "0"


def as_kiosk(cmd):
    """A command as the kiosk user inside the kiosk's own mount namespace."""
    return ("pid=$(systemctl show -p MainPID --value hifazat-kiosk); "
            "nsenter -t \"$pid\" -m -- setpriv --reuid=hifazat --regid=hifazat --init-groups "
            f"--inh-caps=-all --bounding-set=-all sh -c '{cmd}'")


# ---- a phone by cable: qemu's own usb-mtp device -------------------------------------
def as_user(cmd):
    """A command as the kiosk user outside the kiosk's service (which may be stopped)."""
    return ("setpriv --reuid=hifazat --regid=hifazat --init-groups --inh-caps=-all --bounding-set=-all "
            f"sh -c '{cmd}'")


def tree_digest(root):
    """Every file and folder under root: relative path, size, mtime, SHA-256."""
    h = hashlib.sha256()
    n = 0
    for dirpath, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(dirs + files):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, root)}\0{st.st_mode:o}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            if os.path.isfile(p):
                h.update(sha256(p).encode())
            n += 1
    return f"{n} entries {h.hexdigest()[:16]}"


def jsonl(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def host_hashes(a, files):
    """`hifazat hash` on the host: file name -> its JSON line."""
    r = subprocess.run([a.hifazat, "hash", "-q"] + files, capture_output=True, text=True)
    return {os.path.basename(x.get("path", "")): x for x in jsonl(r.stdout)}


def phone_files(a):
    """The album the flow sends (the long video among them), on the host."""
    d = os.path.join(a.phone, PHONE_ALBUM)
    names = sorted(n for n in os.listdir(d) if not n.startswith("."))
    return [os.path.join(d, n) for n in names]


def plug_phone(vm, a):
    for _ in range(20):     # qemu frees the id only once the guest let go of the last one
        try:
            return vm.qmp("device_add", driver="usb-mtp", bus="xhci.0", id="phone",
                          rootdir=os.path.abspath(a.phone), readonly=True, desc=PHONE_DESC, serial=PHONE_SERIAL)
        except BootError as e:
            if "Duplicate" not in str(e):
                raise
            time.sleep(1)
    raise BootError("device_add phone: the id stays taken")


def phone_usb(vm, present, timeout=30):
    """Waits until the phone is (or is no longer) on the guest's USB bus."""
    script = (f"for d in /sys/bus/usb/devices/*; do [ \"$(cat $d/serial 2>/dev/null)\" = {PHONE_SERIAL} ] && "
              "printf 'node=/dev/bus/usb/%03d/%03d\\n' $(cat $d/busnum) $(cat $d/devnum) && exit 0; done; exit 1")
    if not present:
        script = f"! grep -qx {PHONE_SERIAL} /sys/bus/usb/devices/*/serial 2>/dev/null"
    return wait_guest(vm, script, timeout, 0.5)


def phone_keys(vm, keys):
    vm.send_keys(*keys.split("-"))


def screen_sum(vm):
    """A digest of what the screen shows now (a raw screendump)."""
    ppm = os.path.join(vm.rundir, "sum.ppm")
    try:
        os.unlink(ppm)
    except FileNotFoundError:
        pass
    vm.qmp("screendump", filename=ppm)
    for _ in range(50):
        if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
            break
        time.sleep(0.1)
    time.sleep(0.1)
    return sha256(ppm)


def screen_changes(vm, before, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if screen_sum(vm) != before:
            return True
        time.sleep(0.5)
    return False


def phone_checks(vm, a, tag, st):
    """Boot 1's phone: the image's parts for phones, the CLI on both backends,
    the whole kiosk flow by keys with the cable pulled mid-way."""
    files = phone_files(a)
    big = [f for f in files if f.endswith("_long.mp4")]
    small = [f for f in files if f not in big]
    host = host_hashes(a, files)
    check(f"{tag}: the host fingerprints the phone's album ({len(files)} files, one long video)",
          len(host) == len(files) and len(big) == 1 and all("error" not in x for x in host.values()),
          ", ".join(sorted(host)))

    # ---- the image's parts: libraries, camlibs, nothing that mounts phones
    rc, out = sh(vm, r"""
        echo "pkgs=$(dpkg-query -W -f='${Package}:${db:Status-Abbrev} ' libmtp9 libgphoto2-6 libgphoto2-port12 libusb-1.0-0 2>&1)"
        echo "camlibs=$(ls /usr/lib/x86_64-linux-gnu/libgphoto2/*/ptp2.so /usr/lib/x86_64-linux-gnu/libgphoto2_port/*/usb1.so 2>/dev/null | wc -l)"
        echo "mounters=$(for p in gvfsd gvfsd-mtp gvfsd-gphoto2 gvfs-mtp-volume-monitor jmtpfs simple-mtpfs go-mtpfs gphotofs mtp-probe; do command -v $p; done | tr '\n' ' ')"
        echo "mounter_pkgs=$(dpkg-query -W -f='${Package}:${db:Status-Abbrev} ' gvfs gvfs-backends gvfs-fuse jmtpfs libmtp-runtime gphotofs 2>/dev/null | grep -o '[a-z0-9.-]*:ii' | tr '\n' ' ')"
        echo "links=$(ldd /usr/bin/hifazat-kiosk | grep -oE 'lib(mtp|gphoto2|gphoto2_port|usb-1\.0)\.so\.[0-9]+' | sort -u | tr '\n' ' ')"
        echo "policy=$(systemctl show -p DevicePolicy --value hifazat-kiosk)"
        echo "allow=$(systemctl show -p DeviceAllow --value hifazat-kiosk | tr '\n' ' ')"
        echo "families=$(systemctl show -p RestrictAddressFamilies --value hifazat-kiosk)"
        echo "masked=$(ls -l /etc/udev/rules.d/ | awk '/-> \/dev\/null/ {print $9}' | tr '\n' ' ')"
        """)
    p = kv(out)
    check(f"{tag}: libmtp, libgphoto2 (camlibs ptp2, iolib usb1) and libusb are in the image, the kiosk links them",
          p.get("pkgs", "").count(":ii") == 4 and p.get("camlibs") == "2"
          and all(x in p.get("links", "") for x in ("libmtp.so", "libgphoto2.so", "libgphoto2_port.so")),
          f"{p.get('pkgs')}; {p.get('camlibs')} camlibs; kiosk links {p.get('links')}")
    check(f"{tag}: nothing that mounts or probes phones is installed (gvfs, jmtpfs, simple-mtpfs, mtp-probe...)",
          not p.get("mounters") and not p.get("mounter_pkgs"), f"[{p.get('mounters')}] [{p.get('mounter_pkgs')}]")
    check(f"{tag}: the kiosk's unit keeps devices closed but DRM, input, ALSA, USB nodes and its tty",
          p.get("policy") == "closed" and "char-usb_device rw" in p.get("allow", ""), f"{p.get('policy')}: {p.get('allow')}")
    check(f"{tag}: libgphoto2's and libmtp's own udev rules are masked",
          "libgphoto2" in p.get("masked", "") and "libmtp" in p.get("masked", ""), p.get("masked", ""))

    # ---- plugged in while the kiosk runs
    mounts_before = sh(vm, "findmnt -rn -o SOURCE,TARGET,FSTYPE | sort")[1]
    mark = len(vm.serial_text())
    pid = kiosk_pid(vm)
    plug_phone(vm, a)
    rc, out = phone_usb(vm, True)
    node = kv(out).get("node", "")
    check(f"{tag}: qemu's usb-mtp device (a phone, serial fixed) appears on the guest's USB bus", rc == 0 and node, out.strip())
    ok = vm.wait_serial(r"KIOSK_EVENT device=phone state=ready", 90, since=mark) is not None
    check(f"{tag}: the running kiosk sees the phone, ready (KIOSK_EVENT device=phone state=ready)", ok,
          ", ".join(re.findall(r"KIOSK_EVENT device=\S+ state=\S+", vm.serial_text()[mark:])[-4:]))
    rc, out = sh(vm, f"""
        echo "perm=$(stat -c %U:%G:%a {node})"
        echo "acl=$(ls -l {node} | cut -c11)"
        echo "prop=$(udevadm info -q property -n {node} | grep -c '^HIFAZAT_PHONE=1')"
        echo "kiosk=$({as_user(f'exec 3<>{node} && echo opened')} 2>&1)"
        echo "nobody_rw=$(setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'exec 3<>{node} && echo opened' 2>&1)"
        echo "nobody_r=$(setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'exec 3<{node} && echo opened' 2>&1)"
        """)
    n = kv(out)
    check(f"{tag}: the phone's USB node is group hifazat 0660, no ACL: the kiosk user may open it, no one else",
          n.get("perm") == "root:hifazat:660" and n.get("acl") in ("", " ") and n.get("prop") == "1"
          and n.get("kiosk") == "opened" and "opened" not in n.get("nobody_rw", "") + n.get("nobody_r", "")
          and "denied" in n.get("nobody_rw", ""), out.strip().replace("\n", "; "))
    time.sleep(2)
    rc, out = sh(vm, "findmnt -rn -o SOURCE,TARGET,FSTYPE | sort; echo; "
                     "for p in /proc/[0-9]*; do c=$(cat $p/comm 2>/dev/null); case \"$c\" in *gvfs*|*mtpfs*|gphotofs|mtp-probe) echo \"MOUNTER $c\";; esac; done")
    check(f"{tag}: nothing is mounted for the phone (no FUSE, no gvfs), no mounter runs",
          rc == 0 and out.split("\n\n")[0].strip() == mounts_before.strip() and "MOUNTER " not in out,
          "no new mount" if out.split("\n\n")[0].strip() == mounts_before.strip() else out[-400:])

    # ---- the CLI on both backends (the kiosk holds the phone while it runs:
    # it is stopped meanwhile, and its start below sees the phone already there)
    sh(vm, "systemctl stop hifazat-kiosk")
    rc, out = sh(vm, as_user("hifazat devices --json"), 120)
    devs = [d for d in jsonl(out) if d.get("serial") == PHONE_SERIAL]
    d = devs[0] if devs else {}
    key = d.get("key", "")
    check(f"{tag}: `hifazat devices --json` (kiosk user): the phone, ready, backend mtp, its model",
          rc == 0 and d.get("state") == "ready" and d.get("backend") == "mtp" and d.get("kind") == "phone"
          and d.get("model") and key, out.strip()[-400:])
    names = [os.path.basename(f) for f in small]
    for scheme, what in (("mtp", "libmtp"), ("ptp", "libgphoto2, the PTP backend forced")):
        paths = " ".join(f"{scheme}:{key}/{PHONE_ALBUM}/{nm}" for nm in names)
        # in the background: the agent gives one command 120 s at most
        sh(vm, f"rm -f /run/hash-{scheme}.rc; setsid sh -c \"{as_user(f'hifazat hash -q {paths}')} "
               f">/run/hash-{scheme}.jsonl 2>/run/hash-{scheme}.err; echo rc=\\$? >/run/hash-{scheme}.rc\" "
               "</dev/null >/dev/null 2>&1 &")
        wait_guest(vm, f"[ -s /run/hash-{scheme}.rc ]", 900, 2)
        rc, out = sh(vm, f"cat /run/hash-{scheme}.jsonl /run/hash-{scheme}.rc; tail -n 3 /run/hash-{scheme}.err")
        got = {os.path.basename(x.get("path", "")): x for x in jsonl(out)}
        diff = []
        for nm in names:
            h = {k: v for k, v in host.get(nm, {}).items() if k != "path"}
            g = {k: v for k, v in got.get(nm, {}).items() if k != "path"}
            if not h or h != g:
                diff.append(f"{nm}: " + ", ".join(sorted(k for k in set(h) | set(g) if h.get(k) != g.get(k))))
        kinds = sorted({host[nm].get("format", "?") for nm in names if nm in host})
        check(f"{tag}: `hifazat hash {scheme}:KEY/...` ({what}) gives exactly the host's hashes of the same files "
              f"(md5, sha256, pdq, quality, vpdq frames: {', '.join(kinds)})",
              key and "rc=0" in out and not diff and len(got) == len(names), "; ".join(diff)[:400] or out[-300:])
    mark = len(vm.serial_text())
    sh(vm, "systemctl start hifazat-kiosk")
    ok = vm.wait_serial(r"KIOSK_READY", 180, since=mark) is not None
    ok2 = vm.wait_serial(r"KIOSK_EVENT device=phone state=ready", 90, since=mark) is not None
    check(f"{tag}: the kiosk started again (DevicePolicy=closed) finds the phone already there, ready",
          ok and ok2, ", ".join(re.findall(r"KIOSK_(?:READY|EVENT device=\S+ state=\S+)", vm.serial_text()[mark:])[-4:]))
    time.sleep(3)

    # ---- the whole flow by keys, the cable pulled while it fingerprints
    pid = kiosk_pid(vm)
    flow_ok, detail = True, ""
    for i, (keys, wait) in enumerate(PHONE_FLOW_KEYS):
        mark = len(vm.serial_text())
        before = screen_sum(vm)
        phone_keys(vm, keys)
        if wait == "screen=review":
            if vm.wait_serial(r"KIOSK_EVENT screen=fingerprint\r?\n", 60, since=mark) is None:
                flow_ok, detail = False, f"row {i}: no fingerprint screen"
                break
            time.sleep(4)         # a few photos done; the long video comes next
            unplug = len(vm.serial_text())
            vm.qmp("device_del", id="phone")
            gone = vm.wait_serial(r"KIOSK_EVENT device=phone state=removed", 60, since=unplug) is not None
            phone_usb(vm, False)
            time.sleep(5)
            after = vm.serial_text()[mark:]
            screens = re.findall(r"KIOSK_EVENT screen=(\w+)", after)
            rc, out = sh(vm, "systemctl is-active hifazat-kiosk")
            vm.screendump(f"{vm.rundir}/phone-removed.png")
            check(f"{tag}: the phone pulled out while it is fingerprinted: the kiosk says so (device=phone "
                  "state=removed), stays on the fingerprint screen, alive",
                  gone and screens == ["fingerprint"] and out.strip() == "active" and kiosk_pid(vm) == pid,
                  f"screens {screens}, kiosk {out.strip()}")
            time.sleep(PHONE_REPLUG_S)
            back = len(vm.serial_text())
            plug_phone(vm, a)
            ready_again = vm.wait_serial(r"KIOSK_EVENT device=phone state=ready", 120, since=back) is not None
            # A read stuck in the pulled cable may return only after the
            # phone is back (the device layer's timeout): Enter goes to Try
            # again only once the run has ended.
            ended = vm.wait_serial(r"KIOSK_EVENT fingerprint=finished\r?\n", 120, since=unplug) is not None
            time.sleep(PHONE_KEY_GAP)
            vm.screendump(f"{vm.rundir}/phone-back.png")
            mark = len(vm.serial_text())
            vm.send_keys("ret")       # Try again: focused once the phone is back
            t = vm.wait_serial(r"KIOSK_EVENT screen=review\r?\n", 900, since=mark)
            states = re.findall(r"KIOSK_EVENT device=phone state=(\w+)", vm.serial_text()[back:])
            why = "" if ready_again else sh(vm, "journalctl -b -u hifazat-kiosk -o cat | grep -iv 'KIOSK_EVENT' | tail -n 8")[1]
            check(f"{tag}: the same phone plugged in again {PHONE_REPLUG_S} s after the pull: ready (never failed), "
                  "Try again (Enter) fingerprints the rest, Review",
                  ready_again and ended and t is not None and "failed" not in states,
                  f"states after the replug {states}, run ended {ended}, review {t is not None}" + (f"; kiosk log: {why.strip()}" if why else ""))
            if t is None:
                flow_ok, detail = False, f"row {i}: no review after Try again"
                break
            time.sleep(PHONE_KEY_GAP)
            continue
        if wait:
            timeout = 300 if wait == "gallery=read" else 120
            if vm.wait_serial(rf"KIOSK_EVENT {wait}\r?\n", timeout, since=mark) is None:
                flow_ok, detail = False, f"row {i} ({keys}): no KIOSK_EVENT {wait}"
                vm.screendump(f"{vm.rundir}/phone-flow-stuck.png")
                break
        screen_changes(vm, before)
        time.sleep(PHONE_KEY_GAP)
    check(f"{tag}: the whole flow on the phone by keys (the flow test's presses), to a queued report and back to Welcome",
          flow_ok, detail or f"{len(PHONE_FLOW_KEYS)} rows")
    rc, out = sh(vm, as_kiosk("hifazat queue status --json"))
    try:
        status = json.loads(out[out.index("{"):])
    except ValueError:
        status = {}
    check(f"{tag}: the phone's report is queued beside the first", status.get("pending", {}).get("reports") == 2,
          out.strip()[-300:])
    mark = len(vm.serial_text())
    vm.qmp("device_del", id="phone")
    ok = vm.wait_serial(r"KIOSK_EVENT device=phone state=removed", 60, since=mark) is not None
    phone_usb(vm, False)
    stems = sorted({os.path.splitext(os.path.basename(f))[0] for f in files})
    rc, out = sh(vm, "journalctl -b -o cat | grep -c -F " + " ".join(f"-e {x}" for x in stems) + " || true")
    leaked = [x for x in stems if x in vm.serial_text()]
    check(f"{tag}: no file name of the phone in the journal or on the console",
          out.strip() == "0" and not leaked, f"journal {out.strip()}, console {leaked}")
    st["phone_key"] = key


def wav_rms(path):
    try:
        with wave.open(path) as w:
            n = w.getnframes()
            raw = w.readframes(n)
            width = w.getsampwidth()
    except Exception as e:  # noqa: BLE001
        return 0.0, f"{e}"
    if width != 2 or not raw:
        return 0.0, f"{width}-byte samples, {len(raw)} bytes"
    import array
    a = array.array("h", raw)
    if not a:
        return 0.0, "empty"
    peak = max(abs(x) for x in a[:: max(1, len(a) // 200000)])
    return peak / 32768.0, f"{len(a)} samples"


# ---- host-side view of the data partition (debugfs, no mount) ---------------------
def data_offset(img):
    out = subprocess.run(["sgdisk", "-i", "4", img], capture_output=True, text=True).stdout
    m = re.search(r"First sector: (\d+)", out)
    return int(m.group(1)) * 512 if m else None


def debugfs(img, cmd):
    """One debugfs request on the image's KIOSKDATA partition, read-only."""
    r = subprocess.run(["debugfs", "-R", cmd, f"{img}?offset={data_offset(img)}"],
                       capture_output=True, text=True)
    return r.stdout


def data_names(img, path="/"):
    out = debugfs(img, f"ls -p {path}")
    names = []
    for line in out.splitlines():
        parts = line.strip().split("/")      # /inode/mode/uid/gid/name/size/
        if len(parts) >= 6 and parts[5] not in ("", ".", ".."):
            names.append(parts[5])
    return names


def ready(vm, tag, what, agent=True):
    """KIOSK_READY on the serial console (its time recorded as `what`), then
    the test agent when the boot has one: False when either is missing."""
    t = vm.wait_serial(r"KIOSK_READY", BOOT_TIMEOUT)
    if not check(f"{tag}: KIOSK_READY on the serial console", t is not None,
                 f"{t:.1f} s after power-on" if t else "not seen"):
        return False
    timings.append((what, t))
    return not agent or check(f"{tag}: test agent answers", vm.wait_agent(120))


def make_decoys(d):
    """Two sticks that look like parts of a Hifazat stick: one whose FAT
    partition is labelled KIOSKESP (named ESP, with a GRUB configuration that
    halts the machine where GRUB would look for one), one with a partition
    named and labelled kioskroot. A kiosk that boots them, or takes its root
    from them, never reaches KIOSK_READY."""
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    halt = os.path.join(d, "halt.cfg")
    with open(halt, "w") as f:
        f.write('echo "DECOY STICK: this is not the Hifazat stick that was started"\nsleep 5\nhalt\n')
    esp_img, root_img = os.path.join(d, "decoy-esp.img"), os.path.join(d, "decoy-root.img")
    for img in (esp_img, root_img):
        if os.path.exists(img):
            os.unlink(img)
        with open(img, "wb") as f:
            f.truncate(48 << 20)
    part = os.path.join(d, "esp.part")
    if os.path.exists(part):
        os.unlink(part)
    subprocess.run(["sgdisk", "-n", "1:1M:+40M", "-t", "1:EF00", "-c", "1:ESP", esp_img], check=True, capture_output=True)
    subprocess.run(["mkfs.vfat", "-F", "32", "-n", "KIOSKESP", "-C", part, str(40 * 1024)], check=True, capture_output=True)
    subprocess.run(["mmd", "-i", part, "::/boot", "::/boot/grub", "::/EFI", "::/EFI/debian"], check=True, env=env)
    for where in ("::/boot/grub/grub.cfg", "::/EFI/debian/grub.cfg"):
        subprocess.run(["mcopy", "-i", part, halt, where], check=True, env=env)
    subprocess.run(["dd", f"if={part}", f"of={esp_img}", "bs=1M", "seek=1", "conv=notrunc", "status=none"], check=True)
    os.unlink(part)
    subprocess.run(["sgdisk", "-n", "1:1M:+40M", "-t", "1:8304", "-c", "1:kioskroot", root_img], check=True,
                   capture_output=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "kioskroot", "-E", "offset=1048576", root_img, "40M"], check=True,
                   capture_output=True)
    return [esp_img, root_img]


# ---- the boots ---------------------------------------------------------------------
def boot_shipped(a, goldens):
    tag = "shipped image, UEFI Secure Boot (Microsoft's keys), USB, beside two decoy sticks"
    decoys = make_decoys(os.path.join(a.out, "decoys"))
    vm = VM("shipped", os.path.join(a.out, "boot0-shipped"), a.image, firmware="uefi-sb",
            boot_bus="usb", snapshot=True, agent=False, decoys=decoys)
    vm.start()
    try:
        if not ready(vm, tag, "shipped, UEFI Secure Boot, USB, beside two decoy sticks", agent=False):
            return
        time.sleep(3)
        # Not provisioned: no helpline key, so the kiosk says (in Urdu, to
        # staff) that it is not ready and takes no reports.
        first_screen_check(f"{tag}: the screen shows the Urdu 'not ready, ask staff' screen (no helpline key yet)",
                           vm, f"{vm.rundir}/not-ready.png", goldens, want="config_error_ur")
        vm.send_keys("ctrl", "alt", "f2")
        time.sleep(2)
        vm.send_keys("alt", "f3")
        time.sleep(2)
        screen_check(f"{tag}: Ctrl-Alt-F2 / Alt-F3 switch to no other console",
                     vm.screendump(f"{vm.rundir}/after-ctrl-alt-f2.png"), goldens, want="config_error_ur")
        vm.send_keys("ctrl", "alt", "delete")
        time.sleep(4)
        check(f"{tag}: Ctrl-Alt-Del does not reboot", vm.alive())
        text = vm.serial_text()
        check(f"{tag}: no login prompt on the serial console",
              not re.search(r"login:|Password:|emergency mode|Give root password", text, re.I))
    finally:
        vm.stop()



def connect_probe(where=""):
    """A shell line: a TCP connection to the drop box from a root shell, moved
    first into the cgroup `where` when given; prints connect=ok|failed."""
    move = f"echo $$ > /sys/fs/cgroup/{where}/cgroup.procs && " if where else ""
    return (f"bash -c '{move}timeout 8 bash -c \"exec 3<>/dev/tcp/{DROPBOX_ADDR}/{DROPBOX_PORT}\"' 2>/dev/null "
            "&& echo connect=ok || echo connect=failed")


def walls_checks(vm, a, tag, dropbox):
    """The image's walls: the kiosk's unit (no network, system call filter),
    the firewall's output policy, the upload service that alone may reach the
    drop box (asked for the way the staff screen asks: a request file), and
    the site settings root keeps out of the kiosk's reach."""
    rc, out = sh(vm, r"""
        systemctl show hifazat-kiosk -p IPAddressDeny -p RestrictAddressFamilies -p NoNewPrivileges \
            -p ProtectSystem -p SystemCallErrorNumber | sed 's/^/unit_/'
        echo "unit_SystemCallFilter=$(systemctl show hifazat-kiosk -p SystemCallFilter --value | tr ' ' '\n' | grep -cx -e mount -e ptrace -e setuid -e chown -e setrlimit -e init_module -e reboot) forbidden in the list, $(systemctl show hifazat-kiosk -p SystemCallFilter --value | tr ' ' '\n' | grep -cx -e execve -e clone -e ioctl -e openat -e seccomp) needed in it"
        pid=$(systemctl show -p MainPID --value hifazat-kiosk)
        echo "seccomp=$(awk '/^Seccomp:/ {print $2}' /proc/$pid/status)"
        echo "inet_sockets=$(for fd in /proc/$pid/fd/*; do readlink $fd; done 2>/dev/null | grep -c socket) sockets"
        echo "path_unit=$(systemctl is-active hifazat-upload.path)"
        systemctl show hifazat-upload -p User -p ProtectSystem -p NoNewPrivileges -p ReadWritePaths | sed 's/^/upload_/'
        echo "upload_chain=$(nft list chain inet hifazat upload | grep -c accept)"
        echo "site=$(stat -c %U:%G:%a /run/hifazat/site.conf 2>&1)"
        echo "site_dir=$(stat -c %U:%G:%a /run/hifazat 2>&1)"
        echo "site_ca=$(stat -c %U:%a /run/hifazat/upload-ca.pem 2>&1)"
        echo "site_has=$(grep -c -e '^helpline_public_key = ' -e '^kiosk_key_secret = ' -e '^url = ' -e '^pin_hash = ' /run/hifazat/site.conf)"
        """)
    u = kv(out)
    check(f"{tag}: the kiosk's unit: no IP at all (IPAddressDeny=any, only AF_UNIX and AF_NETLINK sockets)",
          u.get("unit_IPAddressDeny", "").split() in (["0.0.0.0/0", "::/0"], ["::/0", "0.0.0.0/0"])
          and sorted(u.get("unit_RestrictAddressFamilies", "").split()) == ["AF_NETLINK", "AF_UNIX"],
          f"IPAddressDeny={u.get('unit_IPAddressDeny')} RestrictAddressFamilies={u.get('unit_RestrictAddressFamilies')}")
    check(f"{tag}: the kiosk's unit: system call filter in force (no mount, ptrace, setuid, chown, setrlimit, "
          "modules, reboot; execve, clone, ioctl, seccomp kept), NoNewPrivileges, ProtectSystem=strict",
          u.get("unit_SystemCallFilter", "").startswith("0 forbidden in the list, 5 needed")
          and u.get("unit_SystemCallErrorNumber") in ("1", "EPERM") and u.get("seccomp") == "2"
          and u.get("unit_NoNewPrivileges") == "yes" and u.get("unit_ProtectSystem") == "strict",
          f"filter: {u.get('unit_SystemCallFilter')}, errno {u.get('unit_SystemCallErrorNumber')}, "
          f"Seccomp: {u.get('seccomp')}, nnp {u.get('unit_NoNewPrivileges')}, {u.get('unit_ProtectSystem')}")
    check(f"{tag}: the upload unit: the kiosk user, ProtectSystem=strict, only the data partition writable, "
          "started by its .path unit, firewall closed while it is not running",
          u.get("path_unit") == "active" and u.get("upload_User") == "hifazat" and u.get("upload_ProtectSystem") == "strict"
          and u.get("upload_ReadWritePaths") == "/var/lib/hifazat" and u.get("upload_NoNewPrivileges") == "yes"
          and u.get("upload_chain") == "0",
          " ".join(f"{k}={v}" for k, v in u.items() if k.startswith("upload_") or k == "path_unit"))
    # ---- site settings: from the ESP, root's, the kiosk reads but cannot write
    check(f"{tag}: site settings copied from the ESP to /run/hifazat/site.conf, root:hifazat 0640 (dir root 0755)",
          u.get("site") == "root:hifazat:640" and u.get("site_dir") == "root:root:755" and u.get("site_has") == "4"
          and u.get("site_ca") == "root:644",
          f"site.conf {u.get('site')}, dir {u.get('site_dir')}, {u.get('site_has')} of 4 settings, CA {u.get('site_ca')}")
    rc, out = sh(vm, as_user("grep -c helpline_public_key /run/hifazat/site.conf; "
                             "echo x >> /run/hifazat/site.conf && echo append=ok || echo append=refused; "
                             "rm -f /run/hifazat/site.conf && echo rm=ok || echo rm=refused; "
                             "touch /run/hifazat/new && echo create=ok || echo create=refused") + "; stat -c %s /run/hifazat/site.conf")
    check(f"{tag}: the kiosk user reads the site settings but cannot change, replace or add to them",
          out.split()[:1] == ["1"] and "append=refused" in out and "rm=refused" in out and "create=refused" in out,
          out.strip().replace("\n", " "))
    if not dropbox:
        return
    # ---- no route out: the firewall's output policy, and the kiosk's cgroup
    rc, before = sh(vm, connect_probe(), 60)
    rc, handle = sh(vm, f"nft --echo --handle insert rule inet hifazat output ip daddr {DROPBOX_ADDR} tcp dport "
                        f"{DROPBOX_PORT} accept comment '\"boot test\"' | sed -n 's/.*# handle \\([0-9]*\\).*/\\1/p'")
    rc, outside = sh(vm, connect_probe(), 60)
    rc, kiosk = sh(vm, connect_probe("system.slice/hifazat-kiosk.service"), 60)
    sh(vm, f"nft delete rule inet hifazat output handle {handle.strip() or 0}")
    check(f"{tag}: the firewall's output policy stops a root process outside the upload service from reaching the drop box",
          "connect=failed" in before, before.strip())
    check(f"{tag}: with the firewall opened for the test, a process in the kiosk's own cgroup still cannot connect "
          "(IPAddressDeny), while one outside can",
          "connect=ok" in outside and "connect=failed" in kiosk,
          f"outside: {outside.strip()}, kiosk cgroup: {kiosk.strip()}, test rule handle {handle.strip()}")
    # ---- "Upload now" as the staff screen asks for it: a request file
    rc, out = sh(vm, as_kiosk("hifazat hash -q /usr/share/hifazat/demo/media/DEMO-PHONE/DCIM/Camera/IMG_0002.jpg > /run/hifazat-kiosk/u.jsonl && "
                              "hifazat queue add --from /run/hifazat-kiosk/u.jsonl --route adult --json && rm -f /run/hifazat-kiosk/u.jsonl && "
                              "mkdir -p /var/lib/hifazat/upload && echo boottest1 > /var/lib/hifazat/upload/request"))
    check(f"{tag}: a report queued and an upload asked for as the kiosk (request file)", rc == 0, out.strip()[-200:])
    rc, out = wait_guest(vm, "grep -q '\"state\":\"done\",\"request\":\"boottest1\"' /var/lib/hifazat/upload/status.json && "
                             "cat /var/lib/hifazat/upload/status.json", 240, 2)
    try:
        status = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        status = {}
    rc2, journal = sh(vm, "journalctl -b -u hifazat-upload -o cat | tail -n 12; nft list chain inet hifazat upload | grep -c accept")
    spool = os.path.join(dropbox.spool)
    got = sorted(n for n in os.listdir(spool) if n.endswith(".tar")) if os.path.isdir(spool) else []
    check(f"{tag}: hifazat-upload.service delivered the report to the real drop box (nginx) and told the kiosk (status.json)",
          status.get("exit") == 0 and status.get("reports_uploaded") == 1 and len(got) == 1,
          f"status {out.strip()[-300:]}; on the drop box: {got}; journal: {journal.strip()[-400:]}")
    check(f"{tag}: the upload's firewall rules are gone again once it finished",
          journal.strip().splitlines()[-1:] == ["0"], journal.strip().splitlines()[-1:])


def boot_one(a, goldens, disk, sticks, dropbox=None):
    tag = "test variant boot 1, BIOS, USB"
    # the phone's part (both backends, the flow, a long video fingerprinted
    # twice) takes minutes more under TCG than the 600 s a boot gets
    relay = os.path.join(os.path.dirname(os.path.abspath(__file__)), "relay.py")
    vm = VM("boot1", os.path.join(a.out, "boot1-bios"), disk, firmware="bios", boot_bus="usb",
            hard_timeout=1800 if a.phone else 600,
            guestfwd=f"tcp:{DROPBOX_ADDR}:{DROPBOX_PORT}-cmd:{sys.executable} {relay} {dropbox.port}" if dropbox else "")
    vm.start()
    st = {}
    try:
        if not ready(vm, tag, "test variant, BIOS, USB, first boot (grows the data partition)"):
            return st
        time.sleep(2)
        first_screen_check(f"{tag}: the screen shows the Urdu welcome", vm, f"{vm.rundir}/welcome.png", goldens)

        rc, out = sh(vm, r"""
            echo "root=$(findmnt -no FSTYPE /)"
            echo "lower=$(findmnt -no FSTYPE,OPTIONS /run/hifazat-root/ro)"
            echo "data=$(findmnt -no FSTYPE,OPTIONS /var/lib/hifazat)"
            echo "data_src=$(findmnt -no SOURCE /var/lib/hifazat)"
            echo "data_owner=$(stat -c %U:%a /var/lib/hifazat)"
            src=$(findmnt -no SOURCE /var/lib/hifazat); disk=/dev/$(lsblk -no PKNAME "$src")
            echo "data_bytes=$(lsblk -bdno SIZE "$src")"
            echo "disk_bytes=$(lsblk -bdno SIZE "$disk")"
            echo "data_end_gap=$(( $(cat /sys/class/block/$(basename $disk)/size) - $(cat /sys/class/block/$(basename $src)/start) - $(cat /sys/class/block/$(basename $src)/size) ))"
            pid=$(systemctl show -p MainPID --value hifazat-kiosk)
            echo "kiosk_state=$(systemctl is-active hifazat-kiosk)"
            echo "kiosk_user=$(stat -c %U /proc/$pid)"
            echo "kiosk_uid=$(awk '/^Uid:/ {print $2}' /proc/$pid/status)"
            echo "kiosk_capeff=$(awk '/^CapEff:/ {print $2}' /proc/$pid/status)"
            echo "kiosk_nnp=$(awk '/^NoNewPrivs:/ {print $2}' /proc/$pid/status)"
            echo "kiosk_tty=$(readlink /proc/$pid/fd/0)"
            echo "kiosk_log=$(journalctl -b -u hifazat-kiosk -o cat | grep -m1 'hifazat-kiosk: video')"
            echo "root_pw=$(getent shadow root | cut -d: -f2)"
            echo "root_shell=$(getent passwd root | cut -d: -f7)"
            echo "sysrq=$(cat /proc/sys/kernel/sysrq)"
            echo "cad=$(systemctl is-enabled ctrl-alt-del.target 2>&1)"
            echo "getty=$(for u in getty@tty1 getty@tty2 getty@tty6 serial-getty@ttyS0 autovt@tty2 getty-static console-getty; do printf '%s:%s ' $u $(systemctl is-enabled $u.service 2>&1); done)"
            echo "login_procs=$(for p in /proc/[0-9]*; do c=$(cat $p/comm 2>/dev/null); case "$c" in *getty*|login|sulogin|*sh) [ "$c" = bash ] || echo -n "$c ";; esac; done)"
            echo "tty_open=$(for p in /proc/[0-9]*/fd/*; do l=$(readlink $p 2>/dev/null); case "$l" in /dev/tty[2-6]) echo -n "$p->$l ";; esac; done)"
            echo "locale=$(locale -a | grep -i '^ur_PK.utf8$')"
            echo "vt=$(cat /sys/class/tty/tty0/active)"
            echo "net=$(networkctl list --no-legend 2>/dev/null | awk '$3=="ether" {print $2":"$4}' | tr '\n' ' ')"
            echo "failed_units=$(systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"
            echo "sound_cards=$(grep -c ']:' /proc/asound/cards)"
            echo "master=$(amixer -M get Master 2>/dev/null | grep -o '\[[0-9]*%\] .*\[on\]' | head -1)"
            """)
        st = kv(out)
        check(f"{tag}: root is squashfs (read-only) + tmpfs overlay",
              st.get("root") == "overlay" and st.get("lower", "").startswith("squashfs ro"), f"/ {st.get('root')}, lower {st.get('lower')}")
        st["data"] = " ".join(st.get("data", "").split())
        check(f"{tag}: KIOSKDATA mounted at /var/lib/hifazat rw,nosuid,nodev,noexec, owned by the kiosk user",
              st.get("data", "").startswith("ext4 rw") and all(o in st.get("data", "") for o in ("nosuid", "nodev", "noexec"))
              and st.get("data_owner") == "hifazat:700", f"{st.get('data_src')} {st.get('data')} {st.get('data_owner')}")
        data_mb = int(st.get("data_bytes", "0") or 0) >> 20
        check(f"{tag}: data partition grown to fill the bigger stick",
              data_mb > a.data_mb + a.grow_mb - 8 and int(st.get("data_end_gap", "999999") or 999999) < 4096,
              f"{data_mb} MiB of a {int(st.get('disk_bytes', '0') or 0) >> 20} MiB stick, {st.get('data_end_gap')} sectors left")
        check(f"{tag}: kiosk runs as the unprivileged user, no capabilities, no new privileges, on tty1",
              st.get("kiosk_state") == "active" and st.get("kiosk_user") == "hifazat" and st.get("kiosk_uid") not in ("", "0")
              and st.get("kiosk_capeff") == "0000000000000000" and st.get("kiosk_nnp") == "1" and st.get("kiosk_tty") == "/dev/tty1",
              f"{st.get('kiosk_user')} uid {st.get('kiosk_uid')} caps {st.get('kiosk_capeff')} nnp {st.get('kiosk_nnp')} {st.get('kiosk_tty')}")
        check(f"{tag}: KMSDRM with the opengles2 renderer", "video kmsdrm, renderer opengles2" in st.get("kiosk_log", "").lower(),
              st.get("kiosk_log", ""))
        check(f"{tag}: root is locked and has no shell", st.get("root_pw", "").startswith("!")
              and st.get("root_shell") == "/usr/sbin/nologin", f"{st.get('root_pw')} {st.get('root_shell')}")
        check(f"{tag}: SysRq off, Ctrl-Alt-Del masked", st.get("sysrq") == "0" and st.get("cad") == "masked",
              f"sysrq={st.get('sysrq')} ctrl-alt-del.target {st.get('cad')}")
        gettys = st.get("getty", "")
        check(f"{tag}: every getty masked, no login process, tty2-tty6 never opened",
              gettys.count(":masked") == 7 and not st.get("login_procs") and not st.get("tty_open"),
              f"{gettys} procs [{st.get('login_procs')}] open [{st.get('tty_open')}]")
        check(f"{tag}: ur_PK.UTF-8 locale generated", st.get("locale", "").lower() == "ur_pk.utf8", st.get("locale", ""))
        check(f"{tag}: wired network configured by DHCP (for uploads)", "routable" in st.get("net", ""), st.get("net", ""))
        check(f"{tag}: no failed units", not st.get("failed_units"), st.get("failed_units", ""))
        check(f"{tag}: a sound card with the master volume on", st.get("sound_cards", "0") != "0" and "[on]" in st.get("master", ""),
              f"{st.get('sound_cards')} card(s), Master {st.get('master')}")
        check_ports(vm, tag, dhcp_allowed=True)
        walls_checks(vm, a, tag, dropbox)

        # ---- removable media: plug in two sticks (FAT; exFAT + NTFS + ext4)
        supports_events = sh(vm, "grep -c KIOSK_EVENT /usr/bin/hifazat-kiosk")[1].strip() not in ("", "0")
        mark = len(vm.serial_text())
        for i, s in enumerate(sticks):
            vm.hotplug_stick(s["img"], f"hot{i}")
        want = sum(len(s["parts"]) for s in sticks)
        rc, out = wait_guest(vm, f"[ $(findmnt -rn -o TARGET | grep -c '^/media/') -ge {want} ] && findmnt -rn -o SOURCE,TARGET,FSTYPE,OPTIONS | grep ' /media/'", 60)
        mounts = [l.split() for l in out.splitlines() if " /media/" in l]
        if rc != 0:    # what the NTFS unit said, if it is the one missing
            out += " | " + sh(vm, "findmnt -rn -o TARGET,FSTYPE | grep ' /media/'; journalctl -b -u 'hifazat-ntfs-*' -o cat | tail -n 8")[1]
        check(f"{tag}: plugged-in sticks mounted under /media ({want} filesystems)", rc == 0, out.strip().replace("\n", "; "))
        rc2, label_map = sh(vm, "for m in $(findmnt -rn -o TARGET | grep '^/media/'); do echo \"$m=$(findmnt -no LABEL,SOURCE $m)\"; done")
        by_label = {}
        for line in label_map.splitlines():
            if "=" in line:
                target, rest = line.split("=", 1)
                by_label[rest.split()[0] if rest.split() else ""] = target
        for s in sticks:
            for p in s["parts"]:
                target = by_label.get(p["label"])
                m = next((x for x in mounts if len(x) >= 4 and x[1] == target), None)
                opts = m[3].split(",") if m else []
                check(f"{tag}: {p['fs']} stick ({p['label']}) read-only, nosuid, nodev, noexec",
                      m is not None and m[2] in p["mount_type"].split("|") and all(o in opts for o in ("ro", "nosuid", "nodev", "noexec")),
                      " ".join(m) if m else f"not mounted ({by_label})")
        rc, out = sh(vm, "for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = ntfs-3g ] && "
                         "echo \"$(awk '/^Uid:/ {print $2\":\"$3}' $p/status) $(awk '/^CapEff:/ {print $2}' $p/status) "
                         "$(cat $p/cgroup | sed 's|.*/||')\"; done; true")
        procs = out.split()
        check(f"{tag}: the NTFS stick is read by ntfs-3g as an unprivileged user (not root), in a unit of its own",
              rc == 0 and len(procs) == 3 and procs[0].split(":")[0] not in ("", "0") and procs[0].split(":")[1] not in ("", "0")
              and procs[1] == "0000000000000000" and procs[2].startswith("hifazat-ntfs-"),
              f"uid:euid capeff unit = {out.strip()}")
        rc, out = sh(vm, "boot=$(lsblk -no PKNAME $(findmnt -no SOURCE /run/hifazat-root/ro)); "
                         "findmnt -rn -o SOURCE,TARGET | awk '$2 ~ \"^/media/\"' | grep \"/dev/$boot\" || true; echo boot=$boot")
        check(f"{tag}: the boot stick's own partitions are not offered", "boot=" in out and "/media/" not in out, out.strip())
        for s_ in sticks:
            for p in s_["parts"]:
                if not p.get("files"):
                    continue
                where = by_label.get(p["label"], "/media/none")
                rc, out = sh(vm, as_kiosk(f"cd {where} && sha256sum {' '.join(p['files'])}"))
                got = {l.split()[1]: l.split()[0] for l in out.splitlines() if len(l.split()) == 2}
                check(f"{tag}: the kiosk user reads the {p['fs']} stick's pictures inside the kiosk's own namespace",
                      rc == 0 and got == p["sha256"], out.strip()[:300])
        fat = sticks[0]["parts"][0]
        target = by_label.get(fat["label"], "/media/none")
        rc, out = sh(vm, f"touch {target}/written-by-kiosk 2>&1; echo rc=$?; blockdev --getro $(findmnt -no SOURCE {target})")
        check(f"{tag}: nothing can write to the stick (EROFS, block device read-only)",
              "Read-only file system" in out and out.strip().endswith("1"), out.strip())
        if supports_events:
            ok = vm.wait_serial(r"KIOSK_EVENT volumes=[1-9]", 30) is not None
            ev = re.findall(r"KIOSK_EVENT volumes=\d+", vm.serial_text()[mark:])
            check(f"{tag}: the kiosk sees the plugged-in sticks (KIOSK_EVENT)", ok, ", ".join(ev[-3:]))
        else:
            print(f"NOTE {tag}: this kiosk build prints no KIOSK_EVENT lines (HIFAZAT_TEST_EVENTS); "
                  "the stick was checked from inside the kiosk's mount namespace as its user instead", flush=True)

        # ---- a report queued from the stick's first picture (the CLI, as the kiosk user)
        q = sh(vm, as_kiosk(f"hifazat hash -q {target}/{fat['files'][0]} > /run/hifazat-kiosk/h.jsonl && "
                            "hifazat queue add --from /run/hifazat-kiosk/h.jsonl --route adult --json && "
                            "rm -f /run/hifazat-kiosk/h.jsonl"))
        receipt = {}
        try:
            receipt = json.loads(q[1].strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
        check(f"{tag}: a report is queued on the data partition", q[0] == 0 and "case_code" in receipt, q[1].strip()[:300])
        st["receipt"] = receipt
        # ---- a video: FFmpeg is loaded with dlopen() (avdl), so only the
        # package's own Depends bring it into the image; this proves they do.
        vid = "/usr/share/hifazat/demo/media/DEMO-PHONE/DCIM/Camera/VID_0001.mp4"
        rc, out = sh(vm, as_kiosk(f"hifazat hash -q {vid}"))
        v = {}
        try:
            v = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
        check(f"{tag}: a video is fingerprinted (vPDQ: FFmpeg installed and loaded on demand)",
              rc == 0 and v.get("kind") == "video" and len(v.get("vpdq", [])) > 0 and "error" not in v,
              out.strip()[:300])
        rc, out = sh(vm, "echo volatile > /etc/hifazat-volatile-test && mkdir -p /home/visitor && "
                         "echo volatile > /home/visitor/notes.txt && sync && ls /etc/hifazat-volatile-test /home/visitor/notes.txt")
        check(f"{tag}: files written to /etc and /home", rc == 0, out.strip())

        # ---- keys: no console switching, Ctrl-Alt-Del and SysRq do nothing
        for keys in (("ctrl", "alt", "f2"), ("ctrl", "alt", "f3"), ("ctrl", "alt", "f4"), ("ctrl", "alt", "f5"),
                     ("ctrl", "alt", "f6"), ("alt", "f2"), ("alt", "right"), ("alt", "left")):
            vm.send_keys(*keys)
            time.sleep(0.7)
        time.sleep(2)
        rc, out = sh(vm, "cat /sys/class/tty/tty0/active; systemctl is-active hifazat-kiosk")
        check(f"{tag}: Ctrl-Alt-F2..F6, Alt-Fn, Alt-arrows: still on tty1 with the kiosk", out.split() == ["tty1", "active"],
              out.strip().replace("\n", " "))
        screen_check(f"{tag}: the screen still shows the kiosk after the console keys",
                     vm.screendump(f"{vm.rundir}/after-vt-keys.png"), goldens)
        for _ in range(8):     # a burst: systemd's CtrlAltDelBurstAction would reboot
            vm.send_keys("ctrl", "alt", "delete")
            time.sleep(0.15)
        vm.send_keys("alt", "sysrq", "b")
        time.sleep(4)
        rc, out = sh(vm, "systemctl is-system-running; systemctl is-active hifazat-kiosk") if vm.alive() else (1, "qemu exited")
        check(f"{tag}: Ctrl-Alt-Del (x8) and Alt-SysRq-B do nothing", vm.alive() and "active" in out.split(),
              out.strip().replace("\n", " "))

        # ---- audio: a tone as the kiosk user through ALSA's default device
        rc, out = sh(vm, as_kiosk("speaker-test -D default -c 2 -t sine -f 660 -l 1 >/dev/null 2>&1; echo rc=$?"), 90)
        check(f"{tag}: the kiosk user can play sound (ALSA default device)", "rc=0" in out, out.strip())

        # ---- pull the sticks out
        for i in range(len(sticks)):
            vm.unplug_stick(f"hot{i}")
        rc, out = wait_guest(vm, "! findmnt -rn -o TARGET | grep -q '^/media/'", 30)
        check(f"{tag}: pulled-out sticks are unmounted", rc == 0, out.strip())

        # ---- a phone by cable (qemu's usb-mtp), the flow on it by keys
        if a.phone:
            t_phone = time.monotonic()
            phone_checks(vm, a, tag, st)
            spans.append(("boot 1's phone part", time.monotonic() - t_phone))

        rc, out = sh(vm, "systemctl --no-block poweroff; echo ok")
        check(f"{tag}: clean power-off", vm.wait_exit(120), f"qemu rc {vm.proc.returncode}")
    except BootError as e:
        check(f"{tag}: guest reachable", False, str(e))
    finally:
        vm.stop()
    peak, detail = wav_rms(vm.audio_wav)
    check(f"{tag}: the tone reached the sound card (host-side recording)", peak > 0.05, f"peak {peak:.2f}, {detail}")
    return st


AP_SCRIPT = r"""
set -e
trap 'echo "ap_failed=line $LINENO: $BASH_COMMAND"' ERR
T=/usr/local/lib/hifazat-test
A=/run/hifazat-test/ap
chmod 0755 $T/bin/*
mkdir -p $A/nginx/www/drop $A/nginx/tmp
modprobe mac80211_hwsim radios=2
for i in $(seq 100); do [ -e /sys/class/net/wlan1 ] && [ -e /sys/class/net/wlan0 ] && break; sleep 0.2; done
phy=$(basename "$(readlink -f /sys/class/net/wlan1/phy80211)")
# a named network namespace without iproute2: unshare keeps it on a bind mount
mkdir -p /run/netns
mountpoint -q /run/netns || { mount --bind /run/netns /run/netns && mount --make-private /run/netns; }
touch /run/netns/ap && unshare --net=/run/netns/ap true
LD_LIBRARY_PATH=$T/lib $T/bin/iw phy "$phy" set netns name ap
inap() { nsenter --net=/run/netns/ap env LD_LIBRARY_PATH=$T/lib "$@"; }
for i in $(seq 50); do inap $T/bin/busybox ip link show wlan1 >/dev/null 2>&1 && break; sleep 0.2; done
inap $T/bin/busybox ip link set lo up
inap $T/bin/busybox ip addr add DROPBOX_ADDR/32 dev lo
inap $T/bin/busybox ip addr add WIFI_AP/24 dev wlan1
cat > $A/hostapd.conf <<EOF
interface=wlan1
driver=nl80211
ssid=WIFI_SSID
hw_mode=g
channel=6
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=WIFI_PASS
EOF
cat > $A/udhcpd.conf <<EOF
interface wlan1
start 192.168.77.50
end 192.168.77.60
lease_file $A/udhcpd.leases
option subnet 255.255.255.0
option router WIFI_AP
option lease 3600
EOF
touch $A/udhcpd.leases
cat > $A/nginx/nginx.conf <<EOF
user root root;
daemon off;
master_process off;
worker_processes 1;
error_log $A/nginx/error.log info;
pid $A/nginx/nginx.pid;
events { worker_connections 64; }
http {
    access_log $A/nginx/access.log;
    client_body_temp_path $A/nginx/tmp/body;
    proxy_temp_path $A/nginx/tmp/proxy;
    fastcgi_temp_path $A/nginx/tmp/fastcgi;
    uwsgi_temp_path $A/nginx/tmp/uwsgi;
    scgi_temp_path $A/nginx/tmp/scgi;
    client_max_body_size 2g;
    server {
        listen DROPBOX_ADDR:DROPBOX_PORT ssl;
        ssl_certificate $T/tls/server.crt;
        ssl_certificate_key $T/tls/server.key;
        root $A/nginx/www;
        location /drop/ { dav_methods PUT; dav_access user:rw group:r all:r; }
    }
}
EOF
run() { systemd-run -q --unit="$1" -p NetworkNamespacePath=/run/netns/ap -E LD_LIBRARY_PATH=$T/lib "${@:2}"; }
run hifazat-test-hostapd $T/bin/hostapd $A/hostapd.conf
run hifazat-test-udhcpd $T/bin/busybox udhcpd -f $A/udhcpd.conf
run hifazat-test-nginx $T/bin/nginx -e $A/nginx/error.log -p $A/nginx/ -c $A/nginx/nginx.conf
sleep 3
echo "ap_units=$(systemctl is-active hifazat-test-hostapd hifazat-test-udhcpd hifazat-test-nginx | tr '\n' ' ')"
echo "ap_addr=$(inap $T/bin/busybox ip -4 addr show wlan1 | grep -o 'inet [0-9./]*' | tr '\n' ' ')"
echo "ap_hostapd=$(journalctl -u hifazat-test-hostapd -o cat | grep -c AP-ENABLED)"
""".replace("DROPBOX_ADDR", DROPBOX_ADDR).replace("DROPBOX_PORT", str(DROPBOX_PORT)).replace(
    "WIFI_AP", WIFI_AP).replace("WIFI_SSID", WIFI_SSID).replace("WIFI_PASS", WIFI_PASS)

# wpa_cli's replies go to its own socket in /tmp, which wpa_supplicant's unit
# (PrivateTmp) does not see: it runs inside that unit's mount namespace.
WPA_CLI = "nsenter -t $(systemctl show -p MainPID --value hifazat-wifi@wlan0) -m wpa_cli -p /run/wpa_supplicant -i wlan0"
WPA_STATE = r"""
st=$(WPA_CLI status 2>&1)
wpa_state=$(printf '%s\n' "$st" | sed -n 's/^wpa_state=//p')
wpa_ip=$(printf '%s\n' "$st" | sed -n 's/^ip_address=//p')
addr=$(/usr/local/lib/hifazat-test/bin/busybox ip -4 addr show wlan0 2>/dev/null | grep -o 'inet [0-9.]*' | cut -d' ' -f2 | tr '\n' ' ')
addr=${addr% }
echo "wpa_state=$wpa_state"
echo "wpa_ip=$wpa_ip"
echo "addr=$addr"
""".replace("WPA_CLI", WPA_CLI)


def type_keys(vm, text, gap=0.3):
    """A password typed on the (emulated) keyboard, one key per character."""
    names = {"-": "minus"}
    for ch in text:
        vm.send_keys(names.get(ch, ch))
        time.sleep(gap)


def press(vm, keys, gap=1.5):
    """Presses, one after another ("shift-tab": both at once)."""
    for k in keys:
        vm.send_keys(*k.split("-"))
        time.sleep(gap)


def wifi_checks(vm, a, tag):
    """Boot 2 has no NIC: Wi-Fi is its only network. mac80211_hwsim makes two
    radios; the second, in the namespace "ap", is an access point with DHCP
    and the drop box; the kiosk's wlan0 joins it only when staff ask, by
    keys, and the report queued here goes up through it. Returns the uploaded
    archives, copied to the host."""
    rc, out = sh(vm, AP_SCRIPT, 120)
    ap = kv(out)
    check(f"{tag}: Wi-Fi test access point up in its own network namespace (mac80211_hwsim under Secure Boot, "
          "hostapd WPA2-PSK, udhcpd, nginx on the drop box's address)",
          rc == 0 and ap.get("ap_units", "").split() == ["active"] * 3 and ap.get("ap_hostapd", "0") != "0"
          and f"inet {WIFI_AP}/24" in ap.get("ap_addr", ""), out.strip().replace("\n", "; ")[-600:])
    rc, out = wait_guest(vm, "systemctl is-active -q hifazat-wifi@wlan0 && [ -S /run/wpa_supplicant/wlan0 ]", 30)
    by_itself = rc == 0
    if not by_itself:      # the check below fails; started by hand so the rest can still be tried
        sh(vm, "systemctl start hifazat-wifi@wlan0; sleep 3")
    rc, out = sh(vm, r"""
        echo "unit=$(systemctl is-active hifazat-wifi@wlan0)"
        echo "caps=$(systemctl show hifazat-wifi@wlan0 -p CapabilityBoundingSet --value)"
        pid=$(systemctl show -p MainPID --value hifazat-wifi@wlan0)
        echo "capeff=$(awk '/^CapEff:/ {print $2}' /proc/$pid/status 2>/dev/null)"
        echo "dir=$(stat -c %U:%G:%a /run/wpa_supplicant 2>&1)"
        echo "sock=$(stat -c %U:%G:%a /run/wpa_supplicant/wlan0 2>&1)"
        echo "networks=$(WPA_CLI list_networks 2>&1 | tail -n +2 | grep -c .)"
        echo "names=$(ls /sys/class/net | tr '\n' ' ')"
        """.replace("WPA_CLI", WPA_CLI) + WPA_STATE)
    w = kv(out)
    check(f"{tag}: wpa_supplicant for wlan0 started by itself when the radio appeared (hifazat-wifi@wlan0), "
          "only CAP_NET_ADMIN and CAP_NET_RAW, its control socket root:hifazat",
          by_itself and w.get("unit") == "active" and sorted(w.get("caps", "").split()) == ["cap_net_admin", "cap_net_raw"]
          and w.get("dir", "").startswith("root:hifazat:7") and w.get("sock", "").startswith("root:hifazat:77"),
          out.strip().replace("\n", "; ")[:600])
    check(f"{tag}: without staff the radio joins nothing (no network configured, not associated, no address)",
          w.get("networks") == "0" and w.get("wpa_state") in ("DISCONNECTED", "INACTIVE", "SCANNING")
          and not w.get("wpa_ip") and not w.get("addr"),
          f"{w.get('networks')} networks, wpa_state {w.get('wpa_state')}, ip [{w.get('wpa_ip')}], addr [{w.get('addr')}]")
    # a fresh report for the Wi-Fi upload (boot 1's are exported: they stay)
    pic = f"/usr/share/hifazat/demo/media/DEMO-PHONE/DCIM/Camera/{WIFI_PICTURE}"
    rc, out = sh(vm, as_kiosk(f"hifazat hash -q {pic} > /run/hifazat-kiosk/w.jsonl && "
                              "hifazat queue add --from /run/hifazat-kiosk/w.jsonl --route adult --json && "
                              "rm -f /run/hifazat-kiosk/w.jsonl"))
    check(f"{tag}: a report queued for the Wi-Fi upload", rc == 0 and "case_code" in out, out.strip()[-200:])
    sh(vm, "rm -f /var/lib/hifazat/upload/status.json")

    # ---- staff join by keys
    mark = len(vm.serial_text())
    vm.send_keys(*STAFF_OPEN_KEYS)
    ok = vm.wait_serial(r"KIOSK_EVENT screen=staff_pin", 30, since=mark) is not None
    for d in STAFF_PIN:
        vm.send_keys(d)
        time.sleep(0.3)
    vm.send_keys("ret")
    ok = ok and vm.wait_serial(r"KIOSK_EVENT screen=staff\r?\n", 180, since=mark) is not None
    check(f"{tag}: Ctrl-Alt-S and the staff PIN open the staff screen (for Wi-Fi)", ok)
    time.sleep(3)
    press(vm, WIFI_OPEN_KEYS)
    time.sleep(12)           # the first scan, under TCG
    vm.screendump(f"{vm.rundir}/wifi-list.png")
    press(vm, WIFI_NETWORK_KEYS, 2.5)
    vm.screendump(f"{vm.rundir}/wifi-password.png")
    mark = len(vm.serial_text())
    type_keys(vm, WIFI_WRONG)
    vm.send_keys("ret")
    ev = vm.wait_serial(r"KIOSK_EVENT wifi=[^\r\n]*\r?\n", 120, since=mark)
    got = re.findall(r"KIOSK_EVENT wifi=\S+(?: reason=\S+)?", vm.serial_text()[mark:])
    time.sleep(2)
    vm.screendump(f"{vm.rundir}/wifi-wrong.png")
    check(f"{tag}: a wrong Wi-Fi password typed by keys: KIOSK_EVENT wifi=failed reason=wrong_key (wifi-wrong.png)",
          "KIOSK_EVENT wifi=failed reason=wrong_key" in got, ", ".join(got) or "no wifi event")
    press(vm, WIFI_TRY_AGAIN_KEYS, 2.5)
    mark = len(vm.serial_text())
    type_keys(vm, WIFI_PASS)
    vm.send_keys("ret")
    vm.wait_serial(r"KIOSK_EVENT wifi=[^\r\n]*\r?\n", 120, since=mark)
    got = re.findall(r"KIOSK_EVENT wifi=\S+(?: reason=\S+)?", vm.serial_text()[mark:])
    rc, out = wait_guest(vm, WPA_STATE + "case \"$addr\" in 192.168.77.*) ;; *) exit 1;; esac", 40, 2)
    w = kv(out)
    time.sleep(2)
    vm.screendump(f"{vm.rundir}/wifi-connected.png")
    check(f"{tag}: the right password: KIOSK_EVENT wifi=connected, wlan0 has an address from the access point",
          "KIOSK_EVENT wifi=connected" in got and w.get("wpa_state") == "COMPLETED"
          and w.get("addr", "").startswith("192.168.77."),
          f"events {', '.join(got) or 'none'}; wpa_state {w.get('wpa_state')}, addr [{w.get('addr')}]")

    # ---- "Upload now" by keys: hifazat-upload.service over Wi-Fi
    press(vm, WIFI_DONE_KEYS, 2.5)
    press(vm, STAFF_UPLOAD_KEYS, 1.5)
    rc, out = wait_guest(vm, "grep -q '\"state\":\"done\"' /var/lib/hifazat/upload/status.json && "
                             "cat /var/lib/hifazat/upload/status.json", 300, 3)
    try:
        status = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        status = {}
    rc2, spool = sh(vm, "cd /run/hifazat-test/ap/nginx/www/drop && for f in *.tar; do [ -f \"$f\" ] && "
                        "echo \"$f $(base64 -w0 \"$f\")\"; done; true")
    archives = []
    work = os.path.join(a.out, "wifi-upload")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for line in spool.splitlines():
        p = line.split()
        if len(p) == 2 and re.fullmatch(r"[\w.-]+\.tar", p[0]):
            path = os.path.join(work, p[0])
            with open(path, "wb") as f:
                f.write(base64.b64decode(p[1]))
            archives.append(path)
    rc3, journal = sh(vm, "journalctl -b -u hifazat-upload -o cat | tail -n 8")
    check(f"{tag}: 'Upload now' by keys: hifazat-upload.service sent the report over Wi-Fi to the drop box in the "
          "access point's namespace (status.json done)",
          status.get("exit") == 0 and status.get("reports_uploaded") == 1 and len(archives) == 1,
          f"status {out.strip()[-300:]}; on the drop box: {[os.path.basename(x) for x in archives]}; "
          f"journal: {journal.strip()[-300:]}")

    # ---- leaving the staff screen takes the network down
    vm.send_keys(*STAFF_CLOSE_KEYS)
    rc, out = wait_guest(vm, WPA_STATE + "[ -z \"$addr\" ] && [ \"$wpa_state\" != COMPLETED ]", 45, 2)
    w = kv(out)
    ok = vm.wait_serial(r"KIOSK_EVENT screen=welcome", 30, since=mark) is not None
    check(f"{tag}: Close on the staff screen takes the Wi-Fi down (not associated, no address) and the welcome is back",
          rc == 0 and ok and w.get("wpa_state") in ("DISCONNECTED", "INACTIVE", "SCANNING") and not w.get("addr"),
          f"wpa_state {w.get('wpa_state')}, addr [{w.get('addr')}], welcome event {ok}")
    return archives


def wifi_host_checks(a, archives, kiosk_key_disk):
    """The archive the Wi-Fi upload left on the drop box opens with the
    helpline's key and carries the picture queued for it."""
    tag = "host"
    if not archives:
        check(f"{tag}: the Wi-Fi upload's archive opens with the helpline's secret key", False, "no archive")
        return
    work = os.path.dirname(archives[0])
    try:
        pk = json.loads(debugfs(kiosk_key_disk, "cat /kiosk.key"))["public_key"]
    except (ValueError, KeyError):
        pk = ""
    kiosks = os.path.join(work, "kiosks.txt")
    with open(kiosks, "w") as f:
        f.write(f"{pk} boot-test kiosk\n")
    out = os.path.join(work, "opened")
    r = subprocess.run([a.hifazat, "open"] + archives + ["--key", a.helpline_secret, "--passphrase-file", a.passphrase,
                        "--kiosks", kiosks, "--csv", f"{out}.csv", "--jsonl", f"{out}.jsonl"],
                       capture_output=True, text=True)
    pic = os.path.join(a.repo_demo, WIFI_PICTURE)
    h = json.loads(subprocess.run([a.hifazat, "hash", "-q", pic], capture_output=True, text=True).stdout or "{}")
    rows = list(csv.DictReader(open(f"{out}.csv"))) if r.returncode == 0 else []
    got = {(x["signal_type"], x["value"]) for x in rows}
    ids = {x["report_id"] for x in rows}
    check(f"{tag}: the report uploaded over Wi-Fi opens with the helpline's secret key and carries exactly the "
          "picture's hashes (sha256, md5, pdq)",
          r.returncode == 0 and len(ids) == 1 and ("sha256", h.get("sha256")) in got and ("md5", h.get("md5")) in got
          and ("pdq", h.get("pdq")) in got,
          f"{len(ids)} report(s), {len(rows)} signals; {r.stderr.strip()[:300]}")


def boot_two(a, goldens, disk, fat_stick, first):
    tag = "test variant boot 2, UEFI Secure Boot, virtio, no network"
    archives = []
    # Wi-Fi (access point, keys, an upload) takes minutes more under TCG
    vm = VM("boot2", os.path.join(a.out, "boot2-uefi"), disk, firmware="uefi-sb", boot_bus="virtio",
            sticks=[fat_stick["img"]], nic=False, hard_timeout=1200)
    vm.start()
    try:
        if not ready(vm, tag, "test variant, UEFI Secure Boot, virtio, second boot"):
            return
        # Booted through shim and Debian's signed GRUB and kernel with the
        # firmware enforcing Secure Boot; the kernel's lockdown that comes with
        # it leaves the kiosk (already running: KIOSK_READY) alone.
        rc, out = sh(vm, r"""
            f=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
            echo "secureboot=$(od -An -tu1 -j4 -N1 $f 2>/dev/null | tr -d ' ')"
            echo "lockdown=$(cat /sys/kernel/security/lockdown 2>&1)"
            echo "kernel_says=$(dmesg | grep -c 'Secure boot enabled')"
            echo "cmdline=$(tr ' ' '\n' < /proc/cmdline | grep -c -e '^root=PARTUUID=' -e '^hifazat.esp=')"
            """)
        st = kv(out)
        check(f"{tag}: Secure Boot is enforced (the firmware's SecureBoot variable, the kernel's lockdown) and the "
              "kiosk runs under it",
              st.get("secureboot") == "1" and "[integrity]" in st.get("lockdown", "") and st.get("kernel_says", "0") != "0"
              and st.get("cmdline") == "2", out.strip().replace("\n", "; "))
        time.sleep(2)
        first_screen_check(f"{tag}: the screen shows the Urdu welcome", vm, f"{vm.rundir}/welcome.png", goldens)
        rc, out = sh(vm, """
            echo "etc=$(ls /etc/hifazat-volatile-test 2>&1 | grep -c 'No such')"
            echo "home=$(ls -d /home/visitor 2>&1 | grep -c 'No such')"
            echo "data_bytes=$(lsblk -bdno SIZE $(findmnt -no SOURCE /var/lib/hifazat))"
            echo "status=$(setpriv --reuid=hifazat --regid=hifazat --init-groups hifazat queue status --json | tr -d '\\n')"
            """)
        st = kv(out)
        check(f"{tag}: the file written to /etc in boot 1 is gone", st.get("etc") == "1", out)
        check(f"{tag}: the file written to /home in boot 1 is gone", st.get("home") == "1", out)
        try:
            status = json.loads(st.get("status", "{}"))
        except ValueError:
            status = {}
        check(f"{tag}: the two reports queued in boot 1 (the CLI's, the phone's) are still in the queue",
              status.get("pending", {}).get("reports") == 2, st.get("status", "")[:300])
        check(f"{tag}: the data partition keeps its size (grown once)", st.get("data_bytes") == first.get("data_bytes"),
              f"{st.get('data_bytes')} vs {first.get('data_bytes')}")
        rc, out = wait_guest(vm, "findmnt -rn -o TARGET,OPTIONS | grep '^/media/' | grep -E '[ ,]ro(,|$)'", 30)
        check(f"{tag}: a stick present at power-on is mounted read-only", rc == 0, out.strip())
        check_ports(vm, tag, dhcp_allowed=False)

        # ---- a courier stick: read-write for the kiosk, the report exported onto it
        mark = len(vm.serial_text())
        vm.hotplug_stick(a.courier, "courier")
        rc, out = wait_guest(vm, r"""
            m=$(findmnt -rn -o TARGET,LABEL | awk '$2 == "HIFAZATOUT" {print $1}')
            [ -n "$m" ] || exit 1
            echo "target=$m"
            echo "opts=$(findmnt -no FSTYPE,OPTIONS "$m" | tr -s ' ' ',')"
            echo "owner=$(stat -c %U "$m")"
            echo "ro=$(blockdev --getro "$(findmnt -no SOURCE "$m")")"
            echo "others=$(findmnt -rn -o TARGET,OPTIONS,LABEL | grep '^/media/' | grep -v HIFAZATOUT | tr ' ' ':' | tr '\n' ' ')"
            """, 60)
        c = kv(out)
        opts = c.get("opts", "").split(",")
        check(f"{tag}: a courier stick (FAT, HIFAZATOUT) is mounted read-write, nosuid, nodev, noexec, for the kiosk user",
              rc == 0 and "rw" in opts and all(o in opts for o in ("nosuid", "nodev", "noexec"))
              and c.get("owner") == "hifazat" and c.get("ro") == "0", out.strip().replace("\n", "; "))
        others = c.get("others", "").split()
        check(f"{tag}: the other stick stays read-only beside it",
              others and all(":ro," in o or ":ro:" in o for o in others), c.get("others", ""))
        ok = vm.wait_serial(r"KIOSK_EVENT volumes=2", 30, since=mark) is not None
        check(f"{tag}: the kiosk sees the courier stick (KIOSK_EVENT volumes=2)", ok,
              ", ".join(re.findall(r"KIOSK_EVENT volumes=\d+", vm.serial_text()[mark:])[-3:]))
        target = c.get("target", "/media/none")
        # the folder first, as the staff screen's export does (screen_staff.c)
        rc, out = sh(vm, as_kiosk(f"mkdir -p {target}/hifazat-outbox && hifazat export --to {target}/hifazat-outbox && sync && ls {target}/hifazat-outbox && "
                                  "hifazat queue status --json"))
        try:
            status = json.loads(out[out.index("{"):])
        except ValueError:
            status = {}
        check(f"{tag}: the kiosk user exports the reports onto the courier stick",
              rc == 0 and ".tar" in out and status.get("exported", {}).get("reports") == 2, out.strip()[-300:])

        # ---- Wi-Fi, the only network here: staff join by keys, upload, leave
        archives = wifi_checks(vm, a, tag)

        # ---- staff: Shut down from the staff screen, by keyboard alone
        mark = len(vm.serial_text())
        vm.send_keys(*STAFF_OPEN_KEYS)
        ok = vm.wait_serial(r"KIOSK_EVENT screen=staff_pin", 30, since=mark) is not None
        check(f"{tag}: Ctrl-Alt-S opens the staff PIN pad", ok)
        for d in STAFF_PIN:
            vm.send_keys(d)
            time.sleep(0.3)
        vm.send_keys("ret")
        ok = vm.wait_serial(r"KIOSK_EVENT screen=staff\r?\n", 180, since=mark) is not None
        check(f"{tag}: the provisioned staff PIN opens the staff screen", ok)
        vm.screendump(f"{vm.rundir}/staff.png")
        for k in STAFF_SHUTDOWN_KEYS_AFTER_WIFI:     # after the Wi-Fi keys
            vm.send_keys(k)
            time.sleep(1.5)
        off = vm.wait_exit(180)
        check(f"{tag}: 'Shut down' on the staff screen powers the machine off (exit status 4, kiosk-stopped)",
              off and "Shut down chosen on the staff screen" in vm.serial_text()[mark:],
              f"qemu rc {vm.proc.returncode}" if off else "still running")
        if not off:
            sh(vm, "systemctl --no-block poweroff")
            vm.wait_exit(120)
    except BootError as e:
        check(f"{tag}: guest reachable", False, str(e))
    finally:
        vm.stop()
    return archives


def boot_three(a, goldens, disk):
    tag = "test variant boot 3, BIOS, virtio, data partition deleted"
    decoys = make_decoys(os.path.join(a.out, "decoys"))
    decoys_before = [sha256(x) for x in decoys]
    vm = VM("boot3", os.path.join(a.out, "boot3-nodata"), disk, firmware="bios", boot_bus="virtio", nic=False,
            decoys=decoys)
    vm.start()
    try:
        if not ready(vm, tag, "test variant, BIOS, virtio, first boot that creates the data partition"):
            return
        rc, out = sh(vm, r"""
            echo "root=$(findmnt -no SOURCE /run/hifazat-root/ro)"
            u=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^hifazat.esp=//p')
            echo "esp=$(lsblk -rno NAME,PARTUUID | awk -v u="$u" 'u != "" && $2 == u {print "/dev/" $1}')"
            echo "lookalikes=$(lsblk -rno NAME,LABEL,PARTLABEL | grep -v '^vda' | grep -c -e KIOSKESP -e kioskroot)"
            """)
        st = kv(out)
        check(f"{tag}: beside a decoy KIOSKESP stick and a decoy kioskroot partition (plugged in first), GRUB and the "
              "root come from the kiosk's own stick",
              st.get("root") == "/dev/vda3" and st.get("esp") == "/dev/vda2" and st.get("lookalikes") == "2",
              out.strip().replace("\n", "; "))
        rc, out = sh(vm, r"""
            src=$(findmnt -no SOURCE /var/lib/hifazat); disk=$(lsblk -no PKNAME "$src")
            echo "data=$(findmnt -no FSTYPE,OPTIONS /var/lib/hifazat | tr -s ' ')"
            echo "part=$(lsblk -no PARTLABEL,LABEL "$src" | tr -s ' ')"
            echo "owner=$(stat -c %U:%a /var/lib/hifazat)"
            echo "gap=$(( $(cat /sys/class/block/$disk/size) - $(cat /sys/class/block/$(basename $src)/start) - $(cat /sys/class/block/$(basename $src)/size) ))"
            echo "mb=$(( $(lsblk -bdno SIZE "$src") >> 20 ))"
            echo "write=$(setpriv --reuid=hifazat --regid=hifazat --init-groups sh -c 'echo x > /var/lib/hifazat/probe && rm /var/lib/hifazat/probe && echo ok')"
            """)
        st = kv(out)
        check(f"{tag}: a new KIOSKDATA partition fills the stick, mounted for the kiosk user",
              st.get("data", "").startswith("ext4 rw") and st.get("part") == "kioskdata KIOSKDATA"
              and st.get("owner") == "hifazat:700" and int(st.get("gap", "99999") or 99999) < 4096
              and int(st.get("mb", "0") or 0) > 250 and st.get("write") == "ok", out.strip().replace("\n", "; "))
        # Its own stick: the boot's check passed (data-partition ran it
        # before mounting); a twin (a copy of this stick, same identifiers)
        # plugged in makes the same check refuse, and say so for the kiosk.
        # (Waiting for the twin: a second partition with the root's
        # identifier, never a label: the decoy has a kioskroot partition too.)
        rc, out = sh(vm, r"""
            echo "boot=$(journalctl -b -u hifazat-data -o cat | grep -c 'ownstick: the ESP and the root are on vda')"
            echo "problem=$(cat /run/hifazat/boot-problem 2>/dev/null || echo none)"
            """)
        st = kv(out)
        check(f"{tag}: at boot the own-stick check found the ESP and the root on vda and no twin",
              st.get("boot") == "1" and st.get("problem") == "none", out.strip().replace("\n", "; "))
        twin = os.path.join(a.out, "decoys", "twin.img")
        subprocess.run(["cp", "--sparse=always", disk, twin], check=True)
        vm.hotplug_stick(twin, "twin")
        out = ownstick_once_seen(vm, "-ge 2")
        st = kv(out)
        check(f"{tag}: with a twin stick (same identifiers) plugged in, the own-stick check refuses and tells the "
              "kiosk why", st.get("rc") == "1" and st.get("problem") == "twin" and "unplug the other Hifazat stick" in out,
              out.strip().replace("\n", "; "))
        vm.unplug_stick("twin")
        out = ownstick_once_seen(vm, "-le 1")
        st = kv(out)
        check(f"{tag}: the twin unplugged, the check passes again", st.get("rc") == "0" and st.get("problem") == "none",
              out.strip().replace("\n", "; "))
        os.unlink(twin)
        sh(vm, "systemctl --no-block poweroff")
        check(f"{tag}: clean power-off", vm.wait_exit(120), f"qemu rc {vm.proc.returncode}")
    except BootError as e:
        check(f"{tag}: guest reachable", False, str(e))
    finally:
        vm.stop()
    check(f"{tag}: the decoy sticks unchanged, byte for byte", [sha256(x) for x in decoys] == decoys_before)


def report_items(rows):
    """A report's items as the CSV gives them: item -> its signals
    (type, variant, value, quality), sorted."""
    items = {}
    for x in rows:
        items.setdefault(x["item"], []).append((x["signal_type"], x["variant"], x["value"], x["quality"]))
    return sorted(tuple(sorted(v)) for v in items.values())


def hash_items(lines):
    """`hifazat hash` lines as a report carries them (report.c: the same
    variants; uniform vPDQ frames left out; a vPDQ frame's quality is its
    second field)."""
    out = []
    for h in lines:
        video = h.get("kind") == "video"
        sig = [("video_md5" if video else "md5", "", h["md5"], ""),
               ("video_sha1" if video else "sha1", "", h["sha1"], ""),
               ("video_sha256" if video else "sha256", "", h["sha256"], "")]
        if not video:
            for key, var in (("pdq", ""), ("pdq_full", "full"), ("pdq_displayed", "displayed"),
                             ("pdq_displayed_full", "displayed_full")):
                if key in h:
                    sig.append(("pdq", var, h[key], str(h.get(f"{key}_quality", ""))))
        else:
            for key, var in (("vpdq", ""), ("vpdq_displayed", "displayed")):
                for fr in h.get(key, []):
                    if fr[:64].strip("0"):
                        q = fr.split(",")[1] if "," in fr else ""
                        sig.append(("vpdq", var, fr, q))
        out.append(tuple(sorted(sig)))
    return sorted(out)


def host_checks(a, disk, fat_stick, receipt, sticks_before, sticks, phone_before):
    tag = "host"
    for s in sticks:
        check(f"{tag}: stick {os.path.basename(s['img'])} unchanged, byte for byte, after both boots",
              sha256(s["img"]) == sticks_before[s["img"]])
    if a.phone:
        after = tree_digest(a.phone)
        check(f"{tag}: the phone's folder (served read-only by usb-mtp) unchanged, byte for byte, dates too",
              after == phone_before, f"{after} vs {phone_before}")
    names = data_names(disk)
    check(f"{tag}: KIOSKDATA holds only the queue, the kiosk key, the config override and the kiosk's own state",
          set(names) <= ALLOWED_DATA and "queue" in names and "kiosk.key" in names, " ".join(sorted(names)))
    # boot 2 exported them: sealed reports wait in queue/exported until acknowledged
    kept = [(d, n) for d in ("pending", "exported") for n in data_names(disk, f"/queue/{d}") if n.endswith(".hfz")]
    want = ["exported", "exported"] if a.phone else ["exported"]
    check(f"{tag}: {len(want)} sealed report(s) in the queue, exported and kept until acknowledged (read with debugfs)",
          [d for d, _ in kept] == want, " ".join(f"{d}/{n}" for d, n in kept))
    first = os.path.join(fat_stick["dir"], fat_stick["parts"][0]["files"][0])
    h = json.loads(subprocess.run([a.hifazat, "hash", "-q", first], capture_output=True, text=True).stdout)
    phone = hash_items(host_hashes(a, phone_files(a)).values()) if a.phone else []
    work = os.path.join(a.out, "open")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # what the helpline opens: the reports from the data partition, and the
    # courier stick's archive (copied off its FAT with mtools, nothing mounted)
    sources = []
    reports = []
    for d, n in kept:
        reports.append(os.path.join(work, n))
        debugfs(disk, f"dump /queue/{d}/{n} {reports[-1]}")
    if reports:
        sources.append(("the data partition", reports))
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    ls = subprocess.run(["mdir", "-b", "-i", f"{a.courier}@@1048576", "::/hifazat-outbox"], capture_output=True, text=True, env=env)
    tars = [l.strip() for l in ls.stdout.splitlines() if l.strip().endswith(".tar")]
    check(f"{tag}: one outbox archive on the courier stick", len(tars) == 1, (ls.stdout + ls.stderr).strip()[:300])
    if len(tars) == 1:
        local = os.path.join(work, os.path.basename(tars[0]))
        subprocess.run(["mcopy", "-n", "-i", f"{a.courier}@@1048576", tars[0], local], env=env, check=False)
        sources.append(("the courier stick", [local]))
    # the helpline registers this kiosk (by its public key, read off the data
    # partition here; at a help desk, the fingerprint on the staff screen)
    kiosks = os.path.join(work, "kiosks.txt")
    try:
        pk = json.loads(debugfs(disk, "cat /kiosk.key"))["public_key"]
    except (ValueError, KeyError):
        pk = ""
    check(f"{tag}: the kiosk made its signing key on the data partition", bool(pk))
    with open(kiosks, "w") as f:
        f.write(f"{pk} boot-test kiosk\n")
    for where, paths in sources:
        out = os.path.join(work, re.sub(r"\W+", "-", where))
        r = subprocess.run([a.hifazat, "open"] + paths + ["--key", a.helpline_secret, "--passphrase-file", a.passphrase,
                            "--kiosks", kiosks, "--csv", f"{out}.csv", "--jsonl", f"{out}.jsonl"],
                           capture_output=True, text=True)
        check(f"{tag}: the helpline opens the reports from {where} with its secret key", r.returncode == 0,
              r.stderr.strip()[:300])
        if r.returncode != 0:
            continue
        docs = {d.get("report_id"): d for d in jsonl(open(f"{out}.jsonl").read())}
        rows = {}
        for x in csv.DictReader(open(f"{out}.csv")):
            rows.setdefault(x["report_id"], []).append(x)
        stick = [rid for rid, rr in rows.items() if any(x["value"] == h["sha256"] for x in rr)]
        doc = docs.get(stick[0], {}) if len(stick) == 1 else {}
        got = {(x["signal_type"], x["value"]) for x in rows.get(stick[0], [])} if len(stick) == 1 else set()
        check(f"{tag}: the CLI's report from {where} carries exactly the picture's hashes (sha256, md5, pdq) and its case code",
              ("sha256", h["sha256"]) in got and ("md5", h["md5"]) in got and ("pdq", h["pdq"]) in got
              and doc.get("case_code") == receipt.get("case_code") and doc.get("kiosk_name") == "boot-test kiosk",
              f"{len(rows.get(stick[0], [])) if stick else 0} signals, case {doc.get('case_code')}, kiosk {doc.get('kiosk_name')}")
        if not a.phone:
            continue
        others = [rid for rid in rows if rid not in stick]
        items = report_items(rows[others[0]]) if len(others) == 1 else []
        doc = docs.get(others[0], {}) if len(others) == 1 else {}
        missing = [i for i, x in enumerate(phone) if x not in items]
        check(f"{tag}: the phone's report from {where} (made by keys on the kiosk) carries exactly what `hifazat hash` "
              f"gives for the same {len(phone)} files on the host (md5, sha256, pdq variants and quality, vPDQ frames)",
              len(others) == 1 and items == phone and doc.get("kiosk_name") == "boot-test kiosk" and doc.get("case_code"),
              f"{len(items)} items, {sum(len(x) for x in items)} signals vs {len(phone)} files, "
              f"{sum(len(x) for x in phone)} hashes; {len(missing)} host files not matched; case {doc.get('case_code')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--test-image", required=True)
    ap.add_argument("--nodata-image", required=True)
    ap.add_argument("--sticks", required=True, help="sticks.json from test.sh")
    ap.add_argument("--phone", default="", help="a phone-like folder (mkphone) for qemu's usb-mtp in boot 1")
    ap.add_argument("--courier", required=True, help="an empty FAT courier stick (label HIFAZATOUT, partition at 1 MiB)")
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hifazat", required=True)
    ap.add_argument("--helpline-secret", required=True)
    ap.add_argument("--passphrase", required=True)
    ap.add_argument("--data-mb", type=int, default=64)
    ap.add_argument("--grow-mb", type=int, default=512)
    ap.add_argument("--only", default="0,1,2,3")
    ap.add_argument("--dropbox-tls", default="", help="ca.crt, server.crt, server.key for the drop box (test.sh)")
    a = ap.parse_args()
    a.repo_demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                               "assets", "demo", "media", "DEMO-PHONE", "DCIM", "Camera")
    goldens = {os.path.basename(p)[:-4]: os.path.join(a.golden, p) for p in os.listdir(a.golden)
               if p.endswith(".png") and "_focus" not in p}
    sticks = json.load(open(a.sticks))
    before = {s["img"]: sha256(s["img"]) for s in sticks}
    phone_before = tree_digest(a.phone) if a.phone else ""
    only = a.only.split(",")
    t0 = time.monotonic()
    if "0" in only:
        boot_shipped(a, goldens)
    first = {}
    dropbox = None
    if a.dropbox_tls and "1" in only:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "upload"))
        from fixture import Nginx  # noqa: E402
        d = os.path.join(a.out, "dropbox")
        shutil.rmtree(d, ignore_errors=True)
        dropbox = Nginx(d, {"cert": os.path.join(a.dropbox_tls, "server.crt"),
                            "key": os.path.join(a.dropbox_tls, "server.key")}).start()
    if "1" in only:
        t1 = time.monotonic()
        try:
            first = boot_one(a, goldens, a.test_image, sticks, dropbox)
        finally:
            if dropbox:
                dropbox.stop()
        spans.append(("boot 1, power-on to power-off", time.monotonic() - t1))
    if "2" in only:
        archives = boot_two(a, goldens, a.test_image, sticks[0], first)
        host_checks(a, a.test_image, sticks[0], first.get("receipt", {}), before, sticks, phone_before)
        wifi_host_checks(a, archives, a.test_image)
    if "3" in only:
        boot_three(a, goldens, a.nodata_image)
    for what, t in timings:
        print(f"TIME boot to KIOSK_READY: {t:.1f} s  ({what})")
    for what, t in spans:
        print(f"TIME {what}: {t:.0f} s")
    print(f"TIME all boots: {time.monotonic() - t0:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
