"""A tiny reader/writer for gettext .po files, enough to fill in translations by script.

Used by fill_zh_hans.py; keeps comments, references and flags as they are."""

import re

_STRING = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')


def _unquote(s: str) -> str:
    return s.replace('\\"', "\x00").replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\").replace("\x00", '"')


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")


class Entry:
    def __init__(self):
        self.comments: list[str] = []
        self.fields: dict[str, str] = {}
        self.order: list[str] = []

    @property
    def msgid(self):
        return self.fields.get("msgid", "")

    @property
    def flags(self):
        return {f.strip() for c in self.comments if c.startswith("#,") for f in c[2:].split(",")}

    def render(self) -> str:
        lines = list(self.comments)
        for key in self.order:
            value = self.fields[key]
            if "\n" in value[:-1] or len(value) > 70:
                lines.append(f'{key} ""')
                parts = re.findall(r"[^\n]*\n|[^\n]+", value)
                chunks = []
                for part in parts:
                    while len(part) > 76:
                        cut = part.rfind(" ", 0, 76)
                        cut = cut + 1 if cut > 0 else 76
                        chunks.append(part[:cut])
                        part = part[cut:]
                    chunks.append(part)
                lines.extend(f'"{_quote(c)}"' for c in chunks if c)
            else:
                lines.append(f'{key} "{_quote(value)}"')
        return "\n".join(lines)


def read(path: str) -> list[Entry]:
    entries, entry, key = [], Entry(), None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for raw in lines:
        line = raw.strip()
        if not line:
            if entry.order or entry.comments:
                entries.append(entry)
            entry, key = Entry(), None
            continue
        if line.startswith("#"):
            entry.comments.append(raw)
            continue
        match = _STRING.match(line)
        if match:
            key = match.group(1)
            entry.fields[key] = _unquote(match.group(2))
            entry.order.append(key)
        elif line.startswith('"') and key:
            entry.fields[key] += _unquote(line[1:-1])
    if entry.order or entry.comments:
        entries.append(entry)
    return entries


def write(path: str, entries: list[Entry]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(e.render() for e in entries) + "\n")
