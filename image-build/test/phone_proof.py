"""The phone proof (`phone_vm.py test`): qemu's usb-mtp device holding a
phone-like tree is hot-plugged into the test VM and read by phone_probe
through both USB backends; everything it reads is compared with the host's
files. Every check prints PASS/FAIL; the last line is "N passed, N failed".

  - the probe: model, storage (the device's description), capacity;
  - the whole tree (names, folders, sizes, dates) equals the host's;
  - every file read whole (odd request sizes) has the host file's SHA-256,
    and odd ranges (empty, one byte, across request boundaries, past the
    end) give the host's bytes;
  - thumbnails: qemu has no GetThumb: every file says "unsupported", fast;
  - listing cost: folders of 100 and 1,000 files, timed;
  - pulled out during a long read (device_del): the read fails with "gone"
    within a few seconds, the program exits normally (no crash, no hang),
    and the device opens again when plugged back in;
  - the same through libgphoto2 (-b ptp): same tree, same bytes;
  - a file over 4 GiB: qemu has GetPartialObject but not
    GetPartialObject64, so reads past 4 GiB fail "unsupported" (honestly),
    reads below it work;
  - the CLI on the device layer: `hifazat devices --json` lists the device;
    `hifazat hash mtp:KEY` (and mtp:, a folder, one file) prints exactly the
    JSON `hifazat hash` prints for the same files on the host (path = the
    device path), the same through ptp:KEY; unplugged while hashing, that
    file fails "device_removed" and the command ends;
  - the host's files are unchanged.
qemu's device cannot carry non-ASCII names (they arrive as "Oops"): the
comparisons expect that.

A second MTP responder through the guest's real USB stack (section "umtp"):
umtprd on FunctionFS over dummy_hcd (image-build/test/phone/gadget.sh),
with Samsung's ids: no storage -> "locked" (both backends); two storages ->
ready, `hifazat hash mtp:KEY` equals the host's hashes of the same files,
an Urdu file name included, stdout only JSON (libmtp's "Android device
detected" notice goes to stderr); a serial gadget of the same ids ->
"charging_only".
"""
import hashlib
import json
import os
import random
import re
import subprocess
import time

from phone_vm import REPO, RUNDIR, BootError, Remote, boot, libs, plug, push, unplug, wait_usb

passed = failed = 0
PROBE = "/usr/local/bin/phone_probe"


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
    else:
        failed += 1
        print(f"FAIL {name}: {detail}", flush=True)
    return ok


def note(text):
    print(f"NOTE {text}", flush=True)


# ---- the phone on the host --------------------------------------------------------
def make_tree(root):
    """A phone-like tree; deterministic bytes; every date 2023-11-14 22:13:20 UTC.
    Made once and kept: qemu 7.2's usb-mtp watches the folders it served
    (inotify) and deadlocks its main loop when they are deleted under it, even
    after the device was unplugged (phone_vm.py stop; remove the folder; serve)."""
    done = root + ".complete"
    if os.path.exists(done):
        return host_tree(root)
    subprocess.run(["rm", "-rf", root], check=True)
    demo = os.path.join(REPO, "assets/demo/media/DEMO-PHONE")
    rnd = random.Random(13)
    wa = "Android/media/com.whatsapp/WhatsApp/Media"

    def put(rel, data):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)

    def demo_file(rel):
        return open(os.path.join(demo, rel), "rb").read()

    for i in range(1, 12):
        put(f"DCIM/Camera/IMG_{i:04d}.jpg", demo_file(f"DCIM/Camera/IMG_{i:04d}.jpg"))
    put("DCIM/Camera/VID_0001.mp4", demo_file("DCIM/Camera/VID_0001.mp4"))
    put("DCIM/Camera/IMG_20240301_101010.heic", demo_file("Pictures/flower-card.heic"))
    big = os.path.join(root, "DCIM/Camera/IMG_20240302_120000.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "4000x3000", "-seed", "7", "plasma:fractal",
                    "-quality", "92", big], check=True)
    put("Pictures/Screenshots/Screenshot_20240101-101010.png",
        demo_file("Pictures/WhatsApp/IMG-20240101-WA0001.png"))
    put(f"{wa}/WhatsApp Images/IMG-20240102-WA0002.jpg", demo_file("Pictures/WhatsApp/IMG-20240102-WA0002.jpg"))
    put(f"{wa}/WhatsApp Images/Sent/IMG-20240103-WA0003.webp", demo_file("Pictures/WhatsApp/sticker.webp"))
    put(f"{wa}/WhatsApp Video/VID-20240101-WA0001.mp4", demo_file("DCIM/Camera/VID_0001.mp4"))
    put("Download/\u062a\u0635\u0648\u06cc\u0631 \u06f1.jpg", demo_file("DCIM/Camera/IMG_0004.jpg"))
    # sizes around USB packets (512), libmtp's 16 KiB blocks and 1 MiB
    for n in (0, 1, 500, 511, 512, 1023, 1024, 16371, 16383, 16384, 16385, 65536, 1048575, 1048577, 4194305):
        put(f"Download/size_{n}.bin", rnd.randbytes(n))
    put("big/movie.bin", rnd.randbytes(48 << 20))
    for i in range(1, 101):
        put(f"many100/f{i:03d}.jpg", rnd.randbytes(1000 + i))
    for i in range(1, 1001):
        put(f"many1000/f{i:04d}.jpg", rnd.randbytes(700))
    os.makedirs(os.path.join(root, "Empty folder"), exist_ok=True)
    for dirpath, dirs, files in os.walk(root):
        for n in files + dirs:
            os.utime(os.path.join(dirpath, n), (1700000000, 1700000000))
    open(done, "w").close()
    return host_tree(root)


def host_tree(root):
    """rel -> (is_folder, size, sha256, mtime)."""
    t = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs:
            p = os.path.join(dirpath, n)
            t[os.path.relpath(p, root)] = (True, 0, "", int(os.stat(p).st_mtime))
        for n in files:
            p = os.path.join(dirpath, n)
            h = hashlib.sha256(open(p, "rb").read()).hexdigest()
            t[os.path.relpath(p, root)] = (False, os.path.getsize(p), h, int(os.stat(p).st_mtime))
    return t


def ranges_expected(path, ranges):
    data = open(path, "rb").read()
    out = []
    for off, ln in ranges:
        b = data[off:off + ln]
        out.append(f"{off} {ln} {len(b)} {hashlib.sha256(b).hexdigest()}")
    return out


# ---- phone_probe in the guest -------------------------------------------------------
def probe(g, backend, args, timeout=600):
    rc, out = g.sh(f"{PROBE} -b {backend} {args} 2>/run/phone_probe.err; rc=$?; "
                   f"echo; echo \"rc=$rc\"; sed 's/^/# /' /run/phone_probe.err", timeout)
    m = re.search(r"\nrc=(\d+)\n", out)
    body = out[:m.start()] if m else out
    err = out[m.end():] if m else ""
    return (int(m.group(1)) if m else 255), body.strip("\n"), err


def parse_tree(out):
    t = {}
    for line in out.splitlines():
        m = re.match(r"([DF]) (\d+) (\d+) (-?\d+) (.*)$", line)
        if m:
            t[m.group(5)] = (m.group(1) == "D", int(m.group(3)), int(m.group(4)))
    return t


def qemu_name(rel):
    """qemu's usb-mtp turns names into UTF-16 with mbstowcs() in the C
    locale (qemu never calls setlocale): a name with any non-ASCII
    character arrives as "Oops". Real phones send UTF-16 names as they are."""
    d, _, n = rel.rpartition("/")
    return (d + "/" if d else "") + ("Oops" if any(ord(ch) > 127 for ch in n) else n)


def qemu_view(host):
    return {qemu_name(k): v for k, v in host.items()}


def compare_tree(tag, host, got):
    want = {k: (v[0], v[1]) for k, v in host.items()}
    have = {k: (v[0], v[1]) for k, v in got.items()}
    missing = sorted(set(want) - set(have))[:5]
    extra = sorted(set(have) - set(want))[:5]
    wrong = sorted(k for k in set(want) & set(have) if want[k] != have[k])[:5]
    check(f"{tag}: the whole tree (names, folders, sizes) equals the host's",
          not missing and not extra and not wrong,
          f"{len(have)} objects" if not (missing or extra or wrong)
          else f"missing {missing} extra {extra} wrong {[(k, want[k], have[k]) for k in wrong]}")
    files = [k for k, v in got.items() if not v[0]]
    offs = {got[k][2] - host[k][3] for k in files if k in host}
    # The device sends local time without a zone (PTP dates): whole hours
    # apart at most, and one offset for every file.
    check(f"{tag}: files' dates come from the object info (host mtime, same offset for all)",
          len(offs) == 1 and next(iter(offs)) % 900 == 0, f"offsets (s) {sorted(offs)[:4]}")


def compare_sha(tag, host, out):
    got = {}
    for line in out.splitlines():
        m = re.match(r"([0-9a-f]{64}) (\d+) (.*)$", line)
        if m:
            got[m.group(3)] = (m.group(1), int(m.group(2)))
    files = {k: v for k, v in host.items() if not v[0]}
    bad = [k for k in files if got.get(k) != (files[k][2], files[k][1])]
    check(f"{tag}: every file read whole has the host file's SHA-256", not bad and len(got) == len(files),
          f"{len(got)} files, {sum(v[1] for v in files.values()) >> 20} MiB" if not bad
          else f"{len(bad)} differ, e.g. {bad[:3]}; errors: {[l for l in out.splitlines() if l.startswith('error')][:2]}")


RANGES = [(0, 0), (0, 1), (1, 1), (511, 2), (16383, 3), (16384, 16384), (12345, 654321), (500000, 548577),
          (1048576, 1), (1048576, 10), (1048577, 5), (2000000, 10), (0, 1048577), (999999, 49153)]
# Lengths around USB packets (512), libmtp's 16 KiB blocks and 1 MiB, from
# the start and ending at the end: data phases that end on a packet
# boundary or leave a tail shorter than a PTP header (qemu's device sends
# no zero-length packet and stalls reads under 12 bytes: mtp.c, ptp.c).
for _base in (500, 1012, 1524, 2036, 16372, 16884, 32756, 33268, 65524, 1048564):
    for _d in range(-12, 13):
        RANGES += [(0, _base + _d), (1048577 - _base - _d, _base + _d + 7)]


def run_backend(g, tag, backend, host, phone_dir, timing):
    rc, out, err = probe(g, backend, "info", 300)
    import json
    info = {}
    try:
        info = json.loads(out.splitlines()[-1])
    except (ValueError, IndexError):
        pass
    st = info.get("storages", [])
    check(f"{tag}: opens qemu's device, state ready, one storage described as the device says",
          rc == 0 and info.get("state") == "ready" and len(st) == 1 and st[0].get("description") == "Galaxy A14"
          and st[0].get("total", 0) > 0, out[-400:] + err[-300:])
    note(f"{tag}: probe {out.strip()[-300:]}")
    m = re.search(r"open \S+ \S+ in (\d+) ms", err)
    if m:
        timing[f"{backend} open"] = int(m.group(1))

    t0 = time.monotonic()
    rc, out, err = probe(g, backend, "tree", 900)
    timing[f"{backend} tree"] = time.monotonic() - t0
    check(f"{tag}: tree listing succeeds", rc == 0, err[-300:])
    compare_tree(tag, qemu_view(host), parse_tree(out))

    t0 = time.monotonic()
    rc, out, err = probe(g, backend, "sha 1000003", 1800)
    timing[f"{backend} sha"] = time.monotonic() - t0
    check(f"{tag}: reading every file succeeds", rc == 0, err[-300:])
    compare_sha(tag, qemu_view(host), out)

    for rel in ("Download/size_1048577.bin",):
        args = " ".join(f"{o}:{n}" for o, n in RANGES)
        rc, out, err = probe(g, backend, f"ranges '{rel}' {args}", 300)
        want = ranges_expected(os.path.join(phone_dir, rel), RANGES)
        got = [l for l in out.splitlines() if l and l[0].isdigit()]
        check(f"{tag}: {len(RANGES)} odd ranges of a file give the host's bytes (empty, 1 byte, across "
              "packets and blocks, past the end)",
              rc == 0 and got == want, f"{len(got)} ranges" if got == want else
              f"first difference: {next(((w, h) for w, h in zip(want, got) if w != h), (want[len(got):][:1], 'missing'))}")

    rc, out, err = probe(g, backend, "thumbs", 900)
    lines = [l.split(" ", 2) for l in out.splitlines() if l.strip()]
    slow = [l for l in lines if len(l) == 3 and re.fullmatch(r"\d+ms", l[1]) and int(l[1][:-2]) > 2000]
    check(f"{tag}: no GetThumb on qemu's device: every file's thumbnail is 'unsupported', none slow",
          rc == 0 and lines and all(l[0] == "unsupported" for l in lines) and not slow,
          f"{len(lines)} files" if rc == 0 else out[-300:])

    for folder in ("many100", "many1000"):
        rc, out, err = probe(g, backend, f"listtime {folder}", 900)
        m = re.match(r"(\d+) (\d+)", out.strip().splitlines()[-1] if out.strip() else "")
        if check(f"{tag}: listing {folder} ({backend})", rc == 0 and m and int(m.group(1)) == int(folder[4:]),
                 out.strip()[-200:]):
            n, ms = int(m.group(1)), int(m.group(2))
            timing[f"{backend} list {n}"] = ms
            note(f"{tag}: listing a folder of {n} files: {ms} ms ({ms / n:.1f} ms per file)")


def unplug_test(g, tag, backend, tree_dir):
    g.sh(f"rm -f /run/pull.out; setsid {PROBE} -b {backend} pull big/movie.bin 1048576 "
         f">/run/pull.out 2>/run/pull.err </dev/null & echo $! > /run/pull.pid")
    # let it read a few blocks first
    end = time.monotonic() + 120
    oks = 0
    while time.monotonic() < end:
        rc, out = g.sh("grep -c '^ok' /run/pull.out 2>/dev/null || true")
        oks = int(out.strip() or 0)
        if oks >= 3:
            break
        time.sleep(0.5)
    check(f"{tag}: a long read is under way", oks >= 3, f"{oks} blocks")
    t0 = time.monotonic()
    unplug(g, "phone")
    exited = None
    while time.monotonic() - t0 < 30:
        rc, out = g.sh("kill -0 $(cat /run/pull.pid) 2>/dev/null && echo running || echo exited")
        if out.strip() == "exited":
            exited = time.monotonic() - t0
            break
        time.sleep(0.2)
    rc, out = g.sh("tail -n 2 /run/pull.out; echo; tail -n 5 /run/pull.err; dmesg | tail -n 3")
    last = [l for l in out.splitlines() if l.startswith("error ")]
    m = re.match(r"error (\S+) (\d+)", last[-1]) if last else None
    check(f"{tag}: pulled out mid-read: the read fails 'gone' within a few seconds, the program exits",
          exited is not None and m and m.group(1) == "gone" and int(m.group(2)) < 5000,
          f"exited after {exited:.1f} s, error {m.group(1)} {m.group(2)} ms after the last good read"
          if exited is not None and m else out[-500:])
    rc, out = g.sh("cat /run/pull.err | grep -ci 'segmentation\\|abort\\|core dumped' || true")
    check(f"{tag}: no crash", out.strip() == "0", out.strip())
    wait_usb(g, False)
    plug(g, tree_dir, "phone", "Galaxy A14")
    ok = wait_usb(g, True)
    rc, out, err = probe(g, backend, "info", 300) if ok else (1, "", "")
    check(f"{tag}: plugged in again, it opens again", rc == 0 and '"state":"ready"' in out, out[-300:] + err[-200:])


def big_file_test(g, big_dir, backend):
    """A sparse file over 4 GiB on the host (qemu reads holes as zeros).
    qemu has GetPartialObject (32-bit offsets) but not GetPartialObject64,
    and 64-bit sizes only as an object property (not GetObjPropList)."""
    size = (4 << 30) + (1 << 20)
    rc, out, err = probe(g, backend, "tree", 300)
    listed = parse_tree(out).get("huge.bin", (0, 0))[1]
    lo = [(0, 16), ((4 << 30) - 8, 4)]
    hi = [((4 << 30) + 4096, 16)] if backend == "mtp" else [((4 << 30) - 8, 16)]
    rc, out, err = probe(g, backend, "ranges huge.bin " + " ".join(f"{o}:{n}" for o, n in lo + hi), 300)
    lines = out.splitlines()
    ok_lo = [l for l in lines if re.match(r"(0 16 16|%d 4 4) " % ((4 << 30) - 8), l)]
    err_hi = [l for l in lines if re.match(r"%d 16 error unsupported .*4 GiB" % hi[0][0], l)]
    if backend == "mtp":
        check("mtp: a file over 4 GiB is listed with its 64-bit size (the ObjectSize property)", listed == size,
              f"{listed} want {size}")
        check("mtp: reads below 4 GiB work; past 4 GiB without GetPartialObject64 they fail 'unsupported', "
              "saying why", len(ok_lo) == 2 and len(err_hi) == 1, out[-600:])
    else:
        check("ptp: a file over 4 GiB is listed as 0xFFFFFFFF ('4 GiB or more': libgphoto2 learns "
              "64-bit sizes only from GetObjPropList)", listed == 0xFFFFFFFF, f"{listed}")
        check("ptp: reads below 4 GiB work; a read reaching that size fails 'unsupported' (never a file "
              "silently cut at 4 GiB)", len(ok_lo) == 2 and len(err_hi) == 1, out[-600:])


# ---- the hifazat CLI on the device layer -------------------------------------------
HIFAZAT = "/usr/local/bin/hifazat"


def guest_devices(g, backend):
    rc, out = g.sh(f"{HIFAZAT} devices --json --backend {backend} 2>/dev/null", 300)
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def jsonl(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def host_as_device(host_lines, host_dir, root):
    """Host `hifazat hash` output with paths made device paths (and names as
    qemu sends them), in the walk order the device gives."""
    out = []
    for o in host_lines:
        o = dict(o)
        o["path"] = root + "/" + qemu_name(os.path.relpath(o["path"], host_dir))
        out.append(o)
    return out


def compare_hash(tag, want, got):
    wm = {o["path"]: o for o in want}
    gm = {o["path"]: o for o in got}
    diff = [p for p in wm if wm[p] != gm.get(p)]
    extra = [p for p in gm if p not in wm]
    # (qemu's "Oops" stand-in for a non-ASCII name sorts elsewhere than the name)
    order = [o["path"] for o in got if "/Oops" not in o["path"]] == \
        [o["path"] for o in want if "/Oops" not in o["path"]]
    check(f"{tag}: the same JSON as `hifazat hash` of the files on the host, bit for bit (path = device path)",
          not diff and not extra and len(got) == len(want),
          f"{len(got)} files, {sum(1 for o in got if 'vpdq' in o)} videos, "
          f"{sum(1 for o in got if 'pdq' in o)} pictures" if not diff and not extra
          else f"{len(diff)} differ, {len(extra)} extra; first {diff[:1] or extra[:1]}: "
               f"{wm.get((diff or extra)[0])} vs {gm.get((diff or extra)[0])}"[:900])
    check(f"{tag}: files come in name order, folders where they fall (as on disk)", order)


def cli_test(g, backend, host_dir, host_lines, tree_dir):
    tag = f"hifazat ({backend})"
    devs = guest_devices(g, backend)
    d = devs[0] if len(devs) == 1 else {}
    st = d.get("storages") or [{}]
    check(f"{tag}: `hifazat devices --json` lists the device: backend, ready, model, storage, free <= total",
          d.get("backend") == backend and d.get("state") == "ready" and d.get("model") == "QEMU filesharing"
          and st[0].get("description") == "Galaxy A14" and d.get("root") == f"{backend}:{d.get('key')}"
          and 0 < d.get("free_bytes", 0) <= d.get("total_bytes", 0), json.dumps(devs)[:500])
    rc, out = g.sh(f"{HIFAZAT} devices --backend {backend} 2>/dev/null", 300)
    note(f"{tag}: `hifazat devices`: {out.strip()}")
    root = d.get("root", f"{backend}:")
    want = host_as_device(host_lines, host_dir, root)

    t0 = time.monotonic()
    rc, out = g.sh(f"{HIFAZAT} hash -q {root} 2>/run/h.err", 1800)
    note(f"{tag}: hash of the whole device: {time.monotonic() - t0:.0f} s, exit {rc}")
    compare_hash(f"{tag}: hash {backend}:KEY", want, jsonl(out))
    rc, out = g.sh(f"{HIFAZAT} hash -q {backend}: 2>/run/h.err", 1800)
    compare_hash(f"{tag}: hash {backend}: (the first device; paths name it by its KEY)", want, jsonl(out))
    sub = root + "/DCIM/Camera"
    rc, out = g.sh(f"{HIFAZAT} hash -q '{sub}' 2>/run/h.err", 900)
    compare_hash(f"{tag}: hash {backend}:KEY/DCIM/Camera", [o for o in want if o["path"].startswith(sub + "/")],
                 jsonl(out))
    one = sub + "/IMG_20240302_120000.jpg"
    rc, out = g.sh(f"{HIFAZAT} hash -q '{one}' 2>/run/h.err", 900)
    compare_hash(f"{tag}: hash of one file", [o for o in want if o["path"] == one], jsonl(out))
    rc, out = g.sh(f"{HIFAZAT} hash -q '{root}/no/such/file.jpg' 2>/dev/null; echo rc=$?", 300)
    check(f"{tag}: a path that is not there: not_found, exit 1", '"error":"not_found"' in out and "rc=1" in out,
          out.strip()[-300:])



def cli_unplug_test(g, backend, big_dir):
    """Pulled out while `hifazat hash` reads a long file (a sparse 4 GiB one:
    minutes to read in the VM, so the cable is surely pulled mid-file)."""
    tag = f"hifazat ({backend})"
    devs = guest_devices(g, backend)
    root = devs[0]["root"] if len(devs) == 1 else f"{backend}:"
    g.sh(f"setsid {HIFAZAT} hash -q '{root}/huge.bin' >/run/pull.jsonl 2>/run/pull.err </dev/null & "
         "echo $! >/run/pull.pid")
    time.sleep(5)
    t0 = time.monotonic()
    unplug(g, "phone")
    exited = None
    while time.monotonic() - t0 < 60:
        rc, out = g.sh("kill -0 $(cat /run/pull.pid) 2>/dev/null && echo running || echo exited")
        if out.strip() == "exited":
            exited = time.monotonic() - t0
            break
        time.sleep(0.3)
    rc, out = g.sh("cat /run/pull.jsonl; tail -n 3 /run/pull.err")
    res = jsonl(out)
    check(f"{tag}: unplugged while hashing: that file fails 'device_removed' within seconds, no crash, no hang",
          exited is not None and exited < 20 and len(res) == 1 and res[0].get("error") == "device_removed",
          f"exited {exited:.1f} s after the unplug: {out.strip()[-300:]}" if exited is not None else out[-300:])
    wait_usb(g, False)
    plug(g, big_dir, "phone", "Galaxy A14")
    wait_usb(g, True)


# ---- umtprd on dummy_hcd: locked, two storages, Unicode names, charging only --------
UMTP_DIR = "/usr/local/phone"


def umtp_test(g, a, out):
    here = os.path.dirname(os.path.abspath(__file__))
    trees = os.path.join(out, "umtp")
    demo = os.path.join(REPO, "assets/demo/media/DEMO-PHONE")
    files = {"store/DCIM/Camera/IMG_0001.jpg": "DCIM/Camera/IMG_0001.jpg",
             "store/DCIM/Camera/VID_0001.mp4": "DCIM/Camera/VID_0001.mp4",
             "store/Download/\u062a\u0635\u0648\u06cc\u0631 \u06f1.jpg": "DCIM/Camera/IMG_0004.jpg",
             "store/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240102-WA0002.jpg":
                 "Pictures/WhatsApp/IMG-20240102-WA0002.jpg",
             "card/DCIM/Camera/IMG_0005.jpg": "DCIM/Camera/IMG_0005.jpg",
             "card/DCIM/Camera/IMG_0009.heic": "Pictures/flower-card.heic"}
    subprocess.run(["rm", "-rf", trees], check=True)
    for dst, src in files.items():
        os.makedirs(os.path.dirname(os.path.join(trees, dst)), exist_ok=True)
        subprocess.run(["cp", os.path.join(demo, src), os.path.join(trees, dst)], check=True)
    subprocess.run(["tar", "czf", os.path.join(out, "umtp.tgz"), "-C", trees, "store", "card"], check=True)
    hz = os.path.abspath(os.path.join(a.build, "kiosk/hifazat"))
    want = []
    for sub, prefix in (("store", "mtp:R58N12ABCDE/"), ("card", "mtp:R58N12ABCDE@2/")):
        r_ = subprocess.run([hz, "hash", "-q", sub], cwd=trees, capture_output=True, text=True)
        for o in jsonl(r_.stdout):
            o["path"] = prefix + o["path"].split("/", 1)[1]
            want.append(o)
    common = open(os.path.join(here, "phone/umtprd-common.conf")).read()
    with open(os.path.join(out, "locked.conf"), "w") as f:
        f.write(common)
    with open(os.path.join(out, "open.conf"), "w") as f:
        f.write(common + f'storage "{UMTP_DIR}/store" "Internal shared storage" "ro"\n'
                         f'storage "{UMTP_DIR}/card" "SD card" "ro"\n')
    push(g, "/usr/bin/umtprd", "/usr/local/bin/umtprd")
    push(g, os.path.join(here, "phone/gadget.sh"), "/usr/local/bin/gadget.sh")
    for n in ("locked.conf", "open.conf", "umtp.tgz"):
        push(g, os.path.join(out, n), f"{UMTP_DIR}/{n}", "0644")
    g.sh(f"cd {UMTP_DIR} && rm -rf store card && tar xzf umtp.tgz")

    tag = "umtprd (dummy_hcd)"
    rc, o = g.sh(f"gadget.sh up {UMTP_DIR}/locked.conf && sleep 3 && "
                 f"timeout 100 {HIFAZAT} devices --json --wait 60 2>/dev/null", 150)
    d = (jsonl(o) or [{}])[0]
    check(f"{tag}: an MTP phone with no storage (as a locked Android) is 'locked', by model and maker",
          d.get("state") == "locked" and d.get("model") == "Galaxy A14" and d.get("vendor") == "Samsung"
          and d.get("key") == "R58N12ABCDE", o[-400:])
    rc, o = g.sh(f"timeout 100 {HIFAZAT} devices --json --backend ptp --wait 60 2>/dev/null", 150)
    d = (jsonl(o) or [{}])[0]
    check(f"{tag}: the same through libgphoto2: 'locked'", d.get("state") == "locked", o[-300:])

    rc, o = g.sh(f"gadget.sh down && gadget.sh up {UMTP_DIR}/open.conf && sleep 3 && "
                 f"timeout 100 {HIFAZAT} devices --json --wait 60 2>/dev/null", 150)
    d = (jsonl(o) or [{}])[0]
    st = d.get("storages", [])
    check(f"{tag}: unlocked: ready, two storages with their descriptions",
          d.get("state") == "ready" and [x.get("description") for x in st] == ["Internal shared storage", "SD card"]
          and [x.get("root") for x in st] == ["mtp:R58N12ABCDE@1", "mtp:R58N12ABCDE@2"], o[-500:])
    rc, o = g.sh(f"timeout 110 {HIFAZAT} hash -q mtp:R58N12ABCDE 2>/run/u.err", 150)
    got = jsonl(o)
    non_json = [l for l in o.splitlines() if l.strip() and not l.startswith("{")]
    check(f"{tag}: `hifazat hash mtp:KEY` over both storages equals the host's hashes (an Urdu name too), "
          "stdout only JSON", got == want and not non_json,
          f"{len(got)} files" if got == want else f"got {[x.get('path') for x in got]} {non_json[:2]}"[:600])
    rc, o = g.sh("grep -c 'Android device detected' /run/u.err || true")
    note(f"{tag}: libmtp's stdout notice went to stderr {o.strip()} time(s)")

    rc, o = g.sh(f"gadget.sh down && gadget.sh up - acm && sleep 3 && "
                 f"timeout 60 {HIFAZAT} devices --json --wait 20 2>/dev/null; gadget.sh down", 150)
    d = (jsonl(o) or [{}])[0]
    check(f"{tag}: a Samsung phone with no MTP or PTP interface is 'charging_only'",
          d.get("state") == "charging_only" and d.get("vendor") == "Samsung", o[-300:])


def run(a):
    out = a.out or os.path.join(RUNDIR, "proof")
    os.makedirs(out, exist_ok=True)
    r = Remote(a.rundir)
    own = None
    if r.available():
        g = r
        print("phone_proof: using the VM served in " + a.rundir, flush=True)
    else:
        own = boot(a.image, os.path.join(out, "vm"), 3 * 3600)
        g = own
    timing = {}
    try:
        phone = os.path.join(out, "phone")
        host = make_tree(phone)
        before = host_tree(phone)
        r_ = subprocess.run([os.path.join(a.build, "kiosk/hifazat"), "hash", "-q", phone], capture_output=True,
                            text=True)
        host_lines = jsonl(r_.stdout)
        libs(g)
        push(g, os.path.join(a.build, "tests/phone_probe"), PROBE)
        push(g, os.path.join(a.build, "kiosk/hifazat"), HIFAZAT)
        try:
            unplug(g, "phone")
            wait_usb(g, False)
        except BootError:
            pass
        plug(g, phone, "phone", "Galaxy A14")
        check("qemu's usb-mtp device appears in the guest (hot-plug)", wait_usb(g, True))
        only = set((a.only or "backends,cli,big,umtp").split(","))
        if "backends" in only:
            run_backend(g, "MTP (libmtp)", "mtp", host, phone, timing)
            unplug_test(g, "MTP (libmtp)", "mtp", phone)
            run_backend(g, "PTP (libgphoto2)", "ptp", host, phone, timing)
            unplug_test(g, "PTP (libgphoto2)", "ptp", phone)
        if "cli" in only:
            cli_test(g, "mtp", phone, host_lines, phone)
            cli_test(g, "ptp", phone, host_lines, phone)
        unplug(g, "phone")
        wait_usb(g, False)

        big = os.path.join(out, "phone-big")
        if not os.path.exists(os.path.join(big, "huge.bin")):  # kept, as the tree (make_tree)
            os.makedirs(big, exist_ok=True)
            with open(os.path.join(big, "huge.bin"), "wb") as f:
                f.truncate((4 << 30) + (1 << 20))
        plug(g, big, "phone", "Galaxy A14")
        if check("a second device (a 4 GiB file) appears", wait_usb(g, True)):
            if "big" in only:
                big_file_test(g, big, "mtp")
                big_file_test(g, big, "ptp")
            if "cli" in only:
                cli_unplug_test(g, "mtp", big)
                cli_unplug_test(g, "ptp", big)
        unplug(g, "phone")
        wait_usb(g, False)
        if "umtp" in only:
            umtp_test(g, a, out)
        check("the host's files are unchanged", host_tree(phone) == before)
    finally:
        for k, v in timing.items():
            print(f"TIME {k}: {v:.1f} {'s' if isinstance(v, float) else 'ms'}", flush=True)
        if own:
            own.stop()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0
