#!/usr/bin/env python3
"""`hifazat upload` against a real nginx on 127.0.0.1 (started here, with a
TLS CA made here). Cases: several archives; the server down, then up; the
connection cut mid-transfer; 500 / 507 / 403; a wrong certificate and a
wrong pin; basic auth from a private config file; the helpline opening
the spool gives back exactly the queued hashes; and its signed status
archive, fetched by GET, deletes the confirmed reports (a tampered one
changes nothing). Only loopback is contacted."""
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import fixture  # noqa: E402

BIN = os.path.join(os.environ.get("HIFAZAT_BIN", "build/kiosk"), "hifazat")
SHARED = os.environ.get("HIFAZAT_SHARED", "../shared")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def run(*args, timeout=300, env=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **env) if env else None)
    return p.returncode, p.stdout, p.stderr


def summary(out):
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Kiosk:
    """A kiosk data dir with its config, and the helpline's keys."""

    def __init__(self, root, url, ca, extra="", signing=False):
        self.root = root
        self.signing = signing
        self.pins = {}
        self.data = os.path.join(root, "data")
        self.conf = os.path.join(root, "kiosk.conf")
        os.makedirs(self.data)
        self.write_conf(url, ca, extra)
        self.opts = ["--config", self.conf]

    def write_conf(self, url, ca, extra="", mode=0o600):
        with open(self.conf, "w") as f:
            sign = f"helpline_signing_key = {HL}/helpline-sign.pub\n" if self.signing else ""
            f.write(f"[kiosk]\ndata_dir = {self.data}\nhelpline_key = {HL}/helpline.pub\n{sign}"
                    f"[queue]\nmax_per_archive = 2\n[upload]\nurl = {url}\nca_file = {ca}\n{extra}")
        os.chmod(self.conf, mode)

    def queue(self, jsonl, n):
        codes = []
        for _ in range(n):
            rc, out, err = run("queue", "add", "--from", jsonl, "--route", "adult", "--reporter", "self",
                               "--json", *self.opts)
            check(rc == 0, f"queue add: {err}")
            codes.append(json.loads(out)["case_code"])
            self.pins[codes[-1]] = json.loads(out)["pin"]
        return codes

    def status(self):
        rc, out, err = run("queue", "status", "--json", *self.opts)
        st = json.loads(out)
        return {k: st[k]["reports"] for k in ("pending", "exported", "uploaded")}

    def upload(self, *args, budget="4", env=None):
        return run("upload", "-q", "--budget", budget, "--retry-base", "0.2", *self.opts, *args, env=env)

    def export(self):
        """Exports the pending reports into the upload spool; the archives' paths."""
        spool = os.path.join(self.data, "outbox")
        os.makedirs(spool, exist_ok=True)
        rc, out, err = run("export", "--to", spool, *self.opts)
        check(rc == 0, f"export: {err}")
        return sorted(os.path.join(spool, n) for n in os.listdir(spool) if n.endswith(".tar"))


def open_spool(spool, outdir):
    archives = sorted(os.path.join(spool, n) for n in os.listdir(spool) if n.endswith(".tar"))
    # the helpline registers every kiosk of this test by its public key
    kiosks = os.path.join(outdir, "kiosks.txt")
    with open(kiosks, "w") as f:
        for top, _, names in os.walk(outdir):
            if "kiosk.key" in names:
                with open(os.path.join(top, "kiosk.key")) as kf:
                    f.write(f"{json.load(kf)['public_key']} {os.path.relpath(top, outdir)}\n")
    rc, out, err = run("open", *archives, "--key", f"{HL}/helpline.key", "--passphrase-file", PASS,
                       "--kiosks", kiosks, "--jsonl", os.path.join(outdir, "opened.jsonl"))
    check(rc == 0, f"open the spool: {err}")
    with open(os.path.join(outdir, "opened.jsonl")) as f:
        return [json.loads(l) for l in f]


def main():
    global HL, PASS
    root = fixture.tempdir("upload")
    try:
        HL = os.path.join(root, "hl")
        PASS = os.path.join(root, "pass")
        with open(PASS, "w") as f:
            f.write("a long helpline passphrase\n")
        rc, _, err = run("keygen", "--out", HL, "--passphrase-file", PASS, "--kdf", "interactive")
        check(rc == 0, f"keygen: {err}")
        rc, out, err = run("hash", "-q", os.path.join(SHARED, "pdq/images/repo/bridge-mods"),
                           os.path.join(SHARED, "vpdq/videos/chair-19-sd-bar.mp4"))
        jsonl = os.path.join(root, "hashes.jsonl")
        with open(jsonl, "w") as f:
            f.write(out)
        hashed = [json.loads(l) for l in out.splitlines()]

        good = fixture.make_ca(os.path.join(root, "ca-good"), "good")
        evil = fixture.make_ca(os.path.join(root, "ca-evil"), "evil")
        nginx = fixture.Nginx(os.path.join(root, "nginx"), good)
        try:
            cases(root, nginx, good, evil, jsonl, hashed)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print("all upload checks passed")


def cases(root, nginx, good, evil, jsonl, hashed):
    k = Kiosk(os.path.join(root, "k1"), nginx.url(), good["ca"], signing=True)

    # 1. The server is down: nothing is marked uploaded, exit 1 with a reason.
    codes = k.queue(jsonl, 5)
    rc, out, err = k.upload()
    s = summary(out)
    check(rc == 1 and s.get("left", 0) >= 1 and "reason" in s, f"server down: exit {rc} {s} {err}")
    st = k.status()
    check(st["uploaded"] == 0 and st["pending"] + st["exported"] == 5, f"server down: nothing marked: {st}")
    spool = os.path.join(k.data, "outbox")
    local = {n: sha(os.path.join(spool, n)) for n in os.listdir(spool)}
    check(len(local) == 3, f"5 reports exported into 3 archives of at most 2: {sorted(local)}")

    # 2. The server comes up: everything goes, byte for byte, and is acknowledged.
    nginx.start()
    rc, out, err = k.upload()
    s = summary(out)
    check(rc == 0 and s.get("sent") == 3 and s.get("left") == 0 and s.get("reports_uploaded") == 5,
          f"server up: {rc} {s} {err}")
    check(s.get("status_archive") == "absent", f"no status archive on the server yet: fine: {s}")
    remote = {n: sha(os.path.join(nginx.spool, n)) for n in os.listdir(nginx.spool)}
    check(remote == local, f"server spool byte-identical to the archives: {remote} vs {local}")
    check(k.status() == {"pending": 0, "exported": 0, "uploaded": 5}, f"all uploaded: {k.status()}")
    # The User-Agent names the release (version.h), never a "dev" fallback.
    rc, out, _ = run("--version")
    ua = "hifazat/" + out.split()[1] if rc == 0 and len(out.split()) > 1 else "?"
    with open(os.path.join(nginx.root, "access.log")) as f:
        puts = [l for l in f if '"PUT /drop/' in l]
    check(ua != "hifazat/dev" and puts and all(f'"{ua}"' in l for l in puts),
          f"every PUT says User-Agent {ua}: {puts[:1]}")
    check(not [n for n in os.listdir(spool) if n.endswith(".tar")], "sent archives leave the kiosk spool")
    rc, out, err = k.upload()
    check(rc == 0 and summary(out).get("archives") == 0, f"nothing left: a second run is a no-op: {out}")

    # 3. The helpline opens the spool: exactly the queued hashes.
    opened = open_spool(nginx.spool, root)
    check(sorted(r["case_code"] for r in opened) == sorted(codes), "every queued report arrived once")
    want = set()
    for h in hashed:
        v = h["kind"] == "video"
        want.add(("video_md5" if v else "md5", h["md5"]))
        want.add(("video_sha1" if v else "sha1", h["sha1"]))
        want.add(("video_sha256" if v else "sha256", h["sha256"]))
        if "pdq" in h:
            want.add(("pdq", h["pdq"]))
    for r in opened:
        got = {(sg["type"], sg["value"]) for i in r["items"] for sg in i["signals"]
               if sg["type"] != "vpdq" and not sg.get("variant")}
        check(got == want, f"report {r['case_code']}: hashes differ: {sorted(got ^ want)[:4]}")

    # 3b. The helpline's signed status archive in the drop box: `upload` fetches
    # it by GET; a tampered one changes nothing, the real one deletes the
    # confirmed reports from the stick and the case status says received.
    receipts_dir = os.path.join(root, "receipts")
    rc, out, err = run("receipts", os.path.join(root, "opened.jsonl"), "--key", f"{HL}/helpline.key",
                       "--passphrase-file", PASS, "--out", receipts_dir)
    check(rc == 0, f"receipts: {err}")
    with open(os.path.join(receipts_dir, "hifazat-status.json")) as f:
        real = f.read()
    tampered = json.loads(real)
    tampered["body"] = tampered["body"][:-8] + ("A" if tampered["body"][-8] != "A" else "B") + tampered["body"][-7:]
    status_path = os.path.join(nginx.spool, "hifazat-status.json")
    with open(status_path, "w") as f:
        json.dump(tampered, f)
    log = os.path.join(nginx.root, "access.log")
    rc, out, err = k.upload()
    s = summary(out)
    check(rc == 1 and s.get("status_archive") == "signature" and "nothing was changed" in err,
          f"a tampered status archive is refused: {rc} {s} {err}")
    check(k.status() == {"pending": 0, "exported": 0, "uploaded": 5}, "tampered: nothing deleted")
    with open(status_path, "w") as f:
        f.write(real)
    rc, out, err = k.upload()
    s = summary(out)
    check(rc == 0 and s.get("status_archive") == "ok" and s.get("reports_confirmed") == 5,
          f"the status archive by GET: {rc} {s} {err}")
    with open(log) as f:
        check(any("GET /drop/hifazat-status.json" in l for l in f), "fetched by GET from the drop box")
    check(k.status() == {"pending": 0, "exported": 0, "uploaded": 0},
          f"the confirmed reports left the stick: {k.status()}")
    rc, out, err = run("case", "status", "--code", codes[0], "--pin", k.pins[codes[0]], "--json",
                       *k.opts)
    check(rc == 0 and json.loads(out).get("status") == "received", f"case status: {out} {err}")
    rc, out, err = k.upload()
    check(rc == 0 and summary(out).get("status_archive") == "already", f"the same archive again: {out}")
    os.remove(status_path)

    # 4. The connection is cut in the middle of a transfer: retried, no duplicate.
    k2 = Kiosk(os.path.join(root, "k2"), nginx.url(), good["ca"])
    k2.queue(jsonl, 2)   # one archive of 2 reports (tens of KB)
    proxy = fixture.CuttingProxy(nginx.port, after=20000, cuts=1)
    k2.write_conf(nginx.url(port=proxy.port), good["ca"])
    before = set(os.listdir(nginx.spool))
    rc, out, err = k2.upload(budget="30")
    s = summary(out)
    check(proxy.cut_count == 1, "the proxy cut a connection")
    check(rc == 0 and s.get("sent") == 1, f"cut mid-transfer, retried: {rc} {s} {err}")
    new = set(os.listdir(nginx.spool)) - before
    check(len(new) == 1 and all(n.endswith(".tar") for n in new), f"one new archive, no partial file: {new}")
    check(k2.status()["uploaded"] == 2, "cut: reports uploaded after the retry")
    # ...and cut every time within the budget: nothing marked, the next run completes it.
    k3 = Kiosk(os.path.join(root, "k3"), nginx.url(), good["ca"])
    k3.queue(jsonl, 2)
    proxy2 = fixture.CuttingProxy(nginx.port, after=20000, cuts=1000)
    k3.write_conf(nginx.url(port=proxy2.port), good["ca"])
    rc, out, err = k3.upload(budget="2")
    check(rc == 1 and k3.status()["uploaded"] == 0, f"always cut: exit 1, nothing marked: {rc} {k3.status()}")
    check(not [n for n in os.listdir(nginx.spool) if n not in before | new], "always cut: nothing on the server")
    k3.write_conf(nginx.url(), good["ca"])
    rc, out, err = k3.upload()
    check(rc == 0 and k3.status()["uploaded"] == 2, f"next run completes: {rc} {err}")
    proxy.close()
    proxy2.close()

    # 5. Server answers: 500 is retried, 507 and 403 stop at once.
    for path, words, retried in (("fail500", "HTTP 500", True), ("full", "out of storage", False),
                                 ("forbidden", "refused access", False)):
        kk = Kiosk(os.path.join(root, "k-" + path), nginx.url(path), good["ca"])
        kk.queue(jsonl, 1)
        rc, out, err = kk.upload(budget="3")
        s = summary(out)
        check(rc == 1 and words in s.get("reason", ""), f"{path}: {rc} {s}")
        tries = [int(x.split()[0]) for x in err.replace("(", " ").split("after ")[1:] if x.split()[0].isdigit()]
        check(bool(tries and tries[0] > 1) == retried, f"{path}: retried={retried}, got {err.strip()}")
        check(kk.status()["uploaded"] == 0, f"{path}: nothing marked uploaded")

    # 6. Wrong certificate, wrong pin: refused before anything is sent.
    log = os.path.join(nginx.root, "access.log")
    size0 = os.path.getsize(log)
    kw = Kiosk(os.path.join(root, "k-evil"), nginx.url(), evil["ca"])
    kw.queue(jsonl, 1)
    rc, out, err = kw.upload()
    check(rc == 1 and "identity was refused" in summary(out).get("reason", ""), f"wrong CA: {rc} {out}")
    rc, out, err = kw.upload("--ca-file", good["ca"], "--pin", evil["pin"])
    check(rc == 1 and "identity was refused" in summary(out).get("reason", ""), f"wrong pin: {rc} {out}")
    check(os.path.getsize(log) == size0, "no HTTP request reached the server with a bad identity")
    rc, out, err = kw.upload("--ca-file", good["ca"], "--pin", good["pin"])
    check(rc == 0 and kw.status()["uploaded"] == 1, f"right CA and pin: {rc} {err}")

    # 7. Configuration errors: plain http, credentials in a readable file.
    rc, out, err = kw.upload("--url", f"http://127.0.0.1:{nginx.port}/drop/")
    check(rc == 2 and "https://" in err, f"http:// refused: {rc} {err}")
    ka = Kiosk(os.path.join(root, "k-auth"), nginx.url("auth"), good["ca"])
    ka.queue(jsonl, 1)
    rc, out, err = ka.upload()
    check(rc == 1 and "refused access" in summary(out).get("reason", ""), f"no credentials: 401: {rc} {out}")
    creds = f"username = {nginx.user}\npassword = {nginx.password}\n"
    ka.write_conf(nginx.url("auth"), good["ca"], creds, mode=0o644)
    rc, out, err = ka.upload()
    check(rc == 2 and "chmod 600" in err, f"credentials in a readable file: {rc} {err}")
    ka.write_conf(nginx.url("auth"), good["ca"], creds, mode=0o600)
    rc, out, err = ka.upload()
    check(rc == 0 and ka.status()["uploaded"] == 1, f"basic auth: {rc} {err}")
    check(nginx.password not in out + err, "the password never appears in output")

    # 8. Servers that misbehave: never counted as delivered unless our bytes are there.
    # A HEAD that says "there, same size" for a file the server does not have.
    kl = Kiosk(os.path.join(root, "k-lying"), nginx.url("lying"), good["ca"])
    kl.queue(jsonl, 1)
    arch = kl.export()
    with open(os.path.join(nginx.root, "www/decoy.tar"), "wb") as f:
        f.write(os.urandom(os.path.getsize(arch[0])))
    rc, out, err = kl.upload()
    check(rc == 1 and kl.status()["uploaded"] == 0,
          f"a lying HEAD (same size, other bytes): nothing marked uploaded: {rc} {kl.status()} {out}")
    check("different file" in summary(out).get("reason", ""), f"lying HEAD: the reason: {out}")
    os.remove(os.path.join(nginx.root, "www/decoy.tar"))
    rc, out, err = kl.upload(budget="2")
    check(rc == 1 and kl.status()["uploaded"] == 0,
          f"a server that answers 201 to PUT and keeps nothing: nothing marked: {rc} {kl.status()} {out}")
    # Redirects, on every request or only on PUT: refused, never followed.
    for path in ("moved", "putmoved"):
        km = Kiosk(os.path.join(root, "k-" + path), nginx.url(path), good["ca"])
        km.queue(jsonl, 1)
        before = set(os.listdir(nginx.spool))
        rc, out, err = km.upload()
        check(rc == 1 and km.status()["uploaded"] == 0 and "HTTP 30" in summary(out).get("reason", ""),
              f"{path}: a redirect is refused: {rc} {km.status()} {out}")
        check(set(os.listdir(nginx.spool)) == before, f"{path}: the redirect was not followed")
    # nginx's PUT ignores If-None-Match: a different file under the archive's
    # name must not be replaced (nor counted as ours).
    ki = Kiosk(os.path.join(root, "k-inm"), nginx.url(), good["ca"])
    ki.queue(jsonl, 1)
    arch = ki.export()
    theirs = os.path.join(nginx.spool, os.path.basename(arch[0]))
    with open(theirs, "wb") as f:
        f.write(b"someone else's archive\n")
    rc, out, err = ki.upload()
    check(open(theirs, "rb").read() == b"someone else's archive\n",
          "a different file under the same name is not overwritten")
    check(rc == 1 and ki.status()["uploaded"] == 0 and "different file" in summary(out).get("reason", ""),
          f"...and nothing is marked uploaded: {rc} {ki.status()} {out}")
    # TLS 1.1 only, even where the system's OpenSSL would allow it: refused.
    old = fixture.OldTLS(os.path.join(root, "oldtls"), good)
    try:
        kt = Kiosk(os.path.join(root, "k-tls11"), old.url(), good["ca"])
        kt.queue(jsonl, 1)
        rc, out, err = kt.upload(budget="2", env=old.env)
        check(rc == 1 and kt.status()["uploaded"] == 0 and "protocol version" in summary(out).get("reason", ""),
              f"a TLS 1.1 server is refused: {rc} {out} {err}")
    finally:
        old.stop()

    # 9. The shipped layout: a 0644 main file without credentials names a site
    # file that holds them (0640, the kiosk's own group, as on the image): the
    # check looks only at the file that holds them. Readable by everyone or by
    # another group: refused. (As root, like CI: a kiosk user may not own its
    # site file, see config.h.)
    if os.geteuid() == 0:
        ks = Kiosk(os.path.join(root, "k-site"), nginx.url("auth"), good["ca"])
        site = os.path.join(ks.root, "site.conf")
        with open(site, "w") as f:
            f.write(f"[upload]\n{creds}")
        with open(ks.conf, "a") as f:
            f.write("[kiosk]\nsite_config = site.conf\n")
        os.chmod(ks.conf, 0o644)
        os.chown(site, -1, os.getegid())
        os.chmod(site, 0o640)
        ks.queue(jsonl, 1)
        rc, out, err = ks.upload()
        check(rc == 0 and ks.status()["uploaded"] == 1,
              f"credentials in the 0640 site file, a 0644 main file: {rc} {err}")
        ks.queue(jsonl, 1)
        os.chmod(site, 0o644)
        rc, out, err = ks.upload()
        check(rc == 2 and "site.conf" in err and "others can read" in err,
              f"credentials in a world-readable site file: {rc} {err}")
        os.chmod(site, 0o640)
        os.chown(site, -1, 65534)
        rc, out, err = ks.upload()
        check(rc == 2 and "site.conf" in err and ks.status()["uploaded"] == 1,
              f"credentials readable by another group: {rc} {err}")


if __name__ == "__main__":
    main()
