"""Small helpers for the CLI tests: run `hifazat`, parse JSON Lines, checks."""
import json
import os
import subprocess
import sys

BIN = os.path.join(os.environ.get("HIFAZAT_BIN", "build/kiosk"), "hifazat")
SHARED = os.environ.get("HIFAZAT_SHARED", "../shared")

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def run(*args, timeout=120, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, **kw)


def hash_files(*paths, opts=(), timeout=120):
    p = run("hash", "-q", *opts, *paths, timeout=timeout)
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, rows, p.stderr


def distance(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def done():
    if failures:
        print(f"{len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")
