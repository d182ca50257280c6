"""Korean is complete: every interface string of the platform has its Korean
text (English is the source text of the .po files)."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO_FILES = sorted(p for p in ROOT.glob("**/locale/ko/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_there_are_translation_files():
    assert len(PO_FILES) >= 4


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_has_korean(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(po_path):
    import re

    po = polib.pofile(str(po_path))
    pattern = re.compile(r"%\(\w+\)s")
    for entry in po.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(set(pattern.findall(entry.msgid))) == sorted(set(pattern.findall(text))), entry.msgid
