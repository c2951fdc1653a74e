#!/usr/bin/env python3
"""Benchmark: `hifazat receipts` with and without its tag cache. The same
records (N reports of `hifazat open --jsonl`'s shape, 1 in 50 a withdrawal)
are run once into an empty folder (every argon2id tag computed) and once
more into the same folder (every tag from DIR/hifazat-tags.private); the
ratio is cached time / uncached time, both measured in this run. Then the
cached path at scale: 10 000 records with a made-up cache (measures loading,
de-duplication, withdrawal matching and signing: everything but argon2id).
Usage: bench_receipts.py HIFAZAT_BINARY WORK_DIR [N]"""
import base64
import json
import os
import secrets
import subprocess
import sys
import time

BIN, WORK = sys.argv[1:3]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 200
BIG = 10000
CODE = "4820-7316-5912"  # a valid case code; the tag is salted by it, keyed by the PIN


def run(*args):
    t = time.monotonic()
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"hifazat {args[0]} failed: {p.stderr}")
    return time.monotonic() - t, p.stdout


def records(path, n):
    ids, lines = [], []
    with open(path, "w") as f:
        for i in range(n):
            rid = secrets.token_hex(16)
            ids.append(rid)
            rec = {"report_id": rid, "case_code": CODE, "pin": f"{secrets.randbelow(10**6):06d}",
                   "created_at": "2026-01-02T03:04:05Z", "route": "adult", "items": []}
            if i % 50 == 49:
                rec["kind"] = "withdrawal"
            lines.append(json.dumps(rec) + "\n")
        f.writelines(lines)
        f.write(lines[0])  # one report twice: de-duplicated
    return ids


def entries(outdir):
    body = json.load(open(os.path.join(outdir, "hifazat-status.json")))["body"]
    return json.loads(base64.b64decode(body))["entries"]


root = os.path.join(WORK, "receipts")
os.makedirs(root)
pw = os.path.join(root, "pass")
with open(pw, "w") as f:
    f.write("a long helpline passphrase\n")
run("keygen", "--out", os.path.join(root, "hl"), "--passphrase-file", pw, "--kdf", "interactive")
KEY = ["--key", os.path.join(root, "hl", "helpline.key"), "--passphrase-file", pw,
       "--issued-at", "2026-01-10T00:00:00Z"]

recs = os.path.join(root, "records.jsonl")
records(recs, N)
out = os.path.join(root, "out")
uncached, o1 = run("receipts", recs, "--out", out, *KEY)
first = entries(out)
cached, o2 = run("receipts", recs, "--out", out, *KEY)
if f"{N} tags computed" not in o1 or "0 tags computed" not in o2:
    sys.exit(f"unexpected: {o1} {o2}")
if [dict(e) for e in first] != entries(out):
    sys.exit("the cached run's entries differ from the uncached run's")
ratio = cached / uncached
print(f"  {N} reports: uncached {uncached:.2f} s ({uncached / N * 1000:.0f} ms a tag), "
      f"cached {cached:.2f} s, ratio cached/uncached {ratio:.3f}")

big = os.path.join(root, "big.jsonl")
ids = records(big, BIG)
bigout = os.path.join(root, "bigout")
os.makedirs(bigout)
with open(os.path.join(bigout, "hifazat-tags.private"), "w") as f:
    f.writelines(f"{rid} {secrets.token_hex(32)}\n" for rid in ids)
os.chmod(os.path.join(bigout, "hifazat-tags.private"), 0o600)
t_big, o3 = run("receipts", big, "--out", bigout, *KEY)
if "0 tags computed" not in o3:
    sys.exit(f"unexpected: {o3}")
print(f"  {BIG} reports, every tag cached: {t_big:.2f} s "
      f"(uncached, at the rate above: about {uncached / N * BIG / 60:.0f} min)")
print(f"ratio={ratio:.4f} big_cached_s={t_big:.2f}")
