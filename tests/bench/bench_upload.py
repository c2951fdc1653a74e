#!/usr/bin/env python3
"""Benchmark for upload: 2 000 reports in 20 archives uploaded in one run of
`hifazat upload` to a real nginx on 127.0.0.1 (TLS), with its time and peak
RSS; the baseline, measured in the same run, is curl PUTting the same 20
archive files over one TLS connection each.
Usage: bench_upload.py HIFAZAT_BINARY SHARED_DIR WORK_DIR"""
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "upload"))
import fixture  # noqa: E402

BIN, SHARED, WORK = sys.argv[1:4]
REPORTS, PER_ARCHIVE = 2000, 100


def run(*args, check=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"hifazat {args[0]} failed: {p.stderr}")
    return p


def timed(cmd):
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, _, ru = os.wait4(p.pid, 0)
    out = p.stdout.read().decode()
    return time.monotonic() - t, ru.ru_maxrss / 1024, out


root = os.path.join(WORK, "upload")
os.makedirs(root)
os.chmod(WORK, 0o755)
os.chmod(root, 0o755)
pw = os.path.join(root, "pass")
with open(pw, "w") as f:
    f.write("a long helpline passphrase\n")
run("keygen", "--out", os.path.join(root, "hl"), "--passphrase-file", pw, "--kdf", "interactive")
h = run("hash", "-q", os.path.join(SHARED, "pdq/images/generated/gen_1mp.jpg")).stdout
jsonl = os.path.join(root, "one.jsonl")
with open(jsonl, "w") as f:
    f.write(h)
tls = fixture.make_ca(os.path.join(root, "ca"), "bench")
nginx = fixture.Nginx(os.path.join(root, "nginx"), tls).start()
try:
    data = os.path.join(root, "data")
    os.makedirs(data)
    conf = os.path.join(root, "kiosk.conf")
    with open(conf, "w") as f:
        f.write(f"[kiosk]\ndata_dir = {data}\nhelpline_key = {root}/hl/helpline.pub\n"
                f"[queue]\nmax_per_archive = {PER_ARCHIVE}\n[upload]\nurl = {nginx.url()}\nca_file = {tls['ca']}\n")
    t0 = time.monotonic()
    for _ in range(REPORTS):
        run("queue", "add", "--from", jsonl, "--route", "adult", "--config", conf)
    print(f"  queued {REPORTS} reports in {time.monotonic() - t0:.1f} s (setup, not measured)")
    spool = os.path.join(data, "outbox")
    os.makedirs(spool, exist_ok=True)
    run("export", "--to", spool, "--config", conf)
    archives = sorted(os.path.join(spool, n) for n in os.listdir(spool))
    total = sum(os.path.getsize(a) for a in archives)

    # Baseline: curl PUTs the same files (a copy: upload deletes its spool).
    base_dir = os.path.join(root, "copy")
    os.makedirs(base_dir)
    tb = time.monotonic()
    for a in archives:
        subprocess.run(["curl", "-sS", "--fail", "--cacert", tls["ca"], "-T", a,
                        nginx.url("full").replace("/full/", "/drop/") + "base-" + os.path.basename(a)],
                       check=True, capture_output=True)
    base = time.monotonic() - tb

    t, rss, out = timed([BIN, "upload", "-q", "--config", conf])
    s = json.loads(out.strip().splitlines()[-1])
    assert s["sent"] == len(archives) and s["reports_uploaded"] == REPORTS, s
    print(f"  {REPORTS} reports in {len(archives)} archives ({total / 1e6:.1f} MB): hifazat upload {t:.2f} s, "
          f"peak RSS {rss:.1f} MB | curl PUT of the same files {base:.2f} s | ratio {t / base:.2f} "
          f"(upload also HEADs each archive twice, checks, acknowledges {REPORTS} reports durably)")
finally:
    nginx.stop()
