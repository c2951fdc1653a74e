#!/usr/bin/env python3
"""End to end through the hifazat CLI, as a help desk and the helpline use it:
keygen -> hash -> queue add -> export -> open, for images and videos, and the
ways it must refuse: tampered, truncated, wrong key, replayed, unknown version,
bad configuration. Also the stick thief: nothing on the data partition or the
courier stick holds a hash or a case code in clear."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.path.join(os.environ["HIFAZAT_BIN"], "hifazat")
SHARED = os.environ["HIFAZAT_SHARED"]
failures = 0
checks = 0


def check(cond, msg):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", msg, file=sys.stderr)


def run(*args, stdin=None, env=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, input=stdin,
                       env=dict(os.environ, **env) if env else None)
    return p.returncode, p.stdout, p.stderr


def files_under(*dirs):
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in names:
                yield os.path.join(root, n)


tmp = tempfile.mkdtemp(prefix="hifazat-cli-")
os.chdir(tmp)
with open("pass", "w") as f:
    f.write("a long helpline passphrase\n")
with open("short", "w") as f:
    f.write("short\n")

# --- keygen
rc, out, err = run("keygen", "--out", "hl", "--passphrase-file", "pass", "--kdf", "interactive")
check(rc == 0, f"keygen: {err}")
check("fingerprint:" in out and "public key:" in out, "keygen prints key and fingerprint")
check(os.stat("hl/helpline.key").st_mode & 0o777 == 0o600, "secret key mode 0600")
rc, _, err = run("keygen", "--out", "hl", "--passphrase-file", "pass", "--kdf", "interactive")
check(rc == 1 and "overwrite" in err, f"keygen never overwrites: {rc} {err}")
rc, _, err = run("keygen", "--out", "hl2", "--passphrase-file", "short")
check(rc == 2 and "12 characters" in err, f"short passphrase: {rc} {err}")
rc, _, _ = run("keygen", "--passphrase-file", "pass")
check(rc == 2, "keygen without --out")
fpr = [l.split()[1] for l in out.splitlines() if l.startswith("fingerprint:")][0]
rc, _, _ = run("keygen", "--out", "other", "--passphrase-file", "pass", "--kdf", "interactive")
check(rc == 0, "second helpline key")

# --- hash the material: images (Meta's repo images) and videos
imgs = os.path.join(SHARED, "pdq/images/repo")
vids = os.path.join(SHARED, "vpdq/videos")
rc, out, err = run("hash", "-q", imgs)
image_lines = [json.loads(l) for l in out.splitlines()]
rc, out, err = run("hash", "-q", vids)
check(rc == 0, f"hash videos: {err}")
video_lines = [json.loads(l) for l in out.splitlines()]
check(len(video_lines) >= 10 and all(v["kind"] == "video" for v in video_lines), "videos hashed")
with open("images.jsonl", "w") as f:
    f.write("\n".join(json.dumps(l) for l in image_lines) + "\n")
with open("videos.jsonl", "w") as f:
    f.write("\n".join(json.dumps(l) for l in video_lines) + "\n")

KIOSK = ["--data-dir", "data", "--helpline-key", "hl/helpline.pub"]
# Damm's quasigroup (report_damm in kiosk/src/report/report.c)
DAMM = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
        "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]
receipts = []
for src, route, by in (("images.jsonl", "adult", "self"), ("videos.jsonl", "under18", "parent_or_trusted_adult"),
                       ("images.jsonl", "under18", "helper")):
    rc, out, err = run("queue", "add", "--from", src, "--route", route, "--reporter", by, "--json", *KIOSK)
    check(rc == 0, f"queue add {src}: {err}")
    if rc == 0:
        r = json.loads(out)
        r.update(src=src, route=route, reporter=by)
        receipts.append(r)
        # a case code a reader of Urdu can copy and say: 12 digits in groups
        # of four, the last Damm's check digit; a 6-digit PIN
        code = r.get("case_code", "")
        digits = code.replace("-", "")
        interim = 0
        for d in digits if digits.isdigit() else "":
            interim = int(DAMM[interim][int(d)])
        check(len(code) == 14 and code[4] == code[9] == "-" and digits.isdigit() and len(digits) == 12
              and interim == 0 and len(r.get("pin", "")) == 6 and r["pin"].isdigit(),
              f"case code {code!r} and PIN are digits in groups, whole")
check("README.md" not in err and "/pdq/" not in err, "no paths printed when leaving files out")
# the helpline registers this kiosk (its public key, and a name)
with open("reg.txt", "w") as f:
    f.write(f"{json.load(open('data/kiosk.key'))['public_key']} Test desk\n")
REG = ["--kiosks", "reg.txt"]
rc, out, err = run("queue", "add", "--from", "images.jsonl", "--route", "adult", *KIOSK[:2])
check(rc == 2 and "helpline" in err, f"no helpline key: exit 2 ({rc}) {err}")
rc, out, err = run("queue", "add", "--from", "images.jsonl", *KIOSK)
check(rc == 2 and "--route" in err, f"--route is required: {rc}")
rc, out, err = run("queue", "frobnicate", *KIOSK)
check(rc == 2, "unknown subcommand")

# refused: an all-zero PDQ (a 4x4 picture) and a malformed hash
rc, out, err = run("hash", "-q", os.path.join(SHARED, "pdq/images/generated/gen_coffee_4x4.png"))
with open("tiny.jsonl", "w") as f:
    f.write(out)
rc, out, err = run("queue", "add", "--from", "tiny.jsonl", "--route", "adult", *KIOSK)
check(rc == 1 and "all zeros" in err and "nothing was queued" in err, f"all-zero PDQ refused: {err}")
bad = dict(image_lines[0])
bad["md5"] = bad["md5"][:-1]
with open("bad.jsonl", "w") as f:
    f.write(json.dumps(bad) + "\n")
rc, out, err = run("queue", "add", "--from", "bad.jsonl", "--route", "adult", *KIOSK)
check(rc == 1 and "md5 must be 32 lowercase hex digits" in err, f"short md5 refused: {err}")

# the helpline key the data partition was set up with: another key is refused
# (nothing sealed) unless --accept-new-helpline-key, which then remembers it
rc, out, err = run("keygen", "--out", "hl3", "--passphrase-file", "pass", "--kdf", "interactive")
check(rc == 0, f"second helpline key: {err}")
OTHER = ["--data-dir", "data", "--helpline-key", "hl3/helpline.pub"]
rc, out, err = run("queue", "add", "--from", "images.jsonl", "--route", "adult", *OTHER)
check(rc == 1 and "helpline key changed" in err and "--accept-new-helpline-key" in err
      and "Nothing was sealed" in err, f"changed key refused: {err}")
shutil.copytree("data", "data-accept")
rc, out, err = run("queue", "add", "--from", "images.jsonl", "--route", "adult", "--data-dir",
                   "data-accept", "--helpline-key", "hl3/helpline.pub", "--accept-new-helpline-key")
check(rc == 0, f"--accept-new-helpline-key: {err}")
rc, out, err = run("queue", "add", "--from", "images.jsonl", "--route", "adult", "--data-dir",
                   "data-accept", "--helpline-key", "hl/helpline.pub")
check(rc == 1 and "helpline key changed" in err, f"the accepted key is remembered: {err}")
shutil.rmtree("data-accept")

rc, out, err = run("queue", "status", "--json", *KIOSK)
st = json.loads(out)
check(st["pending"]["reports"] == 3, f"3 pending: {st}")
check(st["helpline_key_fingerprint"] == fpr, "status shows the helpline fingerprint staff compare")

# --- export: to a courier stick, twice (idempotent), then open
os.mkdir("stick")
rc, out, err = run("export", "--to", "stick", "--max-per-archive", "2", *KIOSK)
check(rc == 0 and len(out.splitlines()) == 2, f"export into 2 archives: {out} {err}")
rc, out, err = run("export", "--to", "stick", *KIOSK)
check(rc == 0 and "nothing to export" in out, "second export: nothing")
os.mkdir("stick2")
rc, out, err = run("export", "--all", "--to", "stick2", "--max-per-archive", "2", *KIOSK)
check(rc == 0 and len(os.listdir("stick2")) == 2, "re-export for a lost stick")
check(sorted(os.listdir("stick")) == sorted(os.listdir("stick2")), "same names: idempotent")
archives = sorted(os.path.join("stick", n) for n in os.listdir("stick"))
again = sorted(os.path.join("stick2", n) for n in os.listdir("stick2"))
rc, out, err = run("queue", "status", "--json", *KIOSK)
st = json.loads(out)
check(st["pending"]["reports"] == 0 and st["exported"]["reports"] == 3, "exported stay in the queue")

# --- the stick thief: no hash, case code or PIN in clear anywhere
needles = set()
for l in image_lines + video_lines:
    for k in ("md5", "sha1", "sha256", "pdq", "pdq_full", "pdq_displayed", "pdq_displayed_full"):
        if k in l:
            needles.add(l[k].encode())
            needles.add(l[k].upper().encode())
            needles.add(bytes.fromhex(l[k]))
for r in receipts:
    needles.add(r["case_code"].encode())
    needles.add(r["case_code"].replace("-", "").encode())
    needles.add(r["pin"].encode())
for n in ("aaa-orig", "bridge", "DCIM", ".jpg", ".mp4", "chair"):
    needles.add(n.encode())
leaks = []
scanned = 0
for path in files_under("data", "stick"):
    blob = open(path, "rb").read()
    scanned += 1
    for n in needles:
        if n in blob:
            leaks.append((path, n[:20]))
check(scanned >= 6 and not leaks, f"stick thief found {leaks[:5]} in {scanned} files")

# --- open: JSON Lines + CSV, exactly the hashes, de-duplicated across archives
rc, out, err = run("open", *REG, *archives, *again, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--csv", "out.csv", "--jsonl", "out.jsonl")
check(rc == 0, f"open: {err}")
check("3 reports opened, 3 duplicates skipped, 0 rejected" in err, f"dedup across archives: {err}")
check(os.stat("out.csv").st_mode & 0o777 == 0o600, "outputs readable by the helpline only")
reports = {json.loads(l)["case_code"]: json.loads(l) for l in open("out.jsonl")}
check(len(reports) == 3, "3 reports")

def expected_signals(lines):
    sigs = []
    for i, l in enumerate(x for x in lines if x.get("kind") in ("image", "video") and "md5" in x):
        video = l["kind"] == "video"
        sigs.append((i + 1, "video_md5" if video else "md5", l["md5"], "", ""))
        sigs.append((i + 1, "video_sha1" if video else "sha1", l["sha1"], "", ""))
        sigs.append((i + 1, "video_sha256" if video else "sha256", l["sha256"], "", ""))
        for key, var in (("pdq", ""), ("pdq_full", "full"), ("pdq_displayed", "displayed"),
                         ("pdq_displayed_full", "displayed_full")):
            if key in l:
                sigs.append((i + 1, "pdq", l[key], str(l[key + "_quality"]), var))
        for f in l.get("vpdq", []):
            sigs.append((i + 1, "vpdq", f, f.split(",")[1], ""))
    return sorted(sigs)

rows = list(csv.DictReader(open("out.csv")))
for r in receipts:
    doc = reports.get(r["case_code"])
    check(doc is not None, f"report {r['case_code']} opened")
    if not doc:
        continue
    check(doc["pin"] == r["pin"] and doc["report_id"] == r["report_id"], "PIN and id")
    check(doc["route"] == r["route"] and doc["reporter"] == r["reporter"], "route and reporter")
    check(doc["training"] is False and doc["version"] == 1, "real, version 1")
    lines = image_lines if r["src"] == "images.jsonl" else video_lines
    got = sorted((int(x["item"]), x["signal_type"], x["value"], x["quality"], x["variant"])
                 for x in rows if x["case_code"] == r["case_code"])
    want = expected_signals(lines)
    check(got == want, f"{r['src']}: CSV gives back exactly the hashes ({len(got)} vs {len(want)})")
    items = [it for it in doc["items"]]
    check(len(items) == len([l for l in lines if l.get("kind") in ("image", "video") and "md5" in l]),
          "one item per image/video")
    check(all(set(it) == {"kind", "size", "signals"} for it in items), "no file names or metadata")
    check(all(row["route"] == r["route"] for row in rows if row["case_code"] == r["case_code"]), "route column")

# --- --hma: request bodies for HMA's POST /c/bank/<BANK>/signal, checked field
# by field against HMA's own code (no HMA can be installed here):
# hasher-matcher-actioner/src/OpenMediaMatch/blueprints/curation.py
# (bank_add_as_signals -> _bank_add_signals: the body is {signal type name:
# signal string}, every key must be a signal type the bank has, else 400) and
# python-threatexchange's validate_signal_str for each type.
HMA_RE = {"pdq": re.compile(r"^[0-9a-f]{64}$"),                 # signal_type/pdq/signal.py
          "video_md5": re.compile(r"^[0-9a-f]{32}$"),           # signal_type/md5.py
          "video_sha256": re.compile(r"^[0-9a-f]{64}$")}        # signal_type/sha256.py


def hma_vpdq_ok(value):
    """extensions/vpdq/vpdq_util.py json_to_vpdq + VpdqCompactFeature.from_str/assert_valid"""
    try:
        frames = json.loads(value or "[]")
        for fr in frames:
            h, q, ts = fr.split(",")
            int(h, 16)
            if len(h) != 64 or not 0 <= int(q) <= 100 or float(ts) < 0:
                return False
        return isinstance(frames, list) and len(frames) > 0
    except (ValueError, AttributeError):
        return False


def hma_check(path, types, docs):
    bodies = [json.loads(l) for l in open(path)]
    ok = True
    for b in bodies:
        ok &= isinstance(b, dict) and len(b) > 0 and set(b) <= types
        for k, v in b.items():
            ok &= isinstance(v, str) and (hma_vpdq_ok(v) if k == "vpdq" else bool(HMA_RE[k].match(v)))
    check(ok, f"{path}: every body is what bank_add_as_signals accepts ({len(bodies)} bodies)")
    # exactly the report's hashes, in HMA's forms
    want = []
    for doc in docs:
        for it in doc["items"]:
            sig = {(s["type"], s.get("variant")): s["value"] for s in it["signals"]}
            main, shown = {}, {}
            if it["kind"] == "image":
                if "pdq" in types:
                    main["pdq"] = sig.get(("pdq", "full"), sig.get(("pdq", None)))
                    d = sig.get(("pdq", "displayed_full"), sig.get(("pdq", "displayed")))
                    if d:
                        shown["pdq"] = d
            else:
                for t in ("video_md5", "video_sha256"):
                    if t in types:
                        main[t] = sig[(t, None)]
                if "vpdq" in types:
                    if ("vpdq", None) in sig:
                        main["vpdq"] = json.dumps(sig[("vpdq", None)], separators=(",", ":"))
                    if ("vpdq", "displayed") in sig:
                        shown["vpdq"] = json.dumps(sig[("vpdq", "displayed")], separators=(",", ":"))
            want += [x for x in (main, shown) if x]
    check(bodies == want, f"{path}: the reports' hashes, one body per item (+ one as displayed): "
          f"{len(bodies)} vs {len(want)}")
    return bodies


docs = [reports[r["case_code"]] for r in receipts if r["case_code"] in reports]
rc, out, err = run("open", *REG, *archives, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--jsonl", "/dev/null", "--hma", "hma.jsonl")
check(rc == 0 and os.stat("hma.jsonl").st_mode & 0o777 == 0o600, f"open --hma: {err}")
docs_in_order = [json.loads(l) for l in open("out.jsonl")]
bodies = hma_check("hma.jsonl", {"pdq", "video_md5", "vpdq"}, docs_in_order)
check(any("vpdq" in b and "video_md5" in b for b in bodies) and any("pdq" in b for b in bodies),
      "pictures and videos both there")
blob = open("hma.jsonl").read()
secrets = [x for d in docs for x in (d["case_code"], d["case_code"].replace("-", ""), d["report_id"],
                                     d["kiosk_id"])] + [r["pin"] for r in receipts]
check(not [x for x in secrets if x in blob] and "note" not in blob,
      "no case code, PIN, report id, kiosk or note in the HMA bodies")
rc, out, err = run("open", *REG, *archives, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--jsonl", "/dev/null", "--hma", "hma2.jsonl", "--hma-types", "pdq,video_sha256")
check(rc == 0, f"--hma-types: {err}")
hma_check("hma2.jsonl", {"pdq", "video_sha256"}, docs_in_order)
rc, out, err = run("open", *REG, *archives, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--hma", "hma3.jsonl", "--hma-types", "pdq,md5")
check(rc == 2 and "--hma-types" in err and not os.path.exists("hma3.jsonl"),
      f"unknown HMA type refused before anything: {rc} {err}")

# --seen: a later run skips what was already opened
rc, out, err = run("open", *REG, archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--seen", "seen.txt", "--jsonl", "a.jsonl")
n_first = len(open("a.jsonl").read().splitlines())
rc, out, err = run("open", *REG, *archives, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--seen", "seen.txt", "--jsonl", "b.jsonl")
check(rc == 0 and len(open("b.jsonl").read().splitlines()) == 3 - n_first,
      f"--seen: only the new ones ({err})")

# --- outputs: whole or not at all, 0600, never through a link; --seen only after them
OPEN_A = ["open", *REG, archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass"]
with open("old.jsonl", "w") as f:
    f.write("the previous run\n")
os.chmod("old.jsonl", 0o644)
rc, out, err = run(*OPEN_A, "--jsonl", "old.jsonl", "--seen", "crash.seen",
                   env={"HIFAZAT_TEST_OPEN_STOP_BEFORE_RENAME": "1"})
check(rc == 75 and open("old.jsonl").read() == "the previous run\n",
      f"stopped before the rename: the old output is untouched: {rc} {err}")
check(not os.path.exists("crash.seen") or os.path.getsize("crash.seen") == 0,
      "stopped before the rename: nothing is marked seen")
leftover = [n for n in os.listdir(".") if n.startswith(".tmp-old.jsonl.")]
check(len(leftover) == 1 and os.stat(leftover[0]).st_mode & 0o777 == 0o600,
      f"the unfinished output is a 0600 temp file beside it: {leftover}")
for n in leftover:
    os.remove(n)
rc, out, err = run(*OPEN_A, "--jsonl", "old.jsonl", "--seen", "crash.seen")
check(rc == 0 and len(open("old.jsonl").read().splitlines()) == len(open("crash.seen").read().splitlines()) > 0,
      f"run again: every report written and then seen: {err}")
check(os.stat("old.jsonl").st_mode & 0o777 == 0o600, "an existing output is replaced by a 0600 file")
check(not [n for n in os.listdir(".") if n.startswith(".tmp-")], "no temp file left behind")
rc, out, err = run(*OPEN_A, "--jsonl", "/dev/full", "--seen", "full.seen")
check(rc == 1 and "nothing was added to --seen" in err and
      (not os.path.exists("full.seen") or os.path.getsize("full.seen") == 0),
      f"an output that cannot be written: nothing is marked seen: {rc} {err}")
with open("torn.seen", "w") as f:
    f.write(open("crash.seen").read().splitlines()[0] + "\n" + "0123abc")  # an append cut short
rc, out, err = run(*OPEN_A, "--jsonl", "torn.jsonl", "--seen", "torn.seen")
check(rc == 0 and all(len(l.split()) == 2 and len(l.split()[0]) == 32 for l in open("torn.seen")) and
      len(open("torn.jsonl").read().splitlines()) == len(open("crash.seen").read().splitlines()) - 1,
      f"a --seen file whose last append was cut short: the cut line is dropped: {err}")
with open("victim.txt", "w") as f:
    f.write("not yours\n")
os.symlink("victim.txt", "link.jsonl")
os.symlink("nowhere.txt", "dangling.csv")
rc, out, err = run(*OPEN_A, "--jsonl", "link.jsonl")
check(rc != 0 and "symbolic link" in err and open("victim.txt").read() == "not yours\n"
      and os.path.islink("link.jsonl"), f"a symlink at the output is refused, not followed: {rc} {err}")
rc, out, err = run(*OPEN_A, "--jsonl", "x.jsonl", "--csv", "dangling.csv")
check(rc != 0 and "symbolic link" in err and not os.path.exists("nowhere.txt"),
      f"a dangling symlink at the output is refused, nothing created through it: {rc} {err}")
os.symlink("victim.txt", "link.seen")
rc, out, err = run(*OPEN_A, "--jsonl", "y.jsonl", "--seen", "link.seen")
check(rc != 0 and open("victim.txt").read() == "not yours\n", f"nor at --seen: {rc} {err}")

# --- hostile archives: sparse entries and sizes larger than the archive, refused before
# any allocation. Peak memory of each `open`, measured on the child itself.
def open_rss(*paths):
    args = [BIN, "open", *REG, *paths, "--key", "hl/helpline.key", "--passphrase-file", "pass"]
    pid = os.fork()
    if pid == 0:
        fd = os.open("rss.err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 2)
        nul = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nul, 1)
        os.execv(BIN, args)
    _, status, ru = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), open("rss.err").read(), ru.ru_maxrss // 1024


def gnu_sparse(name, realsize):
    """An old-GNU sparse entry ('S'): 512 bytes stored at the end of a file of realsize
    bytes, the rest a hole that reads as zeros."""
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b"0000600\0"
    h[108:116] = h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % 512
    h[136:148] = b"%011o\0" % 1700000000
    h[156:157] = b"S"
    h[257:265] = b"ustar  \0"
    h[386:398] = b"%011o\0" % (realsize - 512)
    h[398:410] = b"%011o\0" % 512
    h[483:495] = b"%011o\0" % realsize
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h) + b"\xaa" * 512


def huge_pax(name, size):
    import tarfile
    ti = tarfile.TarInfo(name)
    ti.size = size
    return ti.tobuf(format=tarfile.PAX_FORMAT) + b"\xbb" * 512


base_rc, base_err, base_rss = open_rss(archives[0])
check(base_rc == 0, f"an ordinary archive opens: {base_err}")
sparse = b"".join(gnu_sparse(f"reports/{i:032x}.hfz", 32 << 20) for i in range(8)) + b"\0" * 1024
open("sparse.tar", "wb").write(sparse)
rc, err, rss = open_rss("sparse.tar")
check(rc == 1 and "sparse entry" in err and rss < base_rss + 24,
      f"8 sparse entries of 32 MiB each ({len(sparse)} bytes): refused, {rss} MB peak vs {base_rss} MB: {err}")
huge = huge_pax("manifest.json", 50 << 30) + huge_pax(f"reports/{1:032x}.hfz", 30 << 20) + b"\0" * 1024
open("huge.tar", "wb").write(huge)
rc, err, rss = open_rss("huge.tar")
check(rc == 1 and "more than the whole archive" in err and rss < base_rss + 24,
      f"entries declaring 50 GB and 30 MB in {len(huge)} bytes: refused, {rss} MB peak: {err}")
print(f"peak RSS of open: ordinary {base_rss} MB, sparse {open_rss('sparse.tar')[2]} MB, "
      f"huge {rss} MB", file=sys.stderr)

# --- refusals, each naming the report, the rest still opened
arch = open(archives[0], "rb").read()
ids = [l["report_id"] for l in map(json.loads, open("a.jsonl"))]
victim = ids[0]
pos = arch.index(b"reports/" + victim.encode())
data_start = pos + 512  # the data block follows the 512-byte header
tam = bytearray(arch)
tam[data_start + 2000] ^= 0x20
open("tampered.tar", "wb").write(tam)
rc, out, err = run("open", *REG, "tampered.tar", "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and victim in err and "altered" in err, f"tampered: names {victim}: {err}")
check(len(out.splitlines()) == len(ids) - 1, "the other reports still opened")
open("truncated.tar", "wb").write(arch[: data_start + 1000])
rc, out, err = run("open", *REG, "truncated.tar", "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and "truncated" in err and victim in err, f"truncated: {err}")
rc, out, err = run("open", *REG, archives[0], "--key", "other/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and "wrong_key" in err and out == "", f"wrong key: {err}")
rc, out, err = run("open", *REG, archives[0], "--key", "hl/helpline.key", "--passphrase-file", "short")
check(rc == 2 and "wrong passphrase" in err, f"wrong passphrase: {rc} {err}")
rc, out, err = run("open", *REG, "pass", "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and "not a Hifazat" in err, f"not an archive: {err}")

# a single sealed report with an unknown version byte
sealed = sorted(files_under("data/queue/exported"))[0]
blob = bytearray(open(sealed, "rb").read())
blob[4] = 2
open(os.path.basename(sealed), "wb").write(blob)
rc, out, err = run("open", *REG, os.path.basename(sealed), "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and "unknown_version" in err, f"unknown version: {err}")
rc, out, err = run("open", *REG, sealed, "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 0 and len(out.splitlines()) == 1, f"a queue file opens on its own: {err}")

# replayed: kiosk B smuggles kiosk A's sealed report into its own archive
rc, out, err = run("queue", "add", "--from", "videos.jsonl", "--route", "adult", "--data-dir", "dataB",
                   "--helpline-key", "hl/helpline.pub")
with open("reg.txt", "a") as f:
    f.write(f"{json.load(open('dataB/kiosk.key'))['public_key']} Desk B\n")
shutil.copy(sealed, "dataB/queue/pending/")
os.mkdir("stickB")
rc, out, err = run("export", "--to", "stickB", "--data-dir", "dataB")
rc, out, err = run("open", *REG, *[os.path.join("stickB", n) for n in os.listdir("stickB")],
                   "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 1 and "different kiosk" in err and os.path.basename(sealed)[:32] in err,
      f"replay from another kiosk refused: {err}")
check(len(out.splitlines()) == 1, "kiosk B's own report still opened")

# --- --kiosks: only reports signed by a registered kiosk are opened
fpr_a = json.loads(open("a.jsonl").readline())["kiosk_key_fingerprint"]
rc, out, err = run("queue", "status", *KIOSK)
check(f"kiosk key fingerprint:    {fpr_a}" in out, f"queue status shows the kiosk key: {out}")
rc, out, err = run("queue", "status", "--data-dir", "dataB", "--helpline-key", "hl/helpline.pub")
fpr_b = [l.split()[-1] for l in out.splitlines() if l.startswith("kiosk key fingerprint:")][0]
check(fpr_b != fpr_a, "two kiosks, two keys")
with open("kiosks.txt", "w") as f:
    f.write(f"# registered kiosks\n\n{fpr_a.lower()}   Lahore desk  \n{fpr_b} Karachi desk\n")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "kiosks.txt")
docs = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and len(docs) == len(ids), f"registered kiosk (fingerprint, any case) opens: {err}")
check(all(d.get("kiosk_name") == "Lahore desk" for d in docs), "its name from --kiosks")
with open("only-b.txt", "w") as f:
    f.write(f"{fpr_b} Karachi desk\n")
if os.path.exists("k.seen"):
    os.remove("k.seen")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "only-b.txt", "--seen", "k.seen")
check(rc == 1 and out == "" and "not in --kiosks" in err and fpr_a in err,
      f"an unregistered kiosk's reports are rejected, naming its key: {rc} {err}")
check(err.count("rejected:") == len(ids), f"each of them named: {err}")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "kiosks.txt", "--seen", "k.seen")
check(rc == 0 and len(out.splitlines()) == len(ids),
      f"once registered they open (a rejection is not remembered as seen): {err}")
pk_a = json.load(open("data/kiosk.key"))["public_key"]
with open("by-key.txt", "w") as f:
    f.write(f"{pk_a} Islamabad desk\n")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "by-key.txt", "--csv", "by-key.csv")
docs = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and len(docs) == len(ids) and
      all(d["kiosk_name"] == "Islamabad desk" and d["kiosk_registered"] is True and
          d["kiosk_key_fingerprint"] == fpr_a for d in docs),
      f"registered by its whole public key: {err}")
rows = list(csv.DictReader(open("by-key.csv")))
check(rows and all(x["kiosk_key_fingerprint"] == fpr_a and x["kiosk_name"] == "Islamabad desk" for x in rows),
      "each CSV row names the kiosk's key and its registered name")

# --kiosks is required; --accept-unregistered is the loud way around it
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass")
check(rc == 2 and out == "" and "--kiosks FILE is required" in err, f"no --kiosks: refused: {rc} {err}")
rc, out, err = run("open", *archives, "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--accept-unregistered")
docs = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and len(docs) == 3 and
      all(d["kiosk_registered"] is False and d["kiosk_name"] == "" and d["kiosk_key_fingerprint"] == fpr_a
          for d in docs), f"--accept-unregistered opens them, marked unregistered: {err}")
check("WARNING: 3 reports from unregistered kiosks were accepted (--accept-unregistered)" in err,
      f"and says how many on stderr: {err}")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "only-b.txt", "--accept-unregistered")
check(rc == 0 and len(out.splitlines()) == len(ids) and f"WARNING: {len(ids)} report" in err,
      f"--accept-unregistered with --kiosks: {err}")

# a revoked kiosk key: refused, named by its fingerprint, the others still opened
with open("revoked.txt", "w") as f:
    f.write(f"revoked {fpr_a} Lahore desk (stick stolen)\n{pk_a} Lahore desk\n{fpr_b} Desk B\n")
rc, out, err = run("open", *archives, *[os.path.join("stickB", n) for n in os.listdir("stickB")],
                   "--key", "hl/helpline.key", "--passphrase-file", "pass", "--kiosks", "revoked.txt",
                   "--accept-unregistered")
docs = [json.loads(l) for l in out.splitlines()]
check(rc == 1 and f"{fpr_a} (Lahore desk (stick stolen)), which --kiosks marks revoked" in err and
      "4 reports refused: signed by a revoked kiosk key" in err and err.count("marks revoked") == 4,
      f"revoked (even listed again, even with --accept-unregistered): {rc} {err}")
check(len(docs) == 1 and docs[0]["kiosk_key_fingerprint"] == fpr_b and docs[0]["kiosk_name"] == "Desk B",
      f"kiosk B's report still opened: {docs}")
for name, text, want in [("bad-kiosks.txt", f"{fpr_b} B\nlahore-01 desk\n", "bad-kiosks.txt:2"),
                         ("nameless.txt", f"{fpr_b} B\n{fpr_a}\n", "nameless.txt:2: the kiosk"),
                         ("revoked-bad.txt", f"revoked lahore-01 desk\n", "revoked-bad.txt:1"),
                         ("short-fpr.txt", fpr_a[:-1] + " A\n", "short-fpr.txt:1"),
                         ("no-kiosks.txt", "# none yet\n\n", "names no kiosk"),
                         ("long-kiosks.txt", f"{fpr_b} " + "x" * 600 + f"\n{fpr_a} A\n", "long-kiosks.txt:1: line too long")]:
    with open(name, "w") as f:
        f.write(text)
    rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "missing",
                       "--kiosks", name)
    check(rc == 2 and want in err and out == "", f"{name}: refused before the passphrase: {rc} {err}")
rc, out, err = run("open", archives[0], "--key", "hl/helpline.key", "--passphrase-file", "pass",
                   "--kiosks", "absent.txt")
check(rc == 2 and "absent.txt" in err, f"missing --kiosks file: {err}")

# --- acknowledgement, then the retention rule
rc, out, err = run("queue", "ack", *archives, *KIOSK)
check(rc == 0, f"ack: {err}")
rc, out, err = run("queue", "status", "--json", *KIOSK)
st = json.loads(out)
check(st["uploaded"]["reports"] == 3 and st["exported"]["reports"] == 0, f"uploaded: {st}")

# --- configuration: file, override on the data partition, errors
with open("kiosk.conf", "w") as f:
    f.write("[kiosk]\nid = test-desk-1\ndata_dir = data\nhelpline_key = hl/helpline.pub\n"
            "[queue]\nretention_days = 0\n")
rc, out, err = run("queue", "status", "--json", "--config", "kiosk.conf")
check(rc == 0 and json.loads(out)["retention_days"] == 0, f"--config: {err}")
# the override on the data partition holds preferences only: a site setting
# there is an error naming it and the file
with open("data/kiosk.conf", "w") as f:
    f.write("[queue]\nretention_days = 7\n")
rc, out, err = run("queue", "status", "--json", "--config", "kiosk.conf")
check(rc == 2 and "retention_days" in err and "data/kiosk.conf" in err and "site setting" in err,
      f"site setting in the override: {err}")
with open("data/kiosk.conf", "w") as f:
    f.write("[kiosk]\nlanguage = en\n")
rc, out, err = run("queue", "status", "--json", "--config", "kiosk.conf")
check(rc == 0 and json.loads(out)["retention_days"] == 0, f"a preference in the override: {err}")
rc, out, err = run("queue", "add", "--from", "videos.jsonl", "--route", "adult", "--json",
                   "--config", "kiosk.conf")
check(rc == 0, f"add with config: {err}")
with open("bad.conf", "w") as f:
    f.write("[kiosk]\ndata_dir = data\nlanguage = fr\n")
rc, out, err = run("queue", "status", "--config", "bad.conf")
check(rc == 2 and "bad.conf" in err and "language" in err, f"bad config: {err}")
rc, out, err = run("queue", "status", "--config", "missing.conf")
check(rc == 2 and "missing.conf" in err, f"missing config: {err}")
os.remove("data/kiosk.conf")
rc, out, err = run("open", *REG, *sorted(files_under("data/queue/pending")), "--key", "hl/helpline.key",
                   "--passphrase-file", "pass")
check(rc == 0 and json.loads(out.splitlines()[0])["kiosk_id"] == "test-desk-1", "kiosk id from config")

shutil.rmtree(tmp)
print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
