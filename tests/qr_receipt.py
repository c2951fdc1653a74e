#!/usr/bin/env python3
"""The receipt's QR code carries the case code and the PIN, and nothing else:
no word that says what it is for. Read back (zbarimg) from the case code
screens' golden screenshots, which the flow tests compare pixel for pixel
with what the kiosk draws."""
import os
import subprocess
import sys

GOLDEN = os.path.join(os.environ.get("HIFAZAT_SOURCE", "."), "tests/golden")
# the fixed code and PIN the flow puts on the screen for its screenshots
# (the demo's screenshot shows only part of its QR code: scrolled)
WANT = {"flow_case_code_en.png": "4820-7316-5912 482913", "flow_case_code_ur.png": "4820-7316-5912 482913",
        "flow_case_code_ur_1024x600.png": "4820-7316-5912 482913"}
failures = 0
for name, want in WANT.items():
    p = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                        os.path.join(GOLDEN, name)], capture_output=True, text=True)
    got = p.stdout.rstrip("\n")
    ok = p.returncode == 0 and got == want
    print(f"{name}: {got!r} {'ok' if ok else 'WRONG, want ' + repr(want)}")
    failures += not ok
sys.exit(1 if failures else 0)
