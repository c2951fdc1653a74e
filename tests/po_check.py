#!/usr/bin/env python3
"""Fails if any UI string lacks a translation.

Extracts every _() / N_() string from the kiosk sources with xgettext and
checks each catalog in assets/po/: every msgid is present, translated and
not fuzzy; no stale msgids linger; format strings agree (msgfmt --check);
and every Urdu translation is written in Urdu (has Arabic-script letters),
so an English string copied into ur.po does not pass for a translation.
Usage: po_check.py SOURCE_DIR
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


def main():
    src = sys.argv[1]
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
        for mid in sorted(set(cat) - ids):
            print(f'{lang}.po: stale (no longer in the sources): {mid!r}')
            failures += 1
    print(f'{len(ids)} UI strings, {failures} problems')
    print('fix with scripts/update-po.sh, then translate' if failures else 'all translated')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
