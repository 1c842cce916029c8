"""Every msgid of the app (Python and templates) has its Chinese in linli/locale/zh/patrols.py
(or, for the checklists and participants pages, linli/locale/zh/volunteers_edit.py)."""

import re
from pathlib import Path

from linli.locale.zh.patrols import ZH as ZH_PATROLS
from linli.locale.zh.volunteers_edit import ZH as ZH_EDIT

ZH = ZH_PATROLS | ZH_EDIT

APP = Path(__file__).resolve().parent.parent
PY = [r'(?<![\w])_\(\s*"((?:[^"\\]|\\.)*)"', r'gettext_lazy\("((?:[^"\\]|\\.)*)"']
HTML = [
    r'{% translate "((?:[^"\\]|\\.)*)"',
    r"{% translate '((?:[^'\\]|\\.)*)'",
    r"{% blocktranslate[^%]*%}(.*?){% (?:plural|endblocktranslate)",
]


def _msgids():
    found = set()
    for path in APP.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for pattern in PY:
            found.update(re.findall(pattern, text))
    for path in (APP / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in HTML:
            found.update(re.findall(pattern, text, re.S))
    # {{ n }} in a blocktranslate is %(n)s in the catalogue.
    return {re.sub(r"{{ (\w+) }}", r"%(\1)s", m) for m in found}


def test_every_msgid_has_chinese():
    msgids = _msgids()
    assert len(msgids) > 100
    assert sorted(msgids - set(ZH)) == []
