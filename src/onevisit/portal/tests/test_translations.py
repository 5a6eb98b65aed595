"""Chinese is the default language: every interface string has a translation, and the .mo is current."""

import ast
import gettext
import re
from pathlib import Path

import onevisit

LOCALE = Path(onevisit.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def _entries() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            continue
        match = ENTRY.match(line)
        if match:
            key = match.group(1)
            starts = key == "msgctxt" or (key == "msgid" and "msgid" in current)
            if starts and current:
                entries.append(current)
                current = {}
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
    entries.append(current)
    return [e for e in entries if e.get("msgid")]


def test_every_string_is_translated():
    untranslated = [e["msgid"] for e in _entries() if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e["msgid"]
        for e in _entries()
        if "msgstr" in e
        and (compiled.pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e else compiled.gettext(e["msgid"]))
        != e["msgstr"]
    ]
    assert stale == [], "run: cd src/onevisit && django-admin compilemessages"


def test_no_translation_is_a_fuzzy_guess():
    """msgmerge guesses translations from similar strings and marks them fuzzy; a guess is often wrong."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    guessed = [e for e in entries if "#, fuzzy" in e or "\n#| msgid" in e]
    assert guessed == []
