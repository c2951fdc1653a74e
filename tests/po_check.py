#!/usr/bin/env python3
"""Fails if any UI string lacks a translation.

Extracts every _() / N_() string from the kiosk sources with xgettext and
checks each catalog in assets/po/: every msgid is present, translated and
not fuzzy; no stale msgids linger; format strings agree (msgfmt --check);
every Urdu translation is written in Urdu (has Arabic-script letters),
so an English string copied into ur.po does not pass for a translation; and
no Urdu translation holds a Latin-script word other than the few in
LATIN_ALLOWED (an English word in an Urdu sentence is one a reader of Urdu
may not know: "hash", "GB", "DCIM"). Usage: po_check.py SOURCE_DIR
"""
import glob
import os
import re
import subprocess
import sys
import tempfile


def parse_po(path):
    """msgid -> (msgstr, fuzzy) for a .po file (plural forms not used)."""
    entries, cur, field, fuzzy = {}, {}, None, False

    def unquote(s):
        s = s.strip()
        assert s.startswith('"') and s.endswith('"'), s
        esc = {'n': '\n', 't': '\t', '"': '"', '\\': '\\'}
        return re.sub(r'\\(.)', lambda m: esc.get(m.group(1), m.group(1)), s[1:-1])

    def flush():
        nonlocal cur, fuzzy
        if 'msgid' in cur and cur['msgid'] != '' and not cur.get('obsolete'):
            entries[cur['msgid']] = (cur.get('msgstr', ''), fuzzy)
        cur, fuzzy = {}, False

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip():
                flush()
                field = None
                continue
            if line.startswith('#~'):
                cur['obsolete'] = True
                continue
            if line.startswith('#,') and 'fuzzy' in line:
                fuzzy = True
                continue
            if line.startswith('#'):
                continue
            m = re.match(r'(msgid|msgstr|msgctxt)\s+(".*")$', line)
            if m:
                field = m.group(1)
                cur[field] = unquote(m.group(2))
            elif line.startswith('"') and field:
                cur[field] += unquote(line)
    flush()
    return entries


# Latin-script words an Urdu string may hold, longest first. Only names and
# what a person must see or type exactly as written, each for a reason:
LATIN_ALLOWED = [
    'Take It Down', 'StopNCII', 'NCMEC',   # the services' own names, as on their sites
    'File transfer', 'Trust',              # what the phone shows (in English) and is touched
    'English',                             # the language button, as it is labelled
    'USB', 'Wi-Fi', 'QR', 'iPhone', 'Android',  # printed on the port, the phone, the receipt
    'CyberTipline',                        # NCMEC's reporting service, by its name
    'F5',                                  # the key that restarts the demo
    # staff only: paths, settings and commands typed exactly as written
    '/etc/hifazat/kiosk.conf', 'kiosk.conf.example', 'kiosk.conf', 'hifazat-outbox',
    'hifazat staff-pin', '[staff] pin_hash', 'chmod',
]
LATIN_WORD = re.compile(r'[A-Za-z][A-Za-z0-9_.-]*')


def latin_words(msgstr):
    """The Latin-script words of msgstr that LATIN_ALLOWED does not cover
    (format directives such as %d and %1$s are not words)."""
    rest = re.sub(r'%(\d+\$)?[-+ #0]*\d*(\.\d+)?[a-zA-Z]', ' ', msgstr.replace('\u00a0', ' '))
    for allowed in LATIN_ALLOWED:
        rest = rest.replace(allowed, ' ')
    return LATIN_WORD.findall(rest)


def self_check():
    """The Latin check itself works (a broken regex would pass every string)."""
    cases = [('انگریزی میں اسے hash کہتے ہیں۔', ['hash']),
             ('%.0f GB', ['GB']),
             ('کیمرہ (DCIM)', ['DCIM']),
             ('18 سال سے کم عمر کے لیے Take It Down، بالغوں کے لیے StopNCII۔', []),
             ('%2$d میں سے %1$d، %.1f', []),
             ('فائل kiosk.conf میں', []),
             ('کے لیے Take\u00a0It\u00a0Down', []),   # kept on one line by no-break spaces
             ('Take It Now', ['Take', 'It', 'Now'])]
    bad = [(s, want, latin_words(s)) for s, want in cases if latin_words(s) != want]
    for s, want, got in bad:
        print(f'self-check: latin_words({s!r}) gave {got}, want {want}')
    return not bad


def main():
    src = sys.argv[1]
    if not self_check():
        return 1
    files = sorted(glob.glob(os.path.join(src, 'kiosk/src/app/*.c')) +
                   glob.glob(os.path.join(src, 'kiosk/src/ui/*.c')) +
                   glob.glob(os.path.join(src, 'kiosk/src/guide/*.c')))
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'hifazat.pot')
        subprocess.run(['xgettext', '--keyword=_', '--keyword=N_', '--from-code=UTF-8',
                        '--omit-header', '-o', pot] + files, check=True)
        ids = set(parse_po(pot)) if os.path.exists(pot) else set()
        for po in sorted(glob.glob(os.path.join(src, 'assets/po/*.po'))):
            subprocess.run(['msgfmt', '--check', '-o', os.devnull, po], check=True)
    if len(ids) < 10:
        print(f'only {len(ids)} UI strings found: extraction is broken')
        return 1
    failures = 0
    for lang in ('ur', 'en'):
        path = os.path.join(src, 'assets/po', lang + '.po')
        cat = parse_po(path)
        for mid in sorted(ids):
            if mid not in cat:
                print(f'{lang}.po: missing: {mid!r}')
                failures += 1
                continue
            msgstr, fuzzy = cat[mid]
            if not msgstr.strip():
                print(f'{lang}.po: untranslated: {mid!r}')
                failures += 1
            elif fuzzy:
                print(f'{lang}.po: fuzzy: {mid!r}')
                failures += 1
            elif lang == 'ur' and not re.search('[\u0600-\u06FF]', msgstr):
                print(f'ur.po: not written in Urdu: {mid!r} -> {msgstr!r}')
                failures += 1
            elif lang == 'ur' and latin_words(msgstr):
                print(f'ur.po: English words {latin_words(msgstr)} in: {mid!r} -> {msgstr!r}')
                failures += 1
        for mid in sorted(set(cat) - ids):
            print(f'{lang}.po: stale (no longer in the sources): {mid!r}')
            failures += 1
    print(f'{len(ids)} UI strings, {failures} problems')
    print('fix with scripts/update-po.sh, then translate' if failures else 'all translated')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
