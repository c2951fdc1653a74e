#!/usr/bin/env python3
"""The image's site-settings and upload-firewall scripts, on the host, fast
(the boot test runs them for real in the image):

- provision.sh writes /hifazat/site.conf (and the drop box's CA) onto the
  ESP of a small GPT image with mtools, makes a kiosk_key_secret once per
  stick and keeps it when provisioning again, never writes site settings to
  the data partition and takes an older provision.sh's out of it (keeping
  staff's preferences, owner and mode), and gives the stick GPT identifiers
  of its own once;
- ownstick (run by data-partition before anything is mounted) refuses a
  root that is not on the started stick or whose identifiers another disk
  shares, and leaves the reason for the kiosk;
- upload-firewall opens the drop box's address and port (from the
  root-owned settings only) for the upload unit's cgroup, and empties the
  rules on close (nft replaced by a recorder).
Needs sgdisk, mtools, dosfstools, e2fsprogs (scripts/install-deps.sh --image)."""
import base64
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROVISION = os.path.join(REPO, "image-build", "provision.sh")
OWNSTICK = os.path.join(REPO, "image-build", "rootfs", "usr", "lib", "hifazat", "ownstick")
FIREWALL = os.path.join(REPO, "image-build", "rootfs", "usr", "lib", "hifazat", "upload-firewall")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C")
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        failures += 1


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)


def make_stick(d, old_override=None):
    """A small Hifazat-like disk: 1 bios, 2 ESP (FAT32 KIOSKESP), 4 kioskdata (ext4)."""
    os.makedirs(d, exist_ok=True)
    img = os.path.join(d, "stick.img")
    with open(img, "wb") as f:
        f.truncate(120 << 20)
    run("sgdisk", "-n", "1:1M:+1M", "-t", "1:EF02", "-c", "1:bios", "-n", "2:0:+40M", "-t", "2:EF00",
        "-c", "2:ESP", "-n", "3:0:+8M", "-t", "3:8304", "-c", "3:kioskroot", "-n", "4:0:+40M", "-t", "4:8300",
        "-c", "4:kioskdata", img, check=True)
    esp = os.path.join(d, "esp.part")
    run("mkfs.vfat", "-F", "32", "-n", "KIOSKESP", "-C", esp, str(40 * 1024), check=True)
    data_dir = os.path.join(d, "data")
    os.makedirs(data_dir, exist_ok=True)
    if old_override is not None:
        with open(os.path.join(data_dir, "kiosk.conf"), "w") as f:
            f.write(old_override)
    data = os.path.join(d, "data.part")
    run("mkfs.ext4", "-q", "-L", "KIOSKDATA", "-E", "root_owner=990:990", "-d", data_dir, data, "40M", check=True)
    if old_override is not None:
        run("debugfs", "-w", "-R", "sif /kiosk.conf uid 990", data)
        run("debugfs", "-w", "-R", "sif /kiosk.conf gid 990", data)
        run("debugfs", "-w", "-R", "sif /kiosk.conf mode 0100600", data)
    for part, src in ((2, esp), (4, data)):
        run("dd", f"if={src}", f"of={img}", "bs=512", f"seek={first(img, part)}", "conv=notrunc", "status=none",
            check=True)
    return img


def first(img, part):
    out = run("sgdisk", "-i", str(part), img, check=True).stdout
    return int(next(l for l in out.splitlines() if "First sector" in l).split()[2])


def esp_file(img, path):
    r = run("mtype", "-i", f"{img}@@{first(img, 2) * 512}", f"::{path}")
    return r.stdout if r.returncode == 0 else None


def data_file(img, path):
    r = run("debugfs", "-R", f"cat {path}", f"{img}?offset={first(img, 4) * 512}")
    return r.stdout if r.returncode == 0 and "not found" not in r.stderr else None


def data_stat(img, path):
    return run("debugfs", "-R", f"stat {path}", f"{img}?offset={first(img, 4) * 512}").stdout


def ini(text):
    out, sec = {}, ""
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("["):
            sec = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out[(sec, k.strip())] = v.strip()
    return out


def gpt_ids(img):
    """The disk's GUID and each partition's unique GUID (PARTUUID)."""
    ids = {"disk": next((l.split(":", 1)[1].strip() for l in run("sgdisk", "-p", img).stdout.splitlines()
                         if l.startswith("Disk identifier (GUID)")), "")}
    for n in (1, 2, 3, 4):
        out = run("sgdisk", "-i", str(n), img).stdout
        ids[n] = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Partition unique GUID")), "")
    return ids


def provision_tests(d):
    key = base64.b64encode(bytes(range(32))).decode()
    pub = os.path.join(d, "helpline.pub")
    with open(pub, "w") as f:
        f.write(f"# helpline public key\n{key}\n")
    ca = os.path.join(d, "ca.pem")
    with open(ca, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    old = ("[kiosk]\nid = old-id\nhelpline_public_key = AAAA\nlanguage = en\nlarge_text = yes\n"
           "[upload]\nurl = https://old.example/\n[staff]\npin_hash = $argon2id$old\n[referrals]\nX = 1\n")
    img = make_stick(os.path.join(d, "a"), old)
    guids0 = gpt_ids(img)
    r = run(PROVISION, img, "--helpline-key", pub, "--kiosk-id", "lahore-01", "--upload-url",
            "https://dropbox.example.org/h/", "--upload-ca", ca, "--staff-pin-hash", "$argon2id$v=19$x")
    check("provision.sh succeeds on a stick image", r.returncode == 0, r.stderr)
    s = ini(esp_file(img, "/hifazat/site.conf"))
    secret = s.get(("kiosk", "kiosk_key_secret"), "")
    check("ESP:/hifazat/site.conf holds the site settings",
          s.get(("kiosk", "helpline_public_key")) == key and s.get(("kiosk", "id")) == "lahore-01"
          and s.get(("upload", "url")) == "https://dropbox.example.org/h/"
          and s.get(("upload", "ca_file")) == "/run/hifazat/upload-ca.pem"
          and s.get(("staff", "pin_hash")) == "$argon2id$v=19$x", str(s))
    check("a kiosk_key_secret of 32 random bytes is made", len(base64.b64decode(secret or "A===")) == 32, secret)
    guids1 = gpt_ids(img)
    check("the stick gets GPT identifiers of its own (disk and every partition new; names and layout kept)",
          len(guids1) == 5 and all(guids0[k] != guids1[k] for k in guids0)
          and run("sgdisk", "-i", "3", img).stdout.count("'kioskroot'") == 1, f"{guids0} -> {guids1}")
    check("the drop box's CA is on the ESP", (esp_file(img, "/hifazat/upload-ca.pem") or "").startswith("-----BEGIN"))
    o = data_file(img, "/kiosk.conf") or ""
    st = data_stat(img, "/kiosk.conf")
    check("the old site settings left the data partition, staff's preferences stayed (0600, the kiosk's)",
          ini(o) == {("kiosk", "language"): "en", ("kiosk", "large_text"): "yes"}
          and "Mode:  0600" in st and "User:   990" in st, o + st[:200])
    r = run(PROVISION, img, "--helpline-key", pub, "--kiosk-id", "lahore-02")
    s2 = ini(esp_file(img, "/hifazat/site.conf"))
    check("provisioning again keeps the stick's kiosk_key_secret and its GPT identifiers, and replaces the rest",
          r.returncode == 0 and s2.get(("kiosk", "kiosk_key_secret")) == secret and s2.get(("kiosk", "id")) == "lahore-02"
          and gpt_ids(img) == guids1
          and ("upload", "url") not in s2 and esp_file(img, "/hifazat/upload-ca.pem") is None, str(s2) + r.stderr)
    img_b = make_stick(os.path.join(d, "b"))
    r = run(PROVISION, img_b, "--helpline-key", pub)
    sb = ini(esp_file(img_b, "/hifazat/site.conf"))
    check("another stick gets its own secret, and nothing on its data partition",
          r.returncode == 0 and sb.get(("kiosk", "kiosk_key_secret")) not in ("", None, secret)
          and data_file(img_b, "/kiosk.conf") is None, str(sb) + r.stderr)
    bad = os.path.join(d, "bad.pub")
    with open(bad, "w") as f:
        f.write("not a key\n")
    r = run(PROVISION, img_b, "--helpline-key", bad)
    check("a file that is not a helpline key is refused in clear English", r.returncode == 2 and "not a helpline public key" in r.stderr,
          r.stderr)
    r = run(PROVISION, img_b, "--helpline-key", pub, "--upload-url", "http://plain.example/")
    check("a plain-http upload URL is refused", r.returncode == 2 and "https://" in r.stderr, r.stderr)
    not_hifazat = os.path.join(d, "plain.img")
    with open(not_hifazat, "wb") as f:
        f.truncate(8 << 20)
    r = run(PROVISION, not_hifazat, "--helpline-key", pub)
    check("a disk that is not a Hifazat stick is refused", r.returncode == 2 and "not a Hifazat stick" in r.stderr, r.stderr)


ESP_ID, ROOT_ID = "0B1C2D3E-0000-4000-A000-00000000E5B0", "0b1c2d3e-0000-4000-a000-0000000000f3"


def fake_sys(d, disks, rootdev="/dev/sda3"):
    """A sysfs (class/block links to devices/block/<disk>/<part>) and a blkid
    that answers from the same table: disks = {"sda": {"sda2": partuuid}}."""
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "sys", "class", "block"))
    os.makedirs(os.path.join(d, "blkid"))
    for disk, parts in disks.items():
        os.makedirs(os.path.join(d, "sys", "devices", "block", disk))
        os.symlink(f"../../devices/block/{disk}", os.path.join(d, "sys", "class", "block", disk))
        for n, (part, uuid) in enumerate(parts.items()):
            os.makedirs(os.path.join(d, "sys", "devices", "block", disk, part))
            with open(os.path.join(d, "sys", "devices", "block", disk, part, "partition"), "w") as f:
                f.write(f"{n + 1}\n")
            os.symlink(f"../../devices/block/{disk}/{part}", os.path.join(d, "sys", "class", "block", part))
            with open(os.path.join(d, "blkid", part), "w") as f:
                f.write(uuid.lower() + "\n")
    blkid = os.path.join(d, "blkid.sh")
    with open(blkid, "w") as f:
        f.write('#!/bin/sh\n[ "$1 $2 $3 $4 $5" = "-p -s PART_ENTRY_UUID -o value" ] || exit 2\n'
                f'cat "{d}/blkid/${{6##*/}}" 2>/dev/null || exit 2\n')
    os.chmod(blkid, 0o755)
    with open(os.path.join(d, "cmdline"), "w") as f:
        f.write(f"BOOT_IMAGE=/boot/vmlinuz root=PARTUUID={ROOT_ID} hifazat.esp={ESP_ID} rootfstype=squashfs ro\n")
    return dict(ENV, HIFAZAT_SYS=os.path.join(d, "sys"), HIFAZAT_CMDLINE=os.path.join(d, "cmdline"),
                HIFAZAT_BLKID=blkid, HIFAZAT_ROOTDEV=rootdev, HIFAZAT_RUN=os.path.join(d, "run"))


def ownstick_tests(d):
    """ownstick on a fake sysfs: its own stick, decoys, twins, a root elsewhere."""
    f = os.path.join(d, "ownstick")
    own = {"sda1": "11111111-0000-4000-a000-000000000001", "sda2": ESP_ID, "sda3": ROOT_ID,
           "sda4": "11111111-0000-4000-a000-000000000004"}
    twin = {"sdb1": own["sda1"], "sdb2": ESP_ID, "sdb3": ROOT_ID, "sdb4": own["sda4"]}
    decoy = {"sdb1": "22222222-0000-4000-a000-000000000001", "sdb2": "22222222-0000-4000-a000-000000000002"}
    cases = [
        ("the stick alone is its own", {"sda": own}, "/dev/sda3", 0, "", None),
        ("beside a decoy stick with other identifiers, it is its own", {"sda": own, "sdb": decoy}, "/dev/sda3", 0,
         "", None),
        ("a second stick written from the same image (same identifiers): refused, 'twin' for the kiosk",
         {"sda": own, "sdb": twin}, "/dev/sda3", 1, "unplug the other Hifazat stick", "twin"),
        ("the twin's root in use: refused the same way", {"sda": own, "sdb": twin}, "/dev/sdb3", 1,
         "unplug the other Hifazat stick", "twin"),
        ("the root GRUB named is on another disk than its ESP: refused, 'elsewhere'",
         {"sda": {"sda2": ESP_ID}, "sdb": {"sdb3": ROOT_ID}}, "/dev/sdb3", 1, "is not on the stick that was started",
         "elsewhere"),
        ("the root in use is not the partition GRUB named: refused",
         {"sda": own, "sdb": {"sdb3": "33333333-0000-4000-a000-000000000003"}}, "/dev/sdb3", 1,
         "is not on the stick that was started", "elsewhere"),
        ("no partition with the root's identifier: refused", {"sda": {"sda2": ESP_ID}}, "/dev/sda3", 1,
         "is not on the stick", "elsewhere"),
    ]
    for name, disks, rootdev, want, text, problem in cases:
        env = fake_sys(f, disks, rootdev)
        r = subprocess.run(["sh", OWNSTICK], capture_output=True, text=True, env=env)
        path = os.path.join(env["HIFAZAT_RUN"], "boot-problem")
        got = open(path).read().strip() if os.path.exists(path) else None
        check(f"ownstick: {name}", r.returncode == want and text in r.stderr and got == problem,
              f"rc {r.returncode}, boot-problem {got}: {r.stderr}")
    env = fake_sys(f, {"sda": own})
    with open(env["HIFAZAT_CMDLINE"], "w") as fh:
        fh.write("root=/dev/vda rw\n")
    r = subprocess.run(["sh", OWNSTICK], capture_output=True, text=True, env=env)
    check("ownstick: a kernel not started by the image's GRUB (no hifazat.esp) is left alone",
          r.returncode == 0 and not os.path.exists(os.path.join(env["HIFAZAT_RUN"], "boot-problem")), r.stderr)


def firewall_tests(d):
    root = os.path.join(d, "root")
    bindir = os.path.join(d, "bin")
    for p in ("run/hifazat", "etc/hifazat"):
        os.makedirs(os.path.join(root, p), exist_ok=True)
    os.makedirs(bindir, exist_ok=True)
    log = os.path.join(d, "nft.log")
    with open(os.path.join(bindir, "nft"), "w") as f:
        f.write(f"#!/bin/sh\necho \"$*\" >> {log}\n")
    os.chmod(os.path.join(bindir, "nft"), 0o755)
    env = dict(ENV, PATH=bindir + ":" + os.environ["PATH"], HIFAZAT_ROOT=root)

    def fw(arg, site=None, main=None):
        for path, text in (("run/hifazat/site.conf", site), ("etc/hifazat/kiosk.conf", main)):
            full = os.path.join(root, path)
            if text is None:
                if os.path.exists(full):
                    os.unlink(full)
            else:
                with open(full, "w") as f:
                    f.write(text)
        if os.path.exists(log):
            os.unlink(log)
        r = subprocess.run(["sh", FIREWALL, arg], capture_output=True, text=True, env=env)
        return r, (open(log).read() if os.path.exists(log) else "")

    r, calls = fw("open", site="[kiosk]\nid = x\n[upload]\nurl = https://10.0.2.100:8443/drop/\n",
                  main="[upload]\nurl = https://192.0.2.9/other/\n")
    check("upload-firewall open: the site settings' drop box, its port, for the upload unit's cgroup only",
          r.returncode == 0 and "add element inet hifazat dropbox4 { 10.0.2.100 . 8443 }" in calls
          and "192.0.2.9" not in calls
          and calls.count('socket cgroupv2 level 2 "system.slice/hifazat-upload.service"') == 3
          and "flush chain inet hifazat upload" in calls.splitlines()[0], calls + r.stderr)
    r, calls = fw("open", site=None, main="[upload]\nurl = https://[2001:db8::5]/drop/\n")
    check("without site settings, the image's own configuration; IPv6 at port 443",
          r.returncode == 0 and "add element inet hifazat dropbox6 { 2001:db8::5 . 443 }" in calls, calls + r.stderr)
    r, calls = fw("open", site="[upload]\nurl = http://10.0.2.100/\n")
    check("no https:// URL: nothing is opened", r.returncode == 0 and "add rule" not in calls and "add element" not in calls,
          calls)
    r, calls = fw("close")
    check("upload-firewall close empties the chain and both sets",
          r.returncode == 0 and calls.split("\n")[:3] == ["flush chain inet hifazat upload", "flush set inet hifazat dropbox4",
                                                          "flush set inet hifazat dropbox6"], calls)


def main():
    missing = [t for t in ("sgdisk", "mtype", "mkfs.vfat", "mkfs.ext4", "debugfs") if not shutil.which(t)]
    if missing:
        print("missing tools: " + " ".join(missing) + " (scripts/install-deps.sh --image)")
        return 1
    with tempfile.TemporaryDirectory(prefix="hifazat-image-scripts-") as d:
        provision_tests(d)
        ownstick_tests(d)
        firewall_tests(d)
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
