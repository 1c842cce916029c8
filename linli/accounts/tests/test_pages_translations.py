"""The Chinese translation is complete: no empty msgstr, nothing fuzzy, and it compiles."""

import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
sys.path.insert(0, str(LOCALE))
import pofile  # noqa: E402


def test_every_string_has_a_chinese_translation():
    entries = [e for e in pofile.read(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")) if e.msgid]
    assert len(entries) > 300
    empty = [e.msgid for e in entries if not (e.fields.get("msgstr") or e.fields.get("msgstr[0]"))]
    assert empty == []
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert fuzzy == []


def test_placeholders_are_kept_in_chinese():
    import re

    placeholder = re.compile(r"%\([a-z_]+\)[-.\d]*[sd f]")
    for e in pofile.read(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")):
        if e.msgid:
            zh = e.fields.get("msgstr") or e.fields.get("msgstr[0]")
            assert sorted(placeholder.findall(e.msgid)) == sorted(placeholder.findall(zh)), e.msgid


def test_the_po_file_compiles_cleanly(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "x.mo"), str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_compiled_catalogue_is_up_to_date():
    po = LOCALE / "zh_Hans/LC_MESSAGES/django.po"
    mo = LOCALE / "zh_Hans/LC_MESSAGES/django.mo"
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1


def test_every_chinese_string_comes_from_the_dictionary():
    """fill_zh_hans.py is the one source of Chinese: a msgstr found only in the .po is a guess
    msgmerge made from a similar string, and is usually wrong."""
    import fill_zh_hans

    def chinese(msgid):  # a template's {% translate "… %(n)s" %} comes with its percent signs doubled
        if msgid in fill_zh_hans.ZH:
            return fill_zh_hans.ZH[msgid]
        literal = msgid.replace("%%", "%")
        return fill_zh_hans.ZH[literal].replace("%", "%%") if literal in fill_zh_hans.ZH else None

    entries = [e for e in pofile.read(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")) if e.msgid]
    assert [e.msgid for e in entries if chinese(e.msgid) is None] == []
    wrong = [e.msgid for e in entries if (e.fields.get("msgstr") or e.fields.get("msgstr[0]")) != chinese(e.msgid)]
    assert wrong == []
