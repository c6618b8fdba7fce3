"""Splitting a Markdown file into YAML front matter and body, safely.

The YAML is *composed* (parsed to nodes) but never constructed: no Python object is
ever created from it, every value keeps its source text and line, and the schema
(`newsroom.schema`) decides each field's type. That is how type traps such as
`title: no` or `embargo: 10:30` become clear errors instead of False or 630.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .errors import ContentError

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

    def field_at_line(self, line: int) -> str | None:
        """The top-level field a front-matter line belongs to (for messages)."""
        for index in range(min(line - 2, len(self.front_lines) - 1), -1, -1):
            match = _TOP_KEY.match(self.front_lines[index])
            if match:
                return match.group(1)
        return None


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


def split(raw: bytes, path: str, *, require_front_matter: bool = True) -> SourceFile:
    """Decode, check and split a file; YAML is composed to nodes with line numbers."""
    text = decode(raw, path)
    lines = text.split("\n")
    control = find_control_character(text)
    if not _FENCE.match(lines[0]):
        if require_front_matter:
            raise ContentError(path, "Die Datei beginnt nicht mit einem Kopfbereich (erste Zeile: ---).", line=1)
        _raise_control(path, control, None)
        _raise_reference(path, find_forbidden_reference(text), None, 0)
        return SourceFile(path, None, text, 1, ())
    end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if end is None:
        raise ContentError(
            path, "Der Kopfbereich wird nicht mit einer Zeile --- abgeschlossen.", line=1
        )
    front_lines = tuple(lines[1:end])
    source = SourceFile(path, None, "\n".join(lines[end + 1:]), end + 2, front_lines)
    _raise_control(path, control, source if control and control[0] <= end else None)
    _raise_reference(path, find_forbidden_reference(text), source, end)
    node = compose("\n".join(front_lines), path, first_line=2)
    if node is None:
        raise ContentError(path, "Der Kopfbereich ist leer.", line=1)
    if not isinstance(node, yaml.MappingNode):
        raise ContentError(path, "Der Kopfbereich muss aus Feldern der Form „name: wert“ bestehen.", line=2)
    return SourceFile(path, node, source.body, source.body_line, front_lines)


def _raise_control(path: str, control: tuple[int, str] | None, source: SourceFile | None) -> None:
    if control:
        line, code = control
        raise ContentError(
            path,
            f"Unsichtbares Steuerzeichen {code} gefunden; bitte entfernen.",
            line=line,
            field=source.field_at_line(line) if source else None,
        )


def _raise_reference(path: str, found: tuple[int, str, str] | None, source: SourceFile | None, end: int) -> None:
    if found:
        line, reference, code = found
        raise ContentError(
            path,
            f"„{reference}“ steht für das unzulässige Zeichen {code}, das in Feeds (XML) nicht erlaubt ist; "
            "bitte entfernen.",
            line=line,
            field=source.field_at_line(line) if source and line <= end else None,
        )


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
