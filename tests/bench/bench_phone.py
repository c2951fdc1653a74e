#!/usr/bin/env python3
"""Phones by cable, measured on a real MTP device: qemu's own usb-mtp device
hot-plugged into the booted test image (image-build/test/phone_vm.py),
read by the kiosk's device layer (libmtp) inside the VM. Every figure is a
ratio against libmtp's own tools (mtp-tools) on the same device in the same
run, timed inside the guest (phone_bench run: wall time and peak RSS of one
process, so the test agent's round trips are not in the figures):

  read    a whole file through device_file_read() (phone_bench read, the
          bytes thrown away) vs `mtp-getfile` of it to /dev/null: throughput
          of the whole process (both open the phone).
  photo   `hifazat hash mtp:KEY/...jpg` of a 12 MP photo vs `mtp-getfile` of
          it to the guest's tmpfs + `hifazat hash` of the copy.
  screen  the kiosk's first screen on a phone of PHOTOS camera photos (the
          gallery, its Camera album, 24 thumbnails ready: phone_bench screen)
          vs `mtp-files` listing the phone (SCREEN_REPS pairs).
  rss     peak RSS of `hifazat hash` of a VIDEO_MB video over MTP.

Usage: bench_phone.py BUILD_DIR WORK_DIR. The last line is the figures as
key=value for scripts/bench.sh's verdicts. Environment (defaults are the
benchmark's; smaller ones make a quick run):
  HIFAZAT_PHONE_BENCH_READ_MB (256)   HIFAZAT_PHONE_BENCH_PHOTOS (3000)
  HIFAZAT_PHONE_BENCH_VIDEO_MB (2048) HIFAZAT_PHONE_BENCH_REPS (5)
  HIFAZAT_PHONE_BENCH_SCREEN_REPS (3) HIFAZAT_PHONE_BENCH_PHOTO_SIZE (4000x3000)
  HIFAZAT_PHONE_BENCH_ONLY: some of read,photo,screen,rss (default: all)
  HIFAZAT_PHONE_BENCH_TREES: keep the generated phone trees there (they are
      deterministic; made again only when missing). Default: WORK_DIR.
  HIFAZAT_PHONE_VM_DIR: a VM already served there (phone_vm.py serve) is
      used; otherwise one is booted from HIFAZAT_PHONE_IMAGE (default
      build-image/test/test.img) and stopped at the end.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "image-build/test"))
import phone_vm  # noqa: E402
from vm import BootError  # noqa: E402

HZ = "/usr/local/bin/hifazat"
PB = "/usr/local/bin/phone_bench"
OUT = "/run/phone_bench.out"
ID = "benchphone"


def env_int(name, default):
    return int(os.environ.get("HIFAZAT_PHONE_BENCH_" + name, default))


READ_MB = env_int("READ_MB", 256)
PHOTOS = env_int("PHOTOS", 3000)
VIDEO_MB = env_int("VIDEO_MB", 2048)
REPS = env_int("REPS", 5)
SCREEN_REPS = env_int("SCREEN_REPS", 3)
ONLY = set(os.environ.get("HIFAZAT_PHONE_BENCH_ONLY", "read,photo,screen,rss").split(","))
PHOTO_SIZE = os.environ.get("HIFAZAT_PHONE_BENCH_PHOTO_SIZE", "4000x3000")


def log(text):
    print(text, flush=True)


# ---- the phone trees (host side) -------------------------------------------------------
def tree(trees, name, mkphone, args, extra=None):
    """A mkphone tree, made once (a .done marker says it is complete)."""
    d = os.path.join(trees, name)
    if os.path.exists(d + ".done"):
        return d
    shutil.rmtree(d, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([mkphone, d] + args, check=True, stdout=subprocess.DEVNULL)
    if extra:
        extra(d)
    open(d + ".done", "w").close()
    log(f"  made the {name} phone ({time.monotonic() - t0:.0f} s)")
    return d


def long_video(d, mb):
    os.makedirs(os.path.join(d, "DCIM/Camera"), exist_ok=True)
    seed = os.path.join(d, "seed.mp4")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t+u", "-f", "lavfi", "-i",
                    "sine=frequency=300", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20",
                    "-bf", "0", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", seed], check=True)
    loops = (mb << 20) // os.path.getsize(seed) + 1
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", seed, "-c",
                    "copy", os.path.join(d, "DCIM/Camera/VID_20231114_120000_long.mp4")], check=True)
    os.unlink(seed)


def random_file(path, mb):
    with open("/dev/urandom", "rb") as r, open(path, "wb") as w:
        for _ in range(mb):
            w.write(r.read(1 << 20))


# ---- the guest -----------------------------------------------------------------------------
class Guest:
    def __init__(self, g):
        self.g = g

    def sh(self, script, timeout=600):
        rc, out = self.g.sh(script, timeout)
        return rc, out

    def must(self, script, timeout=600):
        rc, out = self.g.sh(script, timeout)
        if rc:
            raise BootError(f"guest: `{script[:120]}` failed ({rc}): {out[-600:]}")
        return out

    def timed(self, cmd, timeout=1800):
        """Runs cmd (a shell word list, already quoted) under phone_bench run:
        (rc, wall seconds, peak RSS MB, the command's output)."""
        # The guest's agent ends any script after 120 s: the command runs
        # on its own, and each call waits up to 100 s for it to end.
        rc, out = self.g.sh(f"rm -f {OUT}; setsid sh -c \"{PB} run {OUT} {cmd_escape(cmd)} >/run/pb.stdout "
                            f"2>/run/pb.stderr\" </dev/null >/dev/null 2>&1 &", 60)
        end = time.monotonic() + timeout
        out = ""
        while time.monotonic() < end:
            rc, out = self.g.sh(f"for i in $(seq 500); do [ -s {OUT} ] && break; sleep 0.2; done; "
                                f"[ -s {OUT} ] && {{ cat {OUT}; echo; tail -c 2000 /run/pb.stderr; }}", 150)
            if rc == 0:
                break
        m = re.search(r"rc=(\d+) wall_ms=(\d+) maxrss_kb=(\d+)", out)
        if not m:
            raise BootError(f"guest: no timing for `{cmd}`: {out[-600:]}")
        return int(m.group(1)), int(m.group(2)) / 1e3, int(m.group(3)) / 1024, out[m.end():].strip()

    def baseline(self, cmd, timeout=1800):
        """An mtp-tools baseline's wall seconds. Run again once if it fails:
        a tool started the moment the previous process let go of the phone
        may find it still claimed (the baseline is not to be slowed by that)."""
        for _ in (0, 1):
            rc, t, _, err = self.timed(cmd, timeout)
            if rc == 0:
                return t
            time.sleep(1)
        raise BootError(f"guest: `{cmd}` failed twice: {err}")

    def stdout(self):
        return self.must("cat /run/pb.stdout")

    def plug(self, d):
        self.unplug()
        phone_vm.plug(self.g, d, ID, "Galaxy A14")
        if not phone_vm.wait_usb(self.g, True, timeout=60):
            raise BootError("the usb-mtp device did not appear in the guest")
        # the first device path (its KEY): the serial qemu makes includes the port
        out = self.must(f"{HZ} devices --json --backend mtp 2>/dev/null", 300)
        devs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        if len(devs) != 1 or devs[0].get("state") != "ready":
            raise BootError(f"hifazat devices: {out[-400:]}")
        return devs[0]["root"]

    def unplug(self):
        try:
            phone_vm.unplug(self.g, ID)
            phone_vm.wait_usb(self.g, False, timeout=30)
        except BootError:
            pass  # nothing plugged in

    def file_ids(self):
        """{name: object id} from mtp-files (names only at the top level of
        interest: the benchmark's files have unique names)."""
        out = self.must("mtp-files 2>/dev/null", 1800)
        ids = {}
        cur = None
        for line in out.splitlines():
            m = re.match(r"File ID: (\d+)", line.strip())
            if m:
                cur = int(m.group(1))
                continue
            m = re.match(r"Filename: (.*)", line.strip())
            if m and cur is not None:
                ids[m.group(1)] = cur
                cur = None
        return ids


def cmd_escape(cmd):
    """cmd inside a double-quoted sh -c argument."""
    return cmd.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")


def med(v):
    return statistics.median(v)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench_phone.py BUILD_DIR WORK_DIR")
    build, work = sys.argv[1], sys.argv[2]
    trees = os.environ.get("HIFAZAT_PHONE_BENCH_TREES") or os.path.join(work, "phone-trees")
    os.makedirs(trees, exist_ok=True)
    mkphone = os.path.join(build, "tests/mkphone")
    none = ["--heic", "0", "--videos", "0", "--whatsapp", "0", "--screenshots", "0", "--downloads", "0",
            "--telegram", "0"]
    t0 = time.monotonic()
    small = gallery = video = None
    if ONLY & {"read", "photo"}:
        small = tree(trees, f"small-{PHOTO_SIZE}-{READ_MB}", mkphone,
                     ["--camera", "1", "--camera-size", PHOTO_SIZE] + none,
                     lambda d: random_file(os.path.join(d, "bench.bin"), READ_MB))
        photo = sorted(f for f in os.listdir(os.path.join(small, "DCIM/Camera")) if f.endswith(".jpg"))[0]
    # 1024x768 camera photos with 320x240 EXIF previews, as Android phones
    # write them (mkphone's default 160x120 is smaller than a thumbnail: the
    # whole file would be read for each)
    if "screen" in ONLY:
        gallery = tree(trees, f"gallery-{PHOTOS}-p320", mkphone,
                       ["--camera", str(PHOTOS), "--preview", "320x240"])
    if "rss" in ONLY:
        # A phone's long video: a 10 s 1080p30 H.264 + AAC clip with
        # sensor-like noise, looped to VIDEO_MB (as bench_hash --source makes
        # it). mkphone --big-video reaches 2 GB in 20 s at 815 Mb/s: frames of
        # 3.4 MB that no phone's H.264 writes, and FFmpeg's buffers then take
        # ~230 MB reading it from a disk just as from a phone.
        video = tree(trees, f"video-phone-{VIDEO_MB}", mkphone, ["--camera", "0"] + none,
                     lambda d: long_video(d, VIDEO_MB))
        big = [f for f in os.listdir(os.path.join(video, "DCIM/Camera")) if f.endswith("_long.mp4")][0]
        video_mb = os.path.getsize(os.path.join(video, "DCIM/Camera", big)) / 1e6
    log(f"  phones ready in {trees} ({time.monotonic() - t0:.0f} s)")

    rundir = os.environ.get("HIFAZAT_PHONE_VM_DIR", phone_vm.RUNDIR)
    remote = phone_vm.Remote(rundir)
    own = None
    if remote.available():
        log(f"  using the VM served in {rundir}")
        g = Guest(remote)
    else:
        image = os.environ.get("HIFAZAT_PHONE_IMAGE", os.path.join(REPO, "build-image/test/test.img"))
        if not os.path.exists(image):
            sys.exit(f"bench_phone: no test image {image} (image-build/test.sh makes it) and no VM served in "
                     f"{rundir}")
        own = phone_vm.boot(image, os.path.join(work, "vm"), 4 * 3600)
        g = Guest(own)
    res = {}
    try:
        # libmtp and mtp-tools are unpacked into the guest's / (not dpkg's
        # database): push them only when they are not there yet
        rc, _ = g.sh("[ -x /usr/bin/mtp-getfile ] && [ -e /usr/lib/x86_64-linux-gnu/libmtp.so.9 ] && "
                     "[ -e /usr/lib/x86_64-linux-gnu/libgphoto2.so.6 ]")
        if rc:
            phone_vm.libs(g.g)
        phone_vm.push(g.g, os.path.join(build, "kiosk/hifazat"), HZ)
        phone_vm.push(g.g, os.path.join(build, "tests/phone_bench"), PB)
        g.must("mount -o remount,size=75% /run 2>/dev/null; true")

        # ---- (a) read throughput and (b) a 12 MP photo: the small phone
        if ONLY & {"read", "photo"}:
            root = g.plug(small)
            ids = g.file_ids()
            size = os.path.getsize(os.path.join(small, "bench.bin"))
        if "read" in ONLY:
            ours, theirs, inner, pairs = [], [], [], []
            for i in range(REPS):
                # one pair at a time, in turns, so that the machine's other load
                # falls on both alike; the ratio is the median of the pairs'
                for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                    if which == 0:
                        rc, t, _, err = g.timed(f"{PB} read '{root}/bench.bin'")
                        line = g.stdout()
                        if rc or f"bytes={size}" not in line:
                            raise BootError(f"phone_bench read: {line} {err}")
                        ours.append(size / 1e6 / t)
                        inner.append(float(re.search(r"mb_s=([\d.]+)", line).group(1)))
                    else:
                        theirs.append(size / 1e6 / g.baseline(f"mtp-getfile {ids['bench.bin']} /dev/null"))
                pairs.append(ours[-1] / theirs[-1])
            res["read_mb_s"], res["getfile_mb_s"] = med(ours), med(theirs)
            res["read_ratio"] = med(pairs)
            log(f"read: a {size / 1e6:.0f} MB file, whole process (opening the phone included), {REPS} pairs: "
                f"device layer {res['read_mb_s']:.1f} MB/s (median; its reads alone {med(inner):.1f} MB/s), "
                f"mtp-getfile to /dev/null {res['getfile_mb_s']:.1f} MB/s; median of the pairs' ratios "
                f"{res['read_ratio']:.2f}x (pairs {' '.join(f'{p:.2f}' for p in pairs)})")

        if "photo" in ONLY:
            psize = os.path.getsize(os.path.join(small, "DCIM/Camera", photo))
            dev_path = f"{root}/DCIM/Camera/{photo}"
            ours, theirs, pairs = [], [], []
            same = True
            for i in range(REPS):
                for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                    if which == 0:
                        rc, t, _, err = g.timed(f"{HZ} hash -q '{dev_path}'")
                        a = json.loads(g.stdout() or "{}")
                        if rc or "error" in a or "pdq" not in a:
                            raise BootError(f"hash over MTP: {a} {err}")
                        ours.append(t)
                    else:
                        theirs.append(g.baseline(f"sh -c \"mtp-getfile {ids[photo]} /run/copy.jpg >/dev/null && "
                                                 f"{HZ} hash -q /run/copy.jpg; rm -f /run/copy.jpg\""))
                        b = json.loads((g.stdout().splitlines() or ["{}"])[-1])
                pairs.append(ours[-1] / theirs[-1])
                a.pop("path", None)
                b.pop("path", None)
                same = same and a == b
            res["photo_s"], res["copy_hash_s"] = med(ours), med(theirs)
            res["photo_ratio"] = med(pairs)
            log(f"photo: fingerprinting a {PHOTO_SIZE} photo ({psize / 1e6:.1f} MB), {REPS} pairs: "
                f"`hifazat hash mtp:...` {res['photo_s'] * 1e3:.0f} ms, mtp-getfile to tmpfs + hifazat hash of the "
                f"copy {res['copy_hash_s'] * 1e3:.0f} ms (medians); median of the pairs' ratios "
                f"{res['photo_ratio']:.2f}x (pairs {' '.join(f'{p:.2f}' for p in pairs)}); the same fingerprints: "
                f"{'yes' if same else 'NO'}")
            res["photo_same"] = int(same)

        # ---- (c) the first screen of a phone of PHOTOS photos
        if "screen" in ONLY:
            root = g.plug(gallery)
            ours, theirs, listed, pairs, detail = [], [], [], [], ""
            for i in range(SCREEN_REPS):
                for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                    if which == 0:
                        rc, t, _, err = g.timed(f"{PB} screen", 3600)
                        line = g.stdout()
                        if rc:
                            raise BootError(f"phone_bench screen: {line} {err}")
                        f = dict(kv.split("=") for kv in line.split())
                        ours.append(float(f["screen_ms"]) / 1e3)
                        listed.append(float(f["listed_ms"]) / 1e3)
                        detail = line
                    else:
                        theirs.append(g.baseline("mtp-files", 3600))
                pairs.append(ours[-1] / theirs[-1])
            res["screen_s"], res["mtp_files_s"] = med(ours), med(theirs)
            res["screen_ratio"] = med(pairs)
            log(f"screen: a phone of {PHOTOS} camera photos, {SCREEN_REPS} pairs: the gallery's first screen "
                f"(Camera album, 24 thumbnails ready, from opening the phone) {res['screen_s']:.1f} s (the whole phone "
                f"listed {med(listed):.1f} s), `mtp-files` listing it {res['mtp_files_s']:.1f} s (medians); median of "
                f"the pairs' ratios {res['screen_ratio']:.2f}x")
            log(f"  last run: {detail}")
            log("  libmtp (Debian 12, 1.1.20) lists a folder only whole (GetObjectHandles, then GetObjectInfo,")
            log("  GetObjectPropsSupported and the 64-bit size per object; its public API has no lighter call):")
            log("  the gallery's first entries wait for all of DCIM/Camera, as mtp-files waits for the whole phone;")
            log("  then 24 thumbnails (EXIF previews: a 64 KB partial read each; qemu's device has no GetThumb).")

        # ---- (d) peak RSS hashing a long video
        if "rss" in ONLY:
            root = g.plug(video)
            # --video-budget 0: under TCG the whole video takes longer than
            # the CLI's default 600 s of work
            rc, t, rss, err = g.timed(f"{HZ} hash -q --video-budget 0 '{root}/DCIM/Camera/{big}'", 7200)
            a = json.loads(g.stdout() or "{}")
            if rc or "error" in a or "vpdq" not in a:
                raise BootError(f"hash of the video: {str(a)[:300]} {err} (peak RSS {rss:.0f} MB)")
            res["video_rss_mb"], res["video_s"] = rss, t
            log(f"rss: `hifazat hash mtp:...` of a {video_mb:.0f} MB video ({a.get('duration', 0):.0f} s, "
                f"{len(a['vpdq'])} vPDQ frames): {t:.0f} s ({video_mb / t:.1f} MB/s), peak RSS {rss:.0f} MB")
        g.unplug()
    finally:
        if own:
            own.stop()
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in res.items()), flush=True)


if __name__ == "__main__":
    main()
