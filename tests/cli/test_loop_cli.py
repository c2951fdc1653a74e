#!/usr/bin/env python3
"""The return path, through the hifazat CLI, with a courier folder: a kiosk
queues a report -> export -> the helpline opens it -> `receipts` -> the kiosk
imports the status archive -> the report is gone from the queue -> `case
status` says received -> `case withdraw` -> export -> `open` shows the
withdrawal -> `receipts` -> import -> `case status` says withdrawn.
Tampered, replayed (older sequence), wrong-key and stale archives are refused
and change nothing; a wrong code or PIN answers exactly as a case not known
here, and too many such lookups are limited."""
import base64
import hashlib
import json
import os
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


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def tree(*dirs):
    """Every file under dirs with its bytes' digest: "nothing changed"."""
    out = {}
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in names:
                p = os.path.join(root, n)
                with open(p, "rb") as f:
                    out[p] = hashlib.sha256(f.read()).hexdigest()
    return out


tmp = tempfile.mkdtemp(prefix="hifazat-loop-")
os.chdir(tmp)
with open("pass", "w") as f:
    f.write("a long helpline passphrase\n")
PASS = ["--passphrase-file", "pass"]

rc, out, err = run("keygen", "--out", "hl", *PASS, "--kdf", "interactive")
check(rc == 0 and os.path.exists("hl/helpline-sign.pub"), f"keygen makes the signing key: {err}")
check("signing key file:" in out, "keygen names the signing key file")
rc, out, err = run("keygen", "--out", "other", *PASS, "--kdf", "interactive")
check(rc == 0, "another helpline's keys")
key = json.load(open("hl/helpline.key"))
check({"sign_public_key", "sign_nonce", "sign_secretbox"} <= set(key), "secret file holds both keys")

# a key file from before the signing key still opens (reports), but cannot sign receipts
old = {k: v for k, v in key.items() if not k.startswith("sign_")}
os.makedirs("oldkey")
with open("oldkey/helpline.key", "w") as f:
    json.dump(old, f)
os.chmod("oldkey/helpline.key", 0o600)

rc, out, _ = run("hash", "-q", os.path.join(SHARED, "pdq/images/repo"))
with open("images.jsonl", "w") as f:
    f.write(out)
with open("image1.jsonl", "w") as f:  # the first case: one of the other case's pictures
    f.write(out.splitlines(keepends=True)[0])

KIOSK = ["--data-dir", "data", "--helpline-key", "hl/helpline.pub",
         "--helpline-signing-key", "hl/helpline-sign.pub"]
rc, out, err = run("queue", "add", "--from", "image1.jsonl", "--route", "adult", "--json", *KIOSK)
check(rc == 0, f"queue add: {err}")
case = json.loads(out)
CODE, PIN, RID = case["case_code"], case["pin"], case["report_id"]
rc, out, err = run("queue", "add", "--from", "images.jsonl", "--route", "under18", "--json", *KIOSK)
check(rc == 0, f"second report: {err}")
other = json.loads(out)

with open("reg.txt", "w") as f:
    f.write(f"{json.load(open('data/kiosk.key'))['public_key']} Test desk\n")


def queue_counts():
    rc, out, err = run("queue", "status", "--json", *KIOSK)
    st = json.loads(out)
    return {k: st[k]["reports"] for k in ("pending", "exported", "uploaded")}


def status(code=CODE, pin=PIN, data="data"):
    rc, out, err = run("case", "status", "--code", code, "--pin", pin, "--json",
                       "--data-dir", data, "--helpline-signing-key", "hl/helpline-sign.pub")
    return rc, (json.loads(out) if out.strip() else {}), err


def courier(stick):
    os.makedirs(stick, exist_ok=True)
    rc, out, err = run("export", "--to", stick, *KIOSK)
    check(rc == 0, f"export to {stick}: {err}")


def helpline_open(stick, name):
    rc, out, err = run("open", *[os.path.join(stick, n) for n in sorted(os.listdir(stick))
                                 if n.endswith(".tar")],
                       "--key", "hl/helpline.key", *PASS, "--kiosks", "reg.txt",
                       "--jsonl", name + ".jsonl", "--csv", name + ".csv")
    check(rc == 0, f"open {stick}: {err}")
    return [json.loads(l) for l in open(name + ".jsonl")], open(name + ".csv").read()


# before any receipt: the case is not known here, exactly like a wrong PIN
rc, st, _ = status()
check(rc == 1 and st == {"result": "not_known_here"}, f"unknown before receipts: {st}")

# --- 1. export, open, receipts, import
courier("stick1")
check(queue_counts() == {"pending": 0, "exported": 2, "uploaded": 0}, "exported")
records1, _ = helpline_open("stick1", "opened1")
check({r["report_id"] for r in records1} == {RID, other["report_id"]}, "the helpline has both")

# the helpline's staff mark the second report as sent on (by case code)
with open("staff.csv", "w") as f:
    f.write("key,status,reason,date\n")
    f.write(f"{other['case_code']},sent_to_take_it_down,,2026-01-05\n")
rc, out, err = run("open", *[os.path.join("stick1", n) for n in os.listdir("stick1") if n.endswith(".tar")],
                   "--key", "oldkey/helpline.key", *PASS, "--kiosks", "reg.txt", "--jsonl", "old.jsonl")
check(rc == 0 and len(open("old.jsonl").read().splitlines()) == 2, f"a key file from before receipts still opens reports: {err}")
rc, out, err = run("receipts", "opened1.jsonl", "--key", "oldkey/helpline.key", *PASS, "--out", "hlout")
check(rc == 2 and "signing key" in err, f"an old key file cannot sign receipts: {rc} {err}")
rc, out, err = run("receipts", "opened1.jsonl", "--status", "staff.csv", "--key", "hl/helpline.key",
                   *PASS, "--out", "hlout")
check(rc == 0 and "sequence 1" in out and "2 tags computed, 0 from" in out, f"receipts: {rc} {out} {err}")
# the tag cache: beside the archive, the helpline's staff only
TAGS = "hlout/hifazat-tags.private"
check(os.path.exists(TAGS) and os.stat(TAGS).st_mode & 0o777 == 0o600, "the tag cache is 0600")
tags1 = open(TAGS).read()
check(len(tags1.splitlines()) == 2 and RID in tags1 and CODE not in tags1 and PIN not in tags1,
      f"the tag cache maps report ids to tags: {tags1}")
archive1 = open("hlout/hifazat-status.json", "rb").read()
# nothing in it names a person or gives a case code or PIN in clear
text = archive1.decode()
body = base64.b64decode(json.loads(text)["body"]).decode()
for secret in (CODE, CODE.replace("-", ""), PIN, other["case_code"], other["pin"]):
    check(secret not in text and secret not in body, f"{secret!r} is not in the status archive")
doc = json.loads(body)
check(doc["sequence"] == 1 and len(doc["entries"]) == 2, f"archive body: {doc}")
check(all(set(e) <= {"report_id", "tag", "status", "reason", "date"} for e in doc["entries"]),
      "entries: id, tag, status, reason, date only")

shutil.copy("hlout/hifazat-status.json", "stick1/")
rc, out, err = run("receipts", "import", "stick1", "--json", *KIOSK)
res = json.loads(out) if out.strip() else {}
check(rc == 0 and res.get("result") == "ok" and res.get("removed") == 2, f"import: {out} {err}")
check(queue_counts() == {"pending": 0, "exported": 0, "uploaded": 0},
      f"the confirmed reports left the stick: {queue_counts()}")
rc, out, err = run("queue", "status", "--json", *KIOSK)
check(json.loads(out).get("status_archive", {}).get("sequence") == 1, f"queue status names the receipts: {out}")
for root, _, names in os.walk("data/queue"):
    check(not any(n.endswith(".hfz") for n in names), f"no sealed file left in {root}")
store = json.load(open("data/case-status.json"))
check(RID not in json.dumps(store) and CODE not in json.dumps(store) and PIN not in json.dumps(store),
      "the kiosk's status store holds tags, statuses and days only")

rc, st, _ = status()
check(rc == 0 and st.get("result") == "found" and st.get("status") == "received", f"received: {st}")
rc, st, _ = status(other["case_code"], other["pin"])
check(st.get("status") == "sent_to_take_it_down" and st.get("date") == "2026-01-05",
      f"the staff's status: {st}")
rc, out, err = run("case", "status", "--code", CODE, "--pin", PIN, *KIOSK)
check(rc == 0 and "received" in out and "helpline may know more" in out, f"plain words: {out}")
# spaces and Urdu digits are fine
urdu = "".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] if c.isdigit() else " " for c in CODE)
rc, st, _ = status(urdu)
check(st.get("status") == "received", f"typed in Urdu digits: {st}")

# importing the same archive again changes nothing and is fine
before = tree("data")
rc, out, err = run("receipts", "import", "stick1/hifazat-status.json", "--json", *KIOSK)
check(rc == 0 and json.loads(out)["result"] == "already", f"the same archive again: {out}")
check(tree("data") == before, "the same archive again changes nothing")

# --- 2. a wrong PIN: the same answer as not known here; then the rate limit
shutil.copytree("data", "data-limit")
wrong = f"{(int(PIN) + 1) % 1000000:06d}"
rc, st_wrong, _ = status(pin=wrong, data="data-limit")
rc2, st_unknown, _ = status(other["case_code"], wrong, data="data-limit")
check(st_wrong == {"result": "not_known_here"} and st_unknown == st_wrong and rc == rc2 == 1,
      f"wrong PIN = not known here: {st_wrong} {st_unknown}")
for _ in range(3):
    status(pin=wrong, data="data-limit")
rc, st, _ = status(data="data-limit")
check(rc == 1 and st.get("result") == "too_many_tries" and 0 < st.get("retry_after_seconds", 0) <= 900,
      f"after 5 misses even the right PIN waits: {st}")
rc, st, _ = status(pin=wrong, data="data-limit")
check(st.get("result") == "too_many_tries", "and a wrong one too")
rc, out, err = run("case", "withdraw", "--code", CODE, "--pin", PIN, "--json", "--data-dir", "data-limit",
                   "--helpline-key", "hl/helpline.pub")
check(json.loads(out).get("result") == "too_many_tries", f"withdraw is limited as well: {out}")
# a right lookup does not count
for _ in range(6):
    rc, st, _ = status()
check(st.get("status") == "received", f"right lookups are not limited: {st}")

# --- 3. withdraw, export, open, receipts, import
rc, out, err = run("case", "withdraw", "--code", CODE, "--pin", PIN, "--json", *KIOSK)
check(rc == 0 and json.loads(out).get("result") == "queued", f"withdraw: {out} {err}")
check(queue_counts()["pending"] == 1, "the withdrawal request is queued like a report")
# a withdrawal for a code this kiosk does not know is queued too (no oracle)
rc, out, err = run("case", "withdraw", "--code", "4820-7316-5912", "--pin", "123456", "--json", *KIOSK)
check(rc == 0 and json.loads(out).get("result") == "queued", f"unknown case withdraw: {out} {err}")
rc, out, err = run("case", "withdraw", "--code", "4820-7316-5913", "--pin", "123456", "--json", *KIOSK)
check(rc == 1 and json.loads(out).get("result") == "not_known_here", f"a code with a wrong check digit: {out}")
courier("stick2")
records2, csv2 = helpline_open("stick2", "opened2")
wd = [r for r in records2 if r.get("kind") == "withdrawal"]
check(len(wd) == 2 and {w["case_code"] for w in wd} == {CODE, "4820-7316-5912"},
      f"open shows the withdrawals: {wd}")
check(any(l.startswith(CODE + ",") and ",withdrawal," in l for l in csv2.splitlines()),
      f"the CSV names the withdrawal of that case: {csv2}")

# --- the bank: which entries to remove for the withdrawn case
def hma_open(archives, *extra):
    for n in ("hma.jsonl", "wd.jsonl"):
        if os.path.exists(n):
            os.remove(n)
    rc, out, err = run("open", *archives, "--key", "hl/helpline.key", *PASS, "--kiosks", "reg.txt",
                       "--jsonl", "/dev/null", "--hma", "hma.jsonl", "--hma-withdrawn", "wd.jsonl",
                       *extra)
    lines = lambda n: open(n).read().splitlines() if os.path.exists(n) else None
    return rc, err, lines("hma.jsonl"), lines("wd.jsonl")


tars1 = [os.path.join("stick1", n) for n in sorted(os.listdir("stick1")) if n.endswith(".tar")]
tars2 = [os.path.join("stick2", n) for n in sorted(os.listdir("stick2")) if n.endswith(".tar")]
rc, err, hma1, none = hma_open(tars1)
check(rc == 0 and len(hma1) > 1 and none == [] and "0 withdrawn reports listed" in err,
      f"reports without a withdrawal: nothing to remove: {rc} {none} {err}")
# The withdrawn case has one picture, the other case all of them: the
# withdrawn case's bodies are its picture's PDQ (and as displayed, if turned).
rec = next(json.loads(l) for l in open("opened1.jsonl") if json.loads(l)["report_id"] == RID)
sigs = {s.get("variant"): s["value"] for s in rec["items"][0]["signals"] if s["type"] == "pdq"}
own = [json.dumps({"pdq": sigs.get("full", sigs.get(None))}, separators=(",", ":"))]
if "displayed" in sigs:
    own.append(json.dumps({"pdq": sigs.get("displayed_full", sigs["displayed"])}, separators=(",", ":")))
rc, err, hma_same, wd_same = hma_open(tars1 + tars2)
check(rc == 0 and hma_same == hma1 and wd_same == own and set(own) < set(hma1),
      f"withdrawal with its report in the same run: its bodies as --hma wrote them, each once, "
      f"not the other case's: {wd_same} {err}")
check("1 withdrawn report listed" in err, f"one report (not the other case's) to remove: {err}")
for secret in (CODE, CODE.replace("-", ""), PIN, RID, other["report_id"]):
    check(secret not in "".join(wd_same), f"{secret!r} is not in the withdrawn bodies")
check(all(set(json.loads(l)) <= {"pdq", "video_md5", "vpdq", "video_sha256"} for l in wd_same),
      "nothing but signal types in the withdrawn bodies")
rc, err, _, wd_alone = hma_open(tars2)
check(rc == 0 and wd_alone == [] and "0 withdrawn" in err,
      f"the withdrawal without its report or records: nothing known to remove: {wd_alone} {err}")
rc, err, hma2, wd_rec = hma_open(tars2, "--records", "opened1.jsonl")
check(rc == 0 and hma2 == [] and wd_rec == wd_same and "1 withdrawn report listed" in err,
      f"withdrawal now, its report only in an earlier run's records: the same bodies: {wd_rec} {err}")
rc, err, _, wd_late = hma_open(tars1, "--records", "opened2.jsonl")
check(rc == 0 and wd_late == wd_same, f"report now, the withdrawal in earlier records: {wd_late} {err}")
rc, err, _, wd_again = hma_open(tars1, "--records", "opened1.jsonl", "--records", "opened2.jsonl")
check(rc == 0 and wd_again == wd_same, f"a report in the records and opened again: {wd_again} {err}")
rc, err, _, wd_old = hma_open(["/dev/null"], "--records", "opened1.jsonl", "--records", "opened2.jsonl")
check(wd_old == [], f"a case withdrawn in earlier runs only is not listed again: {wd_old} {err}")
# a tampered withdrawal is refused as ever, and removes nothing
wd_id = next(w["report_id"] for w in wd if w["case_code"] == CODE)
tampered = False
for t in tars2:
    arch = open(t, "rb").read()
    name = b"reports/" + wd_id.encode()
    if name in arch:
        tam = bytearray(arch)
        tam[arch.index(name) + 512 + 100] ^= 0x20
        open("tampered-wd.tar", "wb").write(tam)
        tampered = True
check(tampered, "the withdrawal is in stick2's archive")
rc, err, _, wd_tam = hma_open(["tampered-wd.tar"], "--records", "opened1.jsonl")
check(rc == 1 and wd_id in err and wd_tam == [],
      f"a tampered withdrawal is refused and lists nothing: {rc} {wd_tam} {err}")
rc, _, err = run("open", *tars2, "--key", "hl/helpline.key", *PASS, "--kiosks", "reg.txt",
                 "--jsonl", "/dev/null", "--records", "opened1.jsonl")
check(rc == 2 and "--hma-withdrawn" in err, f"--records without --hma-withdrawn: {rc} {err}")
with open("bad-records.jsonl", "w") as f:
    f.write('{"report_id": "x"}\n')
rc, err, _, wd_bad = hma_open(tars2, "--records", "bad-records.jsonl")
check(rc == 2 and "bad-records.jsonl line 1" in err and wd_bad is None,
      f"records that are not open's: refused before anything is written: {rc} {err}")
rc, out, err = run("receipts", "opened1.jsonl", "opened2.jsonl", "--status", "staff.csv",
                   "--key", "hl/helpline.key", *PASS, "--out", "hlout")
check(rc == 0 and "sequence 2" in out and "1 withdrawal matched" in out and "1 without" in out,
      f"receipts 2: {out} {err}")
check("2 tags computed, 2 from" in out, f"the earlier reports' tags come from the cache: {out}")
check(len(open(TAGS).read().splitlines()) == 4 and tags1.splitlines()[0] in open(TAGS).read(),
      "the cache keeps every tag of these records, the refused withdrawal's too")
archive2 = open("hlout/hifazat-status.json", "rb").read()
# a damaged cache costs time, never a wrong tag
os.makedirs("cacheout")
with open("cacheout/hifazat-tags.private", "w") as f:
    f.write(open(TAGS).read()[:-10])
rc, out, err = run("receipts", "opened1.jsonl", "opened2.jsonl", "--status", "staff.csv",
                   "--key", "hl/helpline.key", *PASS, "--out", "cacheout", "--issued-at",
                   "2026-01-10T00:00:00Z")
check(rc == 0 and "damaged" in err and "4 tags computed, 0 from" in out, f"damaged cache: {out} {err}")
check(open("cacheout/hifazat-tags.private").read() == open(TAGS).read(),
      "recomputed tags are the cached ones")
doc2 = json.loads(base64.b64decode(json.loads(archive2)["body"]))
by_id = {e["report_id"]: e for e in doc2["entries"]}
check(by_id[RID]["status"] == "withdrawn", "the case is withdrawn in the archive")
check(by_id[other["report_id"]]["status"] == "sent_to_take_it_down", "the other case keeps its status")
check(sum(1 for e in doc2["entries"] if e["status"] == "rejected" and "tag" not in e) == 1,
      "a withdrawal matching no case is acknowledged without a tag")

# --- 4. refused archives change nothing
def refused(data_bytes, why, expect):
    with open("bad.json", "wb") as f:
        f.write(data_bytes)
    before = tree("data")
    rc, out, err = run("receipts", "import", "bad.json", "--json", *KIOSK)
    res = json.loads(out) if out.strip() else {}
    check(rc == 1 and res.get("result") == expect and "nothing was changed" in err,
          f"{why}: refused as {expect}: {rc} {out} {err}")
    check(tree("data") == before, f"{why}: nothing changed")


outer = json.loads(archive2)
b = bytearray(base64.b64decode(outer["body"]))
b[b.index(b"withdrawn")] ^= 0x20  # "Withdrawn"... a changed byte in the signed body
t = dict(outer, body=base64.b64encode(bytes(b)).decode())
refused(json.dumps(t).encode(), "tampered body", "signature")
t = dict(outer, signature=base64.b64encode(b"\0" * 64).decode())
refused(json.dumps(t).encode(), "forged signature", "signature")
refused(b"not json", "garbage", "format")
# wrong key: the other helpline signs its own archive
rc, out, err = run("receipts", "opened1.jsonl", "--key", "other/helpline.key", *PASS, "--out", "otherout")
check(rc == 0, f"the other helpline's receipts: {err}")
refused(open("otherout/hifazat-status.json", "rb").read(), "wrong key", "wrong_key")
# wrong key, passed off with this helpline's key id
t = json.loads(open("otherout/hifazat-status.json").read())
t["key_id"] = outer["key_id"]
refused(json.dumps(t).encode(), "wrong key with our key id", "signature")
# stale: issued long ago (with a newer sequence)
os.makedirs("staleout")
shutil.copy("hlout/hifazat-status.json", "staleout/")  # the next one is sequence 3
rc, out, err = run("receipts", "opened1.jsonl", "opened2.jsonl", "--key", "hl/helpline.key", *PASS,
                   "--out", "staleout", "--issued-at", "2020-01-01T00:00:00Z")
check(rc == 0 and "sequence 3" in out, f"a stale archive with sequence 3: {out} {err}")
refused(open("staleout/hifazat-status.json", "rb").read(), "stale", "stale")

# now the real one
os.makedirs("stick3")
with open("stick3/hifazat-status.json", "wb") as f:
    f.write(archive2)
rc, out, err = run("receipts", "import", "stick3", "--json", *KIOSK)
res = json.loads(out) if out.strip() else {}
check(rc == 0 and res.get("sequence") == 2 and res.get("removed") == 2, f"import 2: {out} {err}")
check(queue_counts() == {"pending": 0, "exported": 0, "uploaded": 0}, "withdrawal requests left the stick")
rc, st, _ = status()
check(rc == 0 and st.get("status") == "withdrawn", f"case status says withdrawn: {st}")
rc, out, err = run("case", "withdraw", "--code", CODE, "--pin", PIN, "--json", *KIOSK)
check(rc == 0 and json.loads(out).get("result") == "already", f"withdrawn already: {out}")
check(queue_counts()["pending"] == 0, "nothing queued twice")

# replayed: the older archive (sequence 1) after sequence 2
refused(archive1, "replayed older archive", "replayed")
# a different archive with the same sequence as the one seen
os.makedirs("sameseq")
with open("sameseq/hifazat-status.json", "wb") as f:
    f.write(archive1)  # the next one is sequence 2, without the withdrawal
rc, out, err = run("receipts", "opened1.jsonl", "--key", "hl/helpline.key", *PASS, "--out", "sameseq")
check("sequence 2" in out, f"another archive of sequence 2: {out}")
refused(open("sameseq/hifazat-status.json", "rb").read(), "same sequence, other content", "replayed")
rc, st, _ = status()
check(st.get("status") == "withdrawn", "still withdrawn after the refusals")

# usage errors
rc, _, _ = run("case", "status", "--code", CODE, *KIOSK)
check(rc == 2, "case status without --pin")
rc, _, _ = run("case", "frobnicate", *KIOSK)
check(rc == 2, "unknown case subcommand")
rc, _, err = run("receipts", "import", "stick3", "--data-dir", "data")
check(rc == 2 and "signing key" in err, f"import without a signing key: {rc} {err}")

print(f"{checks - failures}/{checks} checks passed")
if failures:
    print(f"kept {tmp} for a look", file=sys.stderr)
    sys.exit(1)
shutil.rmtree(tmp, ignore_errors=True)
