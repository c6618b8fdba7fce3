"""Splitting a Markdown file into YAML front matter and body, safely.

The YAML is *composed* (parsed to nodes) but never constructed: no Python object is
ever created from it, every value keeps its source text and line, and the schema
(`newsroom.content.schema`) decides each field's type. That is how type traps such as
`title: no` or `embargo: 10:30` become clear errors instead of False or 630.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from newsroom.errors import ContentError

try:  # libyaml is much faster at archive scale; the pure parser behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

# Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; surrogates;
# U+FFFE, U+FFFF), plus C1 controls and DEL: they break feeds and mail headers. Surrogates
# cannot come out of valid UTF-8 (decode refuses them), but other text may carry them.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A numeric character reference (&#27; or &#x1B;) passes through Markdown into the HTML.
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")

_YAML_PROBLEMS = {
    "mapping values are not allowed":
        "Doppelpunkt an unerwarteter Stelle. Enthält der Wert einen Doppelpunkt, "
        "bitte in Anführungszeichen setzen.",
    "found character '\\t' that cannot start any token":
        "Tabulatorzeichen sind im Kopfbereich nicht erlaubt; bitte Leerzeichen verwenden.",
    "could not find expected ':'": "Hier fehlt ein Doppelpunkt nach dem Feldnamen.",
    "found undefined alias": "YAML-Aliase (*name) sind nicht erlaubt.",
    "found unexpected end of stream": "Der Wert ist nicht abgeschlossen (fehlt ein Anführungszeichen?).",
    "found unknown escape character": "Unbekannte Escape-Sequenz mit Backslash in Anführungszeichen.",
    "expected <block end>, but found": "Die Einrückung stimmt nicht.",
}


@dataclass(frozen=True)
class SourceFile:
    """A content file split into its parts; lines are 1-based in the original file."""

    path: str
    front: yaml.MappingNode | None
    body: str
    body_line: int
    front_lines: tuple[str, ...]
    # Top-level fields left out because YAML could not read them (their error is reported):
    # the rest of the front matter is still checked, and these are not "missing" on top.
    unreadable: frozenset[str] = frozenset()

    def body_line_of(self, needle: str) -> int:
        """The file line where `needle` first stands in the body (the body's first line if nowhere)."""
        index = self.body.find(needle)
        return self.body_line + (self.body.count("\n", 0, index) if index >= 0 else 0)

    def field_at_line(self, line: int) -> str | None:
        """The top-level field a front-matter line belongs to (for messages)."""
        for index in range(min(line - 2, len(self.front_lines) - 1), -1, -1):
            match = _TOP_KEY.match(self.front_lines[index])
            if match:
                return match.group(1)
        return None


_STATUS_LINE = re.compile(r"""^status[ \t]*:[ \t]*(["']?)([A-Za-z]+)\1[ \t]*(?:#.*)?$""")


def declared_status(raw: bytes) -> str | None:
    """The status a story's front matter states on its own line, read without YAML: a draft
    whose front matter YAML cannot read is still known as a draft. None unless every status
    line names one and the same value."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        return None
    end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), len(lines))
    values = {match.group(2) for line in lines[1:end] if (match := _STATUS_LINE.match(line))}
    return values.pop() if len(values) == 1 else None


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text with a BOM tolerated; invalid bytes are an error naming the line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            path,
            f"Die Datei ist nicht in UTF-8 gespeichert (ungültiges Byte 0x{raw[exc.start]:02x}). "
            "Bitte als UTF-8 speichern.",
            line=line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def byte_count(count: int) -> str:
    """'64.000 Bytes' (German thousands separator)."""
    return f"{count:,} Bytes".replace(",", ".")


def find_control_character(text: str) -> tuple[int, str] | None:
    """Line and code of the first forbidden control character, if any."""
    match = FORBIDDEN_CHARACTERS.search(text)
    if not match:
        return None
    return text.count("\n", 0, match.start()) + 1, f"U+{ord(match.group()):04X}"


def xml_forbidden(code: int) -> bool:
    """True for a code point XML 1.0 does not allow in a document."""
    return (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or 0xD800 <= code <= 0xDFFF \
        or code in (0xFFFE, 0xFFFF) or code > 0x10FFFF


def referenced_code(match: re.Match) -> int:
    """The code point a CHARACTER_REFERENCE match stands for; 0x110000 for any larger number."""
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip("0") or "0"
    if len(digits) > 8:
        return 0x110000
    return min(int(digits, 16 if hexadecimal else 10), 0x110000)


def find_forbidden_reference(text: str) -> tuple[int, str, str] | None:
    """Line, reference and code of the first reference to a character XML 1.0 forbids."""
    for match in CHARACTER_REFERENCE.finditer(text):
        code = referenced_code(match)
        if xml_forbidden(code):
            return text.count("\n", 0, match.start()) + 1, match.group(), f"U+{code:04X}"
    return None


def split(raw: bytes, path: str, *, require_front_matter: bool = True,
          errors: list[ContentError] | None = None, max_front_bytes: int | None = None) -> SourceFile:
    """Decode, check and split a file; YAML is composed to nodes with line numbers (and not
    at all when the front matter is larger than `max_front_bytes`).

    Without `errors`, the first problem is raised. With it, every problem that can be found
    is appended there and the best reading is returned (unreadable bytes replaced, forbidden
    characters blanked, a YAML entry that cannot be read left out), so the caller checks the
    rest of the file in the same round: an editor sees every problem of a file at once.
    """
    found: list[ContentError] = []
    try:
        text = decode(raw, path)
    except ContentError as exc:
        found.append(exc)
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    source = _split(text, path, require_front_matter, found, max_front_bytes)
    if errors is None and found:
        raise found[0]
    if errors is not None:
        errors.extend(found)
    return source


def _split(text: str, path: str, require_front_matter: bool, found: list[ContentError],
           max_front_bytes: int | None = None) -> SourceFile:
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        if require_front_matter:
            found.append(ContentError(path, "Die Datei beginnt nicht mit einem Kopfbereich (erste Zeile: ---).", line=1))
        _report_characters(path, text, None, 0, found)
        return SourceFile(path, None, text, 1, ())
    end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if end is None:
        found.append(ContentError(path, "Der Kopfbereich wird nicht mit einer Zeile --- abgeschlossen.", line=1))
        return SourceFile(path, None, "", len(lines) + 1, ())
    front_lines = tuple(lines[1:end])
    source = SourceFile(path, None, "\n".join(lines[end + 1:]), end + 2, front_lines)
    _report_characters(path, text, source, end, found)
    front_bytes = sum(len(line.encode("utf-8")) + 1 for line in front_lines)
    if max_front_bytes is not None and front_bytes > max_front_bytes:  # not read at all
        found.append(ContentError(path, f"Der Kopfbereich ist {byte_count(front_bytes)} groß; erlaubt sind höchstens "
                                        f"{byte_count(max_front_bytes)} (STORY_FRONT_MATTER_MAX_BYTES). Bitte kürzen.",
                                  line=1))
        return source
    # Forbidden characters are reported above; blanked, they do not hide the fields around them.
    readable = [FORBIDDEN_CHARACTERS.sub(" ", line) for line in front_lines]
    node, unreadable, failed = _compose_readable(readable, path, found)
    if failed:  # reported: no field can be read
        return source
    if node is None and not unreadable:
        found.append(ContentError(path, "Der Kopfbereich ist leer.", line=1))
        return source
    if node is not None and not isinstance(node, yaml.MappingNode):
        found.append(ContentError(path, "Der Kopfbereich muss aus Feldern der Form „name: wert“ bestehen.", line=2))
        return source
    if node is None:  # every entry was unreadable
        node = yaml.MappingNode(_CORE_MAP, [])
    return SourceFile(path, node, source.body, source.body_line, front_lines, frozenset(unreadable))


_CORE_MAP = "tag:yaml.org,2002:map"
_SALVAGE_LIMIT = 20  # YAML errors reported per file; a file with more is beyond piecemeal help


def _compose_readable(lines: list[str], path: str,
                      found: list[ContentError]) -> tuple[yaml.Node | None, list[str], bool]:
    """Compose the front matter; on a syntax error, report it, leave out the top-level entry
    it is in and try again, so the other fields are still read and checked."""
    unreadable: list[str] = []
    for _attempt in range(_SALVAGE_LIMIT):
        try:
            return compose("\n".join(lines), path, first_line=2), unreadable, False
        except ContentError as exc:
            found.append(exc)
            entry = _entry_at(lines, (exc.line or 2) - 2)
            if entry is None:
                return None, unreadable, True
            name, first, last = entry
            unreadable.append(name)
            lines = lines[:first] + [""] * (last - first) + lines[last:]  # keep the line numbers
    return None, unreadable, True


def _entry_at(lines: list[str], index: int) -> tuple[str, int, int] | None:
    """(field, first line, end) of the top-level entry holding line `index` (0-based)."""
    index = min(max(index, 0), len(lines) - 1)
    for first in range(index, -1, -1):
        match = _TOP_KEY.match(lines[first])
        if match:
            last = next((i for i in range(first + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
            if last <= index:  # the error is past this entry's lines: nothing to leave out safely
                return None
            return match.group(1), first, last
    return None


def _report_characters(path: str, text: str, source: SourceFile | None, end: int, found: list[ContentError]) -> None:
    """Every line with a forbidden control character, and every reference to a character XML forbids."""
    lines_seen = set()
    for match in FORBIDDEN_CHARACTERS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line in lines_seen:
            continue
        lines_seen.add(line)
        found.append(ContentError(
            path, f"Unsichtbares Steuerzeichen U+{ord(match.group()):04X} gefunden; bitte entfernen.", line=line,
            field=source.field_at_line(line) if source and line <= end else None))
    for match in CHARACTER_REFERENCE.finditer(text):
        code = referenced_code(match)
        if xml_forbidden(code):
            line = text.count("\n", 0, match.start()) + 1
            found.append(ContentError(
                path, f"„{match.group()}“ steht für das unzulässige Zeichen U+{code:04X}, das in Feeds (XML) nicht "
                "erlaubt ist; bitte entfernen.", line=line,
                field=source.field_at_line(line) if source and line <= end else None))


def compose(text: str, path: str, *, first_line: int = 1) -> yaml.Node | None:
    """YAML text to a node tree; syntax errors become German ContentErrors."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        problem = exc.problem or ""
        german = next((msg for key, msg in _YAML_PROBLEMS.items() if problem.startswith(key)), None)
        if german is None:
            german = f"YAML kann diese Stelle nicht lesen ({problem})."
        raise ContentError(path, german, line=line) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, f"YAML kann den Kopfbereich nicht lesen ({exc}).") from None
