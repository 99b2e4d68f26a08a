"""Nynorsk is complete, and the committed compiled catalogues match their sources (gettext is not
on every machine, so the .mo files are committed and must not go stale)."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
ENTRY = re.compile(
    r'^(?P<flags>(?:#.*\n)*)msgid (?P<msgid>(?:".*"\n)+)(?:msgid_plural (?P<plural>(?:".*"\n)+))?'
    r'(?P<strs>(?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.MULTILINE,
)


def unquote(block: str) -> str:
    return "".join(ast.literal_eval(line) for line in block.strip().splitlines())


def entries(language: str):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text() + "\n"
    for match in ENTRY.finditer(text):
        msgid = unquote(match["msgid"])
        if not msgid:
            continue  # the header
        strs = [unquote(part) for part in re.split(r"msgstr(?:\[\d\])? ", match["strs"])[1:]]
        yield msgid, match["plural"] and unquote(match["plural"]), strs, "fuzzy" in match["flags"]


def test_every_nynorsk_message_is_translated():
    missing = [msgid for msgid, _, strs, fuzzy in entries("nn") if fuzzy or not all(strs)]
    assert not missing, f"untranslated or fuzzy nynorsk messages: {missing}"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_compiled_catalogue_matches_its_source(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for msgid, plural, strs, fuzzy in entries(language):
        if fuzzy or not all(strs):
            continue
        got = compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)
        if got != strs[0]:
            stale.append(msgid)
    assert not stale, f"run `make messages`: the .mo is older than the .po for {stale[:5]}"
