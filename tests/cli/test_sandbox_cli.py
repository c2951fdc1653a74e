#!/usr/bin/env python3
"""`hifazat hash` over a folder with hostile files in the middle: a picture
whose decoder crashes (the decoder's test-only trigger) is that file's
corrupt_image, exit status 1, and the files after it are hashed as before;
a symlink that leads out of the folder is refused (opened beneath the
folder), one that stays inside is hashed."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from hashcli import SHARED, check, done, hash_files  # noqa: E402

COFFEE = os.path.join(SHARED, "pdq/images/generated/gen_coffee_half.png")

os.environ["HIFAZAT_DECODER_TEST"] = "1"
with tempfile.TemporaryDirectory() as tmp:
    root = os.path.join(tmp, "phone")
    os.mkdir(root)
    shutil.copy(COFFEE, os.path.join(root, "a.png"))
    with open(COFFEE, "rb") as f:
        data = f.read()
    with open(os.path.join(root, "b.png"), "wb") as f:
        f.write(data + b"HIFAZAT-DECODER-TEST:crash")
    shutil.copy(COFFEE, os.path.join(root, "c.png"))
    shutil.copy(COFFEE, os.path.join(tmp, "outside.png"))
    os.symlink("../outside.png", os.path.join(root, "d-escape.png"))
    os.symlink("a.png", os.path.join(root, "e-inside.png"))

    rc, rows, err = hash_files(root)
    by = {os.path.basename(r["path"]): r for r in rows}
    check(rc == 1, f"exit status {rc}, want 1 (some files failed): {err}")
    check(sorted(by) == ["a.png", "b.png", "c.png", "d-escape.png", "e-inside.png"], f"rows: {sorted(by)}")
    b = by.get("b.png", {})
    check(b.get("error") == "corrupt_image", f"crasher: {b}")
    # SIGSEGV (under the sanitizers: SIGSYS, their crash handler meets the filter)
    check("the decoder died of SIG" in b.get("detail", ""), f"crasher's detail names the signal: {b}")
    check(b.get("md5") and b.get("sha256"), f"crasher keeps its exact hashes: {b}")
    a = by.get("a.png", {})
    pdq = a.get("pdq")
    check(pdq and "error" not in a, f"a.png: {a}")
    for name in ("c.png", "e-inside.png"):
        r = by.get(name, {})
        check("error" not in r and r.get("pdq") == pdq, f"{name} after the crash: {r}")
    d = by.get("d-escape.png", {})
    check(d.get("error") == "permission_denied" and "outside" in d.get("detail", ""),
          f"symlink out of the folder: {d}")
# FFmpeg's codec whitelist: a video FFmpeg could decode, in an allowed
# container, with a codec no phone records (FFV1 in Matroska) is refused
# before any decoder for it is opened; H.264 in MP4 still hashes.
with tempfile.TemporaryDirectory() as tmp:
    def ffmpeg(*args):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5",
                        "-t", "2", *args], check=True, capture_output=True)
    ffv1, h264 = os.path.join(tmp, "ffv1.mkv"), os.path.join(tmp, "h264.mp4")
    ffmpeg("-c:v", "ffv1", ffv1)
    ffmpeg("-c:v", "libx264", "-pix_fmt", "yuv420p", h264)
    rc, rows, err = hash_files(ffv1, h264)
    by = {os.path.basename(r["path"]): r for r in rows}
    f = by.get("ffv1.mkv", {})
    check(f.get("error") == "unsupported_video" and "not allowed" in f.get("detail", ""),
          f"FFV1 refused by the codec whitelist: {f}")
    h = by.get("h264.mp4", {})
    check("error" not in h and h.get("vpdq"), f"H.264 hashes: {h}")
done()
