#!/usr/bin/env python3
"""`hifazat hash` end to end: every format phones produce, detected by
content; exact digests; EXIF orientation; bad input on purpose (each with its
error code, exit status 1, digests kept where the file was readable); usage
errors (exit 2); and the inputs are never modified or added to."""
import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from hashcli import SHARED, check, distance, done, hash_files, run  # noqa: E402

COFFEE = os.path.join(SHARED, "pdq/images/generated/gen_coffee_half.png")  # 300x200 RGB
Q30 = os.path.join(SHARED, "pdq/images/generated/gen_coffee_q30.jpg")


def im(*args):
    subprocess.run(["convert", *args], check=True, capture_output=True)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, capture_output=True)


def digests(path):
    md5, sha1, sha = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            md5.update(block)
            sha1.update(block)
            sha.update(block)
    return md5.hexdigest(), sha1.hexdigest(), sha.hexdigest()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_sof(data):
    """Offset of the frame header (SOF0/1/2) marker, walking the segments."""
    pos = 2
    while pos + 4 <= len(data):
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            return pos
        pos += 2 + length
    raise ValueError("no SOF")


def snapshot(root, atime=True):
    """Everything about the inputs that must not change (atime too, where
    O_NOATIME is permitted: when the files are ours)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            entry = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_atime_ns if atime else 0)
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o444:
                fd = os.open(p, os.O_RDONLY | os.O_NOATIME)  # looking must not touch either
                with os.fdopen(fd, "rb") as f:
                    entry += (hashlib.sha256(f.read()).hexdigest(),)
            out[p] = entry
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="hifazat-cli-")
    try:
        formats(tmp)
        orientation(tmp)
        videos(tmp)
        bad_input(tmp)
        usage()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done()


def formats(tmp):
    d = os.path.join(tmp, "formats")
    os.mkdir(d)
    ref = os.path.join(d, "ref.png")
    shutil.copy(COFFEE, ref)
    # name -> (convert args, expected format, max distance to the PNG's hash)
    cases = {
        "a.bmp": ([], "bmp", 0),
        "bmp3.bmp": (["-define", "bmp:format=bmp3"], "bmp", 0),
        "bmp32.bmp": (["-alpha", "set", "-define", "bmp:format=bmp4"], "bmp", 0),
        "pal.bmp": (["-colors", "200", "-type", "Palette", "BMP3:"], "bmp", 16),
        "lossless.webp": (["-define", "webp:lossless=true"], "webp", 0),
        "lossy.webp": (["-quality", "90"], "webp", 16),
        "alpha.webp": (["-alpha", "set", "-define", "webp:lossless=true", "-define", "webp:exact=true"], "webp", 0),
        "pic.heic": (["-quality", "90"], "heif", 16),
        "pic.avif": (["-quality", "90"], "heif", 16),
        "first.gif": ([], "gif", 24),
        "interlaced.png": (["-interlace", "PNG"], "png", 0),
        "rgb16.png": (["-depth", "16", "PNG48:"], "png", 0),
        "rgba.png": (["-alpha", "set", "PNG32:"], "png", 0),
        "palette.png": (["-colors", "256", "PNG8:"], "png", 16),
        "grey.png": (["-colorspace", "Gray"], "png", None),
        "progressive.jpg": (["-interlace", "JPEG", "-quality", "95"], "jpeg", 12),
        "cmyk.jpg": (["-colorspace", "CMYK", "-quality", "95"], "jpeg", 12),
        "grey.jpg": (["-colorspace", "Gray"], "jpeg", None),
        # Named like something else: content decides.
        "looks-like-a.txt": (["PNG:"], "png", 0),
        "photo.jpg.png": (["-quality", "95", "JPEG:"], "jpeg", 12),
    }
    for name, (args, _, _) in cases.items():
        out = os.path.join(d, name)
        extra = [a for a in args if not a.endswith(":")]
        prefix = "".join(a for a in args if a.endswith(":"))
        im(COFFEE, *extra, prefix + out)
    # An animated GIF: the first frame is what gets hashed.
    im(COFFEE, "(", COFFEE, "-negate", ")", os.path.join(d, "anim.gif"))
    cases["anim.gif"] = ([], "gif", 24)

    before = snapshot(d)
    code, rows, _ = hash_files(d)
    after = snapshot(d)
    check(before == after, "formats: inputs changed (content, times, or new files)")
    check(code == 0, f"formats: exit {code}")
    by = {os.path.basename(r["path"]): r for r in rows}
    refhash = by["ref.png"]["pdq"]
    for name, (_, fmt, bound) in cases.items():
        r = by.get(name)
        check(r is not None, f"{name}: no output")
        if not r:
            continue
        check("error" not in r, f"{name}: {r.get('error')} {r.get('detail')}")
        check(r.get("kind") == "image" and r.get("format") == fmt, f"{name}: kind/format {r.get('kind')}/{r.get('format')}")
        check((r.get("md5"), r.get("sha1"), r.get("sha256")) == digests(os.path.join(d, name)), f"{name}: digests differ from hashlib")
        check(r.get("width") == 300 and r.get("height") == 200, f"{name}: size {r.get('width')}x{r.get('height')}")
        if bound is not None and "pdq" in r:
            dist = distance(r["pdq"], refhash)
            check(dist <= bound, f"{name}: distance {dist} to the PNG > {bound}")
    # Grey versions: the grey path; both decoders agree with each other.
    check(distance(by["grey.png"]["pdq"], by["grey.jpg"]["pdq"]) <= 12, "grey png vs jpg")
    check(by["anim.gif"]["pdq"] == by["first.gif"]["pdq"], "animated GIF: not the first frame")
    # --dihedral: 8 hashes, the first is pdq itself.
    code, rows, _ = hash_files(ref, opts=("--dihedral",))
    dih = rows[0].get("pdq_dihedral", [])
    check(len(dih) == 8 and dih[0] == rows[0]["pdq"], "--dihedral output")


def orientation(tmp):
    d = os.path.join(tmp, "orient")
    os.mkdir(d)
    # Same pixels as Q30, EXIF orientation 6 (made with exiftool, see GENERATE.sh).
    tagged = os.path.join(SHARED, "pdq/images/generated/gen_coffee_q30_exif6.jpg")
    rotated = os.path.join(d, "rotated.png")
    im(Q30, "-rotate", "90", rotated)             # what a viewer shows
    code, rows, _ = hash_files(Q30, tagged, rotated)
    plain, tag, rot = rows
    check(code == 0, "orientation: exit code")
    check(tag.get("orientation") == 6, f"orientation tag read: {tag.get('orientation')}")
    check(tag["pdq"] == plain["pdq"], "stored pixels must hash as the reference (EXIF ignored)")
    check("pdq_displayed" in tag and distance(tag["pdq_displayed"], rot["pdq"]) <= 8,
          f"displayed hash vs rotated file: {distance(tag.get('pdq_displayed', '0' * 64), rot['pdq'])}")
    check("pdq_displayed" not in plain and "orientation" not in plain, "untagged has no displayed variant")
    code, rows, _ = hash_files(tagged, opts=("--no-displayed",))
    check("pdq_displayed" not in rows[0], "--no-displayed")
    # Full-resolution variant: only printed when it differs.
    big = os.path.join(SHARED, "pdq/images/generated/gen_1mp.jpg")
    code, rows, _ = hash_files(big)
    check("pdq_full" in rows[0] and distance(rows[0]["pdq_full"], rows[0]["pdq"]) > 0, "pdq_full for a 1 MP photo")
    code, rows, _ = hash_files(big, opts=("--no-full",))
    check("pdq_full" not in rows[0], "--no-full")


def videos(tmp):
    d = os.path.join(tmp, "videos")
    os.mkdir(d)
    src = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1"]
    made = {
        "clip.mp4": ("mp4", []),
        "clip.mov": ("mov", []),
        "clip.3gp": ("3gp", ["-c:v", "h263", "-s", "176x144"]),
        "clip.mkv": ("mkv", []),
        "clip.webm": ("webm", ["-c:v", "libvpx"]),
        "clip.avi": ("avi", ["-c:v", "mpeg4"]),
        "renamed.jpg": ("mp4", ["-f", "mp4"]),
    }
    for name, (_, args) in made.items():
        ffmpeg(*src, *args, os.path.join(d, name))
    # A voice note shares the MP4 box but is audio: not a video.
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", os.path.join(d, "voice.m4a"))
    code, rows, _ = hash_files(d)
    by = {os.path.basename(r["path"]): r for r in rows}
    check(by.get("voice.m4a", {}).get("error") == "unknown_type", f"voice note: {by.get('voice.m4a')}")
    for name, (fmt, _) in made.items():
        r = by.get(name, {})
        check(r.get("kind") == "video" and r.get("format") == fmt, f"{name}: {r.get('kind')}/{r.get('format')}")
        check((r.get("md5"), r.get("sha1"), r.get("sha256")) == digests(os.path.join(d, name)), f"{name}: digests")
        check(len(r.get("vpdq", [])) == 1 and "error" not in r, f"{name}: vpdq {r.get('vpdq')} {r.get('detail')}")
    # Over 4 GiB (sparse, after an MP4 header): exact size and digests, even
    # though there is no video in it to fingerprint.
    big = os.path.join(d, "big.mp4")
    with open(big, "wb") as f:
        f.write(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom")
        f.truncate((4 << 30) + 12345)
    code, rows, _ = hash_files(big, timeout=600)
    r = rows[0]
    check(code == 1 and r.get("size") == (4 << 30) + 12345 and r.get("error") == "corrupt_video",
          f"4 GiB file: {r}")
    check((r.get("md5"), r.get("sha1"), r.get("sha256")) == digests(big), "4 GiB file: digests")
    os.unlink(big)


def bad_input(tmp):
    d = os.path.join(tmp, "bad")
    os.mkdir(d)
    src_jpg = os.path.join(SHARED, "pdq/images/generated/gen_1mp.jpg")
    src_png = os.path.join(SHARED, "pdq/images/generated/gen_1mp.png")
    expect = {}

    open(os.path.join(d, "empty.jpg"), "wb").close()
    expect["empty.jpg"] = "empty_file"
    for name, src in (("truncated.jpg", src_jpg), ("truncated.png", src_png)):
        with open(src, "rb") as f:
            data = f.read()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data[: len(data) // 2])
        expect[name] = "corrupt_image"
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    with open(os.path.join(d, "huge.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 100)) + png_chunk(b"IEND", b""))
    expect["huge.png"] = "image_too_large"
    # A JPEG whose frame header claims 65000x65000.
    with open(src_jpg, "rb") as f:
        data = bytearray(f.read())
    sof = jpeg_sof(data)
    data[sof + 5:sof + 9] = struct.pack(">HH", 65000, 65000)
    with open(os.path.join(d, "huge.jpg"), "wb") as f:
        f.write(data)
    expect["huge.jpg"] = "image_too_large"
    with open(os.path.join(d, "notes.jpg"), "w") as f:
        f.write("this is a text file, not a photo\n")
    expect["notes.jpg"] = "unknown_type"
    with open(os.path.join(d, "garbage.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + os.urandom(5000))
    expect["garbage.png"] = "corrupt_image"
    os.mkfifo(os.path.join(d, "pipe.jpg"))
    expect["pipe.jpg"] = "not_regular_file"
    os.mkdir(os.path.join(d, "loop"))
    os.symlink("..", os.path.join(d, "loop", "back"))
    os.symlink("nowhere.jpg", os.path.join(d, "dangling.jpg"))
    expect["dangling.jpg"] = "not_found"
    secret = os.path.join(d, "private.jpg")
    shutil.copy(src_jpg, secret)
    os.chmod(secret, 0o000)

    if os.geteuid() == 0:
        # root reads anything: drop to nobody so that permissions apply.
        os.chmod(tmp, 0o755)
        os.chmod(d, 0o755)
        for dirpath, dirnames, _ in os.walk(d):
            for n in dirnames:
                os.chmod(os.path.join(dirpath, n), 0o755)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        cmd = []
    # Not our files when run as nobody: O_NOATIME is not permitted there.
    before = snapshot(d, atime=not cmd)
    from hashcli import BIN
    p = subprocess.run(cmd + [BIN, "hash", "-q", d], capture_output=True, text=True, timeout=60)
    import json
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    by = {os.path.relpath(r["path"], d): r for r in rows}
    expect["private.jpg"] = "permission_denied"
    check(p.returncode == 1, f"bad input: exit {p.returncode}, want 1")
    for name, code in expect.items():
        r = by.get(name, {})
        check(r.get("error") == code, f"{name}: error {r.get('error')}, want {code}")
        check(bool(r.get("message")), f"{name}: no message")
    for name in ("truncated.jpg", "truncated.png", "notes.jpg", "huge.png", "garbage.png"):
        r = by.get(name, {})
        check((r.get("md5"), r.get("sha1"), r.get("sha256")) == digests(os.path.join(d, name)), f"{name}: digests kept")
    loops = [r for k, r in by.items() if k.startswith("loop/")]
    check(any(r.get("error") == "directory_loop" for r in loops), f"symlink loop: {loops}")
    check(len(rows) < 50, "walk did not stop at the loop")
    after = snapshot(d, atime=not cmd)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    check(not changed, f"inputs changed (content, size, times or new files): {changed}")


def usage():
    for args, want in ((["hash"], 2), (["hash", "--bogus", "x"], 2), (["hash", "--max-pixels", "abc", "x"], 2),
                       (["frobnicate"], 2), ([], 2), (["hash", "--help"], 0), (["--help"], 0)):
        p = run(*args)
        check(p.returncode == want, f"hifazat {' '.join(args)}: exit {p.returncode}, want {want}")
        if want == 2:
            check(p.stderr.strip() != "", f"hifazat {' '.join(args)}: no message on stderr")
    p = run("hash", "-q", "/nonexistent/photo.jpg")
    check(p.returncode == 1 and '"error":"not_found"' in p.stdout, "missing file: exit 1, not_found")


if __name__ == "__main__":
    main()
