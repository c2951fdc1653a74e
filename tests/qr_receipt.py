#!/usr/bin/env python3
"""The receipt's QR code carries the case code and the PIN, and nothing else:
no word that says what it is for. Read back (zbarimg) from the case code
screens' golden screenshots, which the flow tests compare pixel for pixel
with what the kiosk draws."""
import os
import re
import subprocess
import sys

GOLDEN = os.path.join(os.environ.get("HIFAZAT_SOURCE", "."), "tests/golden")
# the fixed code and PIN the flow puts on the screen for its screenshots
WANT = {"flow_case_code_en.png": "4820-7316-5912 482913", "flow_case_code_ur.png": "4820-7316-5912 482913",
        "flow_case_code_ur_1024x600.png": "4820-7316-5912 482913",
        "flow_demo_case_code_ur.png": "3071-5926-4803 100200",
        "flow_demo_case_code_ur_1024x600.png": "3071-5926-4803 100200"}
# Damm's quasigroup (report_damm): a whole code's digits give 0
DAMM = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
        "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]


def damm(digits):
    i = 0
    for d in digits:
        i = int(DAMM[i][int(d)])
    return i


failures = 0
for name, want in WANT.items():
    # what the kiosk makes: 12 digits in groups of four (the last a check
    # digit), a space, the 6-digit PIN; nothing else
    m = re.fullmatch(r"(\d{4})-(\d{4})-(\d{4}) \d{6}", want)
    if not m or damm("".join(m.groups())) != 0:
        print(f"{name}: the expected {want!r} is not a case code and PIN")
        failures += 1
    p = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                        os.path.join(GOLDEN, name)], capture_output=True, text=True)
    got = p.stdout.rstrip("\n")
    ok = p.returncode == 0 and got == want
    print(f"{name}: {got!r} {'ok' if ok else 'WRONG, want ' + repr(want)}")
    failures += not ok
sys.exit(1 if failures else 0)
