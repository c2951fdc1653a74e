#!/usr/bin/env python3
"""Every label a person can choose on the kiosk flow's screens has a
narration clip in the guide (kiosk/src/guide/guide.c), so it is read aloud
when pressed or focused: buttons (.label = _("...")), the Back/Next row
(page_nav), answers (items[] = {_("...")}), switches (ui_toggle) and dialog
questions and answers (ui_dialog). Labels with a count ("Next (%d)") need
the label before the count. Usage: guide_check.py SOURCE_DIR"""
import os
import re
import sys

FLOW = ['app', 'screen_welcome', 'screen_privacy', 'screen_questions', 'screen_connect',
        'screen_choose', 'screen_fingerprint', 'screen_review', 'screen_confirm',
        'screen_case_code', 'screen_finish', 'dialog_hearing', 'screen_case_status']
# Shown while a button is disabled (never pressed, never focused).
NOT_CHOSEN = {'Saving...', 'Stopping...'}
STR = r'_\("((?:[^"\\]|\\.)*)"\)'


def calls(src, name):
    """The argument text of every call to name(...)."""
    for m in re.finditer(r'\b' + name + r'\(', src):
        depth, i = 1, m.end()
        while depth and i < len(src):
            depth += {'(': 1, ')': -1}.get(src[i], 0)
            i += 1
        yield src[m.end():i - 1]


def split_args(args):
    """Top-level comma-separated arguments."""
    out, depth, cur, q = [], 0, '', False
    for i, c in enumerate(args):
        if c == '"' and (i == 0 or args[i - 1] != '\\'):
            q = not q
        if not q and c in '([{':
            depth += 1
        elif not q and c in ')]}':
            depth -= 1
        if not q and c == ',' and depth == 0:
            out.append(cur)
            cur = ''
        else:
            cur += c
    out.append(cur)
    return out


def main():
    root = sys.argv[1]
    guide = open(os.path.join(root, 'kiosk/src/guide/guide.c'), encoding='utf-8').read()
    table = guide[guide.index('guide_strings[] = {'):guide.index('guide_nstrings')]
    said = set(re.findall(r'\{"say\.[a-z_0-9]+", N_\("((?:[^"\\]|\\.)*)"\)', table))
    labels = {}
    for name in FLOW:
        path = os.path.join(root, 'kiosk/src/app', name + '.c')
        src = open(path, encoding='utf-8').read()
        src = re.sub(r'"\s*\n\s*"', '', src)   # "split " "literals" joined
        found = set()
        for m in re.finditer(r'\.label = ([^,;]*(?:\?[^,;]*)?)[,}]', src):
            found.update(re.findall(STR, m.group(1)))
        for fn in ('page_nav', 'ui_toggle'):
            for args in calls(src, fn):
                found.update(re.findall(STR, args))
        for args in calls(src, 'ui_dialog'):
            # (ui, id, title, message, yes, no): the title and the answers
            # are read (the title says what the message explains).
            a = split_args(args)
            for k in (2, 4, 5):
                if k < len(a):
                    found.update(re.findall(STR, a[k]))
        for m in re.finditer(r'items\[\] = \{(.*?)\};', src, re.S):
            found.update(re.findall(STR, m.group(1)))
        for s in found:
            labels.setdefault(s, name)
    missing = []
    for s, where in sorted(labels.items()):
        if s in NOT_CHOSEN:
            continue
        base = re.sub(r' \(%d\)$', '', s)
        if base not in said:
            missing.append(f'{where}.c: "{s}" has no clip in guide_strings')
    for line in missing:
        print(line)
    print(f'{len(labels)} labels on the flow, {len(missing)} without a clip')
    return 1 if missing or len(labels) < 20 else 0


if __name__ == '__main__':
    sys.exit(main())
