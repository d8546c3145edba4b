"""Find English catalogue strings on a page meant to be Spanish.

The English side is every msgid that a Spanish catalogue Django loads translates into something else: Walker's
own catalogues and those of Django and the installed apps (the admin, auth, django-filter, import-export,
celery-beat, DRF; unfold ships none, so Walker keeps one for it). A msgid that is also Spanish (the msgstr of
any entry: "No", "Total", "Email"…) can never count as English.

The rule, on the page's visible text (text nodes outside <script>/<style>, icons, text marked as another
language and Django's permission pickers, plus the placeholder, title, aria-label and alt attributes and the
value of buttons), whitespace collapsed:
- a text node that *is* an English msgid counts, whatever its length, when the msgid has at least two letters,
  or four around its placeholders ("Save", "Show all", "3 results" for "%(counter)s results", not "a to b");
- an English msgid of at least three words and fifteen letters found *inside* the page's text counts too
  (a help text beside a link, a history line inside a longer sentence, a sentence split by inline tags).
A placeholder (%(name)s, %s, %d) matches any text, but only the literal words around it count towards the
length. Values the page shows from the data (a campaign's name, a message) are not in the catalogues, except
by chance: the demo data is chosen so none is a msgid.
"""

import re
import struct
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[a-z_0-9]*\}")
LETTER = re.compile(r"[^\W\d_]")
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def _mo_entries(path: Path):
    """(msgids, msgstrs) of each entry of a compiled catalogue: msgids holds the singular and the plural."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, originals, translations = struct.unpack(f"{order}4I", data[4:20])
    for index in range(count):
        length, offset = struct.unpack(f"{order}2I", data[originals + 8 * index : originals + 8 * index + 8])
        original = data[offset : offset + length].decode("utf-8")
        length, offset = struct.unpack(f"{order}2I", data[translations + 8 * index : translations + 8 * index + 8])
        translated = data[offset : offset + length].decode("utf-8")
        if not original:
            continue  # the header
        original = original.split("\x04", 1)[-1]  # drop a context
        yield original.split("\x00"), translated.split("\x00")


def catalogue_files(language: str = "es") -> list[Path]:
    """Every compiled catalogue Django merges for `language`, both domains."""
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    folders += [Path(folder) for folder in settings.LOCALE_PATHS]
    found = []
    for folder in folders:
        for domain in ("django", "djangojs"):
            path = folder / language / "LC_MESSAGES" / f"{domain}.mo"
            if path.exists():
                found.append(path)
    return found


def _normal(text: str) -> str:
    return SPACE.sub(" ", TAG.sub(" ", text)).strip()


def _pattern(msgid: str) -> re.Pattern:
    parts = PLACEHOLDER.split(msgid)
    return re.compile(r"(?<!\w)" + r".{1,120}?".join(re.escape(part) for part in parts) + r"(?!\w)")


@cache
def english_strings(language: str = "es") -> tuple[set, list, list]:
    """(exact, whole, inside): the msgids without placeholders a text node may be, the (msgid, pattern, longest
    literal part) of those with placeholders matched against a whole text node (a line of the page's nodes joined
    by newlines), and the same triples looked for inside the page (the part first: a substring test skips most
    regular expressions)."""
    english, foreign = set(), set()
    for path in catalogue_files(language):
        for msgids, msgstrs in _mo_entries(path):
            foreign.update(_normal(text) for text in msgstrs)
            for msgid in msgids:
                if _normal(msgid) not in {_normal(text) for text in msgstrs}:
                    english.add(_normal(msgid))
    exact, whole, inside = set(), [], []
    for msgid in sorted(english - foreign):
        literal = PLACEHOLDER.sub(" ", msgid)
        letters = len(LETTER.findall(literal))
        if letters < (2 if literal == msgid else 4):
            continue
        pattern = _pattern(msgid)
        longest_part = max(PLACEHOLDER.split(msgid), key=len)  # in any text the pattern matches: a quick test
        if literal == msgid:
            exact.add(msgid)
        else:
            whole.append((msgid, re.compile(r"^" + pattern.pattern + r"$", re.MULTILINE), longest_part))
        if len(literal.split()) >= 3 and letters >= 15:
            inside.append((msgid, pattern, longest_part))
    return exact, whole, inside


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read; not scripts, styles, the names of Material Symbols icons
    (ligatures drawn as a picture: "search", "add"), text marked as written in another language (`lang`: a
    language switch names each language in its own words), nor the options of Django's permission pickers
    (their names are rows Django stored in English when the tables were made: "Can add campaign")."""

    HIDDEN = {"script", "style", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
    PERMISSION_PICKERS = {"permissions", "user_permissions"}

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.nodes, self._open = [], []  # the open elements: (tag, hides its text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.nodes += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"} and attrs.get("value"):
            self.nodes.append(attrs["value"])
        if tag not in self.VOID:
            other_language = tag != "html" and (attrs.get("lang") or self.language).split("-")[0] != self.language
            permissions = tag == "select" and attrs.get("name") in self.PERMISSION_PICKERS
            hides = (
                tag in self.HIDDEN or "material-symbols" in (attrs.get("class") or "") or other_language or permissions
            )
            self._open.append((tag, hides))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not any(hides for _, hides in self._open):
            self.nodes.append(data)


def visible_text(html: str, language: str = "es") -> list[str]:
    """The page's visible text nodes in `language`, whitespace collapsed, empty ones dropped."""
    parser = _VisibleText(language)
    parser.feed(html)
    return [text for text in (SPACE.sub(" ", node).strip() for node in parser.nodes) if text]


def english_on(html: str, language: str = "es") -> list[str]:
    """The English catalogue strings the page shows (each once), by the rule above."""
    exact, whole, inside = english_strings(language)
    nodes = visible_text(html, language)
    distinct = set(nodes)
    found = sorted(distinct & exact)
    lines = "\n".join(distinct)  # a pattern's "." never crosses a newline: each line is matched whole, in one scan
    for msgid, pattern, longest_part in whole:
        if longest_part in lines and pattern.search(lines):
            found.append(msgid)
    page = " ".join(nodes)
    for msgid, pattern, longest_part in inside:
        if msgid not in found and longest_part in page and pattern.search(page):
            found.append(msgid)
    return found
