#!/usr/bin/env python3
"""Phones in the test VM: qemu's own usb-mtp device hot-plugged into the
booted test image (image-build/test.sh leaves it in build-image/test/), read
through the kiosk's USB backends (libmtp and libgphoto2), compared with the
host's files. The developer machines' kernel has no USB at all: this is
where the real device is tested.

One boot, kept running, for fast iteration (KVM where /dev/kvm works; the
VM boots from a snapshot, so the image file is never written):

    cp --sparse=always build-image/test/test.img /somewhere/test.img
    export HIFAZAT_QEMU_ACCEL=kvm
    image-build/test/phone_vm.py serve --image /somewhere/test.img &   # ~30 s
    image-build/test/phone_vm.py libs        # libmtp, libgphoto2 (+deps, mtp-tools) into the guest
    image-build/test/phone_vm.py push build/tests/phone_probe /usr/local/bin/phone_probe
    image-build/test/phone_vm.py plug DIR [--id phone] [--desc "Galaxy A14"]
    image-build/test/phone_vm.py sh 'phone_probe info'
    image-build/test/phone_vm.py unplug [--id phone]
    image-build/test/phone_vm.py stop

The proof (every check prints PASS/FAIL, then "N passed, N failed"; it
uses a running `serve` VM, or boots its own):

    image-build/test/phone_vm.py test --build build [--image IMG]

The guest's /tmp and /run are noexec: programs go to /usr/local (the
writable overlay). Files travel over the test agent's virtio port, base64
in chunks (the agent takes one line per script). Tools the image does not
ship (mtp-tools, the benchmarks' baselines) and, for images older than the
phone libraries, those libraries are downloaded with `apt-get download` (cached in
~/.cache/hifazat-phone-debs) and unpacked into the guest's / (keeping its /lib -> usr/lib links).
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vm import VM, BootError  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
RUNDIR = os.environ.get("HIFAZAT_PHONE_VM_DIR", "/tmp/hifazat-phone-vm")
CHUNK = 60 * 1024            # raw bytes per agent script (base64 twice: ~107 KB a line)
DEB_CACHE = os.path.expanduser("~/.cache/hifazat-phone-debs")
# What the USB backends need at run time (the image ships them now; older
# test images do not), plus mtp-tools (mtp-detect, mtp-files, mtp-getfile:
# baselines), which the image never ships.
PACKAGES = ["libusb-1.0-0", "libmtp-common", "libmtp9", "mtp-tools", "libgphoto2-port12",
            "libgphoto2-6", "libltdl7", "libgd3", "libxpm4", "libtiff6", "libdeflate0",
            "libjbig0", "liblerc4", "libheif1", "libavif15", "libdav1d6", "libaom3",
            "libgav1-1", "librav1e0", "libsvtav1enc1", "libyuv0", "libabsl20220623",
            "libde265-0", "libx265-199", "libnuma1", "libfontconfig1", "libfreetype6",
            "libpng16-16", "libwebp7", "fontconfig-config", "libbrotli1", "libexif12",
            "libxml2", "libicu72", "libcurl4", "libjpeg62-turbo"]


# ---- the guest: a VM of our own, or the one `serve` keeps running ---------------
class Remote:
    """The VM kept by `serve`, through its control socket."""

    def __init__(self, rundir=RUNDIR):
        self.path = os.path.join(rundir, "ctl.sock")

    def available(self):
        return os.path.exists(self.path) and self.call({"op": "ping"}, 5).get("ok", False)

    def call(self, req, timeout):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(timeout + 30)
            s.connect(self.path)
            s.sendall(json.dumps(req).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                d = s.recv(1 << 20)
                if not d:
                    break
                buf += d
            return json.loads(buf or b"{}")
        except OSError as e:
            return {"ok": False, "error": str(e)}
        finally:
            s.close()

    def sh(self, script, timeout=150):
        r = self.call({"op": "sh", "script": script, "timeout": timeout}, timeout)
        if "rc" not in r:
            raise BootError(r.get("error", "no answer"))
        return r["rc"], r["out"]

    def qmp(self, cmd, timeout=30, **args):
        r = self.call({"op": "qmp", "cmd": cmd, "args": args, "timeout": timeout}, timeout)
        if not r.get("ok"):
            raise BootError(r.get("error", "QMP failed"))
        return r.get("ret")


def boot(image, rundir, hard_timeout):
    vm = VM("phone", rundir, image, firmware="bios", boot_bus="usb", snapshot=True, agent=True,
            hard_timeout=hard_timeout, memory=int(os.environ.get("HIFAZAT_PHONE_VM_MB", "1536")), nic=False)
    vm.start()
    t = vm.wait_serial(r"KIOSK_READY", 300)
    if t is None or not vm.wait_agent(120):
        vm.stop()
        raise BootError(f"the test image did not boot (see {rundir}/serial.log)")
    print(f"phone_vm: booted in {t:.1f} s ({os.environ.get('HIFAZAT_QEMU_ACCEL', 'tcg')})", flush=True)
    return vm


def resync(vm, timeout=200):
    """After an answer that did not come in time: the agent answers in
    order, so send a marker once and drop every answer up to its own."""
    marker = f"RESYNC-{os.getpid()}-{time.monotonic_ns()}"
    line = base64.b64encode(f"echo {marker}".encode()).decode() + "\n"
    end = time.monotonic() + timeout
    with vm.agent_cond:
        vm.agent_sock.sendall(line.encode())
        while time.monotonic() < end:
            for i, l in enumerate(vm.agent_lines):
                if l.startswith("HIFAZAT_AGENT "):
                    del vm.agent_lines[i]
                    parts = l.split(" ", 2)
                    if len(parts) > 2 and marker in base64.b64decode(parts[2]).decode("utf-8", "replace"):
                        return
                    break
            else:
                vm.agent_cond.wait(0.5)
    raise BootError("the test agent does not answer")


def serve(a):
    os.makedirs(a.rundir, exist_ok=True)
    ctl = os.path.join(a.rundir, "ctl.sock")
    if os.path.exists(ctl):
        os.unlink(ctl)
    vm = boot(a.image, a.rundir, a.hours * 3600)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(ctl)
    srv.listen(4)
    print(f"phone_vm: serving on {ctl}", flush=True)
    desynced = False
    try:
        while vm.alive():
            srv.settimeout(1.0)
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            with c:
                c.settimeout(None)
                buf = b""
                while not buf.endswith(b"\n"):
                    d = c.recv(1 << 20)
                    if not d:
                        break
                    buf += d
                try:
                    req = json.loads(buf)
                except ValueError:
                    continue
                op = req.get("op")
                try:
                    if op == "ping":
                        rep = {"ok": True}
                    elif op == "sh":
                        if desynced:
                            resync(vm)
                            desynced = False
                        try:
                            rc, out = vm.sh(req["script"], req.get("timeout", 150))
                        except BootError:
                            desynced = True  # its answer may still come: not the next one's
                            raise
                        rep = {"ok": True, "rc": rc, "out": out}
                    elif op == "qmp":
                        rep = {"ok": True, "ret": vm.qmp(req["cmd"], req.get("timeout", 30), **req.get("args", {}))}
                    elif op == "stop":
                        c.sendall(json.dumps({"ok": True}).encode() + b"\n")
                        break
                    else:
                        rep = {"ok": False, "error": f"unknown op {op}"}
                except BootError as e:
                    rep = {"ok": False, "error": str(e)}
                c.sendall(json.dumps(rep).encode() + b"\n")
    finally:
        srv.close()
        if os.path.exists(ctl):
            os.unlink(ctl)
        vm.stop()
        print("phone_vm: stopped", flush=True)


# ---- files and packages into the guest ---------------------------------------------
def push(g, local, dest, mode="0755"):
    """Copies a host file to dest in the guest (gzip + base64 chunks)."""
    data = open(local, "rb").read()
    want = hashlib.sha256(data).hexdigest()
    z = gzip.compress(data, 6)
    part = dest + ".part"
    rc, out = g.sh(f"mkdir -p \"$(dirname '{dest}')\" && : > '{part}.gz'")
    if rc:
        raise BootError(f"push {dest}: {out}")
    for i in range(0, len(z), CHUNK):
        b = base64.b64encode(z[i:i + CHUNK]).decode()
        rc, out = g.sh(f"printf %s '{b}' | base64 -d >> '{part}.gz'")
        if rc:
            raise BootError(f"push {dest}: {out}")
    rc, out = g.sh(f"gunzip -c '{part}.gz' > '{part}' && rm -f '{part}.gz' && "
                   f"[ \"$(sha256sum < '{part}' | cut -d' ' -f1)\" = {want} ] && "
                   f"chmod {mode} '{part}' && mv -f '{part}' '{dest}'")
    if rc:
        raise BootError(f"push {dest}: checksum or move failed: {out}")


def libs(g):
    """Unpacks PACKAGES the guest does not have into /."""
    rc, out = g.sh("dpkg-query -W -f '${Package} ${Status}\\n' " + " ".join(PACKAGES) + " 2>/dev/null; true")
    have = {l.split()[0].split(":")[0] for l in out.splitlines() if l.endswith("installed")}
    missing = [p for p in PACKAGES if p not in have]
    if not missing:
        print("phone_vm: the guest has every library already", flush=True)
        return
    os.makedirs(DEB_CACHE, exist_ok=True)
    cached = {f.split("_")[0] for f in os.listdir(DEB_CACHE) if f.endswith(".deb")}
    need = [p for p in missing if p not in cached]
    if need:
        subprocess.run(["apt-get", "download", "-q"] + need, cwd=DEB_CACHE, check=True,
                       stdout=subprocess.DEVNULL)
    for f in sorted(os.listdir(DEB_CACHE)):
        if f.endswith(".deb") and f.split("_")[0] in missing:
            push(g, os.path.join(DEB_CACHE, f), f"/usr/local/phone-debs/{f}", "0644")
            # keep /lib -> usr/lib (merged /usr): plain dpkg-deb -x would
            # replace the symlink with a folder and break every program
            rc, out = g.sh(f"dpkg-deb --fsys-tarfile /usr/local/phone-debs/{f} | "
                           f"tar -C / --keep-directory-symlink -xf - && rm -f /usr/local/phone-debs/{f}")
            if rc:
                raise BootError(f"unpack {f}: {out}")
    rc, out = g.sh("ldconfig && for f in /usr/lib/x86_64-linux-gnu/libmtp.so.9 "
                   "/usr/lib/x86_64-linux-gnu/libgphoto2.so.6 /usr/lib/x86_64-linux-gnu/libgphoto2/*/ptp2.so "
                   "/usr/lib/x86_64-linux-gnu/libgphoto2_port/*/usb1.so /usr/bin/mtp-detect; do "
                   "ldd $f | grep 'not found' | sed \"s|^|$f: |\"; done")
    if out.strip():
        raise BootError("libraries still missing in the guest:\n" + out)
    print(f"phone_vm: unpacked {len(missing)} packages: {' '.join(missing)}", flush=True)


def plug(g, rootdir, ident="phone", desc="Galaxy A14"):
    g.qmp("device_add", driver="usb-mtp", bus="xhci.0", id=ident, rootdir=os.path.abspath(rootdir),
          readonly=True, desc=desc)


def unplug(g, ident="phone"):
    g.qmp("device_del", id=ident)


def wait_usb(g, present, vid="46f4", timeout=20):
    """Waits until a USB device of vid is (or is no longer) in sysfs."""
    want = "yes" if present else "no"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        rc, out = g.sh(f"grep -l '^{vid}$' /sys/bus/usb/devices/*/idVendor >/dev/null 2>&1 && echo yes || echo no")
        if out.strip() == want:
            return True
        time.sleep(0.3)
    return False


# ---- the command line ---------------------------------------------------------------
def guest(a):
    r = Remote(a.rundir)
    if not r.available():
        sys.exit(f"phone_vm: no VM is served in {a.rundir} (start `phone_vm.py serve` first)")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rundir", default=RUNDIR)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--image", default=os.path.join(REPO, "build-image/test/test.img"))
    s.add_argument("--hours", type=float, default=4)
    sub.add_parser("stop")
    sub.add_parser("libs")
    s = sub.add_parser("sh")
    s.add_argument("script")
    s.add_argument("--timeout", type=int, default=150)
    s = sub.add_parser("push")
    s.add_argument("local")
    s.add_argument("dest")
    s = sub.add_parser("plug")
    s.add_argument("dir")
    s.add_argument("--id", default="phone")
    s.add_argument("--desc", default="Galaxy A14")
    s = sub.add_parser("unplug")
    s.add_argument("--id", default="phone")
    s = sub.add_parser("test")
    s.add_argument("--build", default=os.path.join(REPO, "build"))
    s.add_argument("--image", default=os.path.join(REPO, "build-image/test/test.img"))
    s.add_argument("--out", default=None, help="work folder (default: RUNDIR/proof)")
    s.add_argument("--only", default=None, help="some of backends,cli,big,umtp (default: all)")
    a = ap.parse_args()

    if a.cmd == "serve":
        serve(a)
    elif a.cmd == "stop":
        Remote(a.rundir).call({"op": "stop"}, 30)
    elif a.cmd == "libs":
        libs(guest(a))
    elif a.cmd == "sh":
        rc, out = guest(a).sh(a.script, a.timeout)
        sys.stdout.write(out + ("\n" if out and not out.endswith("\n") else ""))
        sys.exit(rc)
    elif a.cmd == "push":
        push(guest(a), a.local, a.dest)
    elif a.cmd == "plug":
        plug(guest(a), a.dir, a.id, a.desc)
    elif a.cmd == "unplug":
        unplug(guest(a), a.id)
    elif a.cmd == "test":
        import phone_proof
        sys.exit(phone_proof.run(a))


if __name__ == "__main__":
    main()
