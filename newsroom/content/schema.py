"""Typed, line-aware access to YAML front matter (composed nodes, never constructed).

`Fields` reads one mapping. Each accessor returns a Python value or None and records
a German ContentError naming file, line and field; the caller raises them together,
so an editor sees every problem of a file at once.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime

import yaml

from newsroom.content.characters import find_invisible, invisible_message
from newsroom.dates import parse_datetime
from newsroom.errors import ContentError, DateParseError

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_ALLOWED_TAGS = {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, _CORE + "map", _CORE + "seq"}
_TYPE_NAMES = {
    BOOL: "Wahrheitswert (ja/nein)",
    INT: "Zahl",
    FLOAT: "Kommazahl",
    TIMESTAMP: "Datum",
}
_COMMENT = re.compile(r"\s+#")
_TRUE = {"true", "yes", "on", "ja", "y"}
_FALSE = {"false", "no", "off", "nein", "n"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def nearest(value: str, choices: list[str]) -> str | None:
    """The allowed value an editor most likely meant (difflib), ignoring upper and lower case."""
    folded = {choice.casefold(): choice for choice in choices}
    hint = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[hint[0]] if hint else None


def _labelled(text: str, first: int, labels: tuple[str, ...]) -> str:
    """' Meinten Sie 3 (…)? Erlaubt: 1 (…), 2 (…), …' for numbered values with names."""
    if not labels:
        return ""
    numbered = {number: label for number, label in enumerate(labels, first)}
    word = text.strip().casefold()
    # A part of a name ("Bilk" in "Oberbilk, …, Bilk, Flehe") or the nearest part.
    parts = {part.strip().casefold(): number for number, label in numbered.items() for part in label.split(",")}
    match = parts.get(word)
    if match is None and word:
        close = difflib.get_close_matches(word, list(parts), n=1, cutoff=0.75)
        match = parts[close[0]] if close else None
    suggestion = f" Meinten Sie {match} ({numbered[match]})?" if match is not None else ""
    return f"{suggestion} Erlaubt: " + "; ".join(f"{number} ({label})" for number, label in numbered.items()) + "."


class Fields:
    """One front-matter mapping with the field names it may contain."""

    def __init__(self, node: yaml.MappingNode, path: str, known: set[str], errors: list[ContentError],
                 *, prefix: str = "", seen: set[int] | None = None, line_offset: int = 1,
                 lines: tuple[str, ...] = ()):
        self.path = path
        self._lines = lines  # the YAML source, to spot values cut short by a " #" comment
        # Front matter starts on line 2 of a story; a sidecar file is YAML from line 1.
        self._line_offset = line_offset
        self.errors = errors
        self.prefix = prefix
        self._seen = seen if seen is not None else set()
        self.line = node.start_mark.line + 1
        self.nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not self._allowed(key_node) or not self._allowed(value_node, key_node, name):
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error("Ein Feldname muss ein einfacher Name sein.", key_node)
                continue
            name = key_node.value
            if name in self.nodes:
                self.error("Das Feld steht doppelt im Kopfbereich.", key_node, name)
                continue
            if name not in known:
                hint = nearest(name, sorted(known))
                suggestion = f" Meinten Sie „{self.prefix}{hint}“?" if hint else ""
                self.error(f"Unbekanntes Feld.{suggestion} Erlaubt: {', '.join(sorted(known))}.", key_node, name)
                continue
            self.nodes[name] = value_node

    # -- plumbing ---------------------------------------------------------------

    def _allowed(self, node: yaml.Node, key_node: yaml.Node | None = None, name: str | None = None) -> bool:
        """Reject aliases (the same node twice) and any non-core tag such as !!python/object."""
        if id(node) in self._seen:
            # An alias shares its anchor's node: name the key that used it, not the anchor.
            self.error("YAML-Anker und -Aliase (&name, *name) sind nicht erlaubt.", key_node or node, name)
            return False
        self._seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.error(f"Das YAML-Tag „{_short_tag(node.tag)}“ ist nicht erlaubt.", node)
            return False
        if isinstance(node, yaml.SequenceNode):
            return all(self._allowed(item, key_node, name) for item in node.value)
        return True

    def error(self, message: str, node: yaml.Node | None = None, name: str | None = None) -> None:
        line = node.start_mark.line + 1 if node is not None else self.line
        self.errors.append(
            ContentError(self.path, message, line=line + self._line_offset, field=f"{self.prefix}{name}" if name else None)
        )

    def has(self, name: str) -> bool:
        return name in self.nodes

    def line_of(self, name: str) -> int | None:
        """The file line of a top-level field's value (the front matter starts on line 2)."""
        node = self.nodes.get(name)
        return node.start_mark.line + 2 if node is not None else None

    def node(self, name: str, required: bool) -> yaml.Node | None:
        node = self.nodes.get(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL and node.value in ("", "~", "null")):
            if required:
                self.errors.append(ContentError(self.path, "Pflichtfeld fehlt oder ist leer.",
                                                line=(node.start_mark.line + 1 + self._line_offset) if node else None,
                                                field=f"{self.prefix}{name}"))
            return None
        return node

    def _scalar_text(self, name: str, node: yaml.Node) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error("Erwartet wird ein einzelner Text, keine Liste oder Gruppe.", node, name)
            return None
        if node.tag != STR:
            kind = _TYPE_NAMES.get(node.tag, "anderer Typ")
            self.error(
                f"„{node.value}“ wird von YAML als {kind} gelesen, nicht als Text. "
                f'Bitte in Anführungszeichen setzen: {name}: "{node.value}"',
                node, name,
            )
            return None
        if not node.style and node.end_mark.line < len(self._lines):
            rest = self._lines[node.end_mark.line][node.end_mark.column:]
            if _COMMENT.match(rest):
                self.error(
                    f"YAML liest alles ab „{rest.strip()[:30]}“ als Kommentar; der Wert wäre nur „{node.value}“. "
                    "Bitte den ganzen Wert in Anführungszeichen setzen.", node, name)
                return None
        return node.value

    # -- typed accessors ----------------------------------------------------------

    def visible(self, name: str, node: yaml.Node, value: str, *, emoji_joiner: bool = False) -> bool:
        """False, with an error naming it, if the value holds an invisible or direction character
        (newsroom.content.characters); YAML escapes such as "\\u202E" are caught here too."""
        found = find_invisible(value, emoji_joiner=emoji_joiner)
        if found:
            self.error(invisible_message(value, *found), node, name)
        return not found

    def text(self, name: str, *, required: bool = True, max_length: int | None = None,
             single_line: bool = True, pattern: re.Pattern | None = None, pattern_hint: str = "",
             emoji_joiner: bool = False) -> str | None:
        node = self.node(name, required)
        if node is None:
            return None
        value = self._scalar_text(name, node)
        if value is None or not self.visible(name, node, value, emoji_joiner=emoji_joiner):
            return None
        value = value.strip()
        if not value:
            if required:
                self.error("Pflichtfeld ist leer.", node, name)
            return None
        if single_line and "\n" in value:
            self.error("Der Text darf keinen Zeilenumbruch enthalten.", node, name)
            return None
        if max_length and len(value) > max_length:
            self.error(f"Der Text ist {len(value)} Zeichen lang; erlaubt sind höchstens {max_length}.", node, name)
            return None
        if pattern and not pattern.fullmatch(value):
            self.error(f"„{value}“ ist ungültig. {pattern_hint}", node, name)
            return None
        return value

    def choice(self, name: str, choices: list[str], *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is None or value in choices:
            return value
        # Editors do not read pelicanconf.py: the answer names the allowed values themselves.
        hint = nearest(value, choices)
        suggestion = f" Meinten Sie „{hint}“?" if hint else ""
        self.error(f"„{value}“ ist nicht erlaubt.{suggestion} Erlaubt: {', '.join(choices)}.", self.nodes[name], name)
        return None

    def datetime(self, name: str, *, required: bool = True, require_time: bool = True) -> datetime | None:
        node = self.node(name, required)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error("Erwartet wird ein Zeitpunkt, keine Liste oder Gruppe.", node, name)
            return None
        if not self.visible(name, node, node.value):
            return None
        try:
            return parse_datetime(node.value, require_time=require_time)
        except DateParseError as exc:
            trap = ""
            if node.tag in (INT, FLOAT) and not node.style:
                number = yaml.safe_load(node.value)
                trap = f" (YAML liest „{node.value}“ als Zahl {number}.)"
            self.error(f"{exc}{trap}", node, name)
            return None

    def boolean(self, name: str, *, default: bool = False) -> bool:
        node = self.node(name, False)
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.value.lower() in _TRUE | _FALSE:
            return node.value.lower() in _TRUE
        self.error("Erwartet wird true oder false.", node, name)
        return default

    def _items(self, name: str, *, required: bool) -> list[yaml.Node] | None:
        node = self.node(name, required)
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            return [node]  # a single value is a list of one
        if isinstance(node, yaml.SequenceNode):
            return node.value
        self.error("Erwartet wird eine Liste, zum Beispiel [eins, zwei].", node, name)
        return None

    def text_list(self, name: str, *, required: bool = False, max_length: int = 80) -> tuple[str, ...]:
        items = self._items(name, required=required)
        values: list[str] = []
        for item in items or ():
            value = self._scalar_text(name, item)
            if value is None or not self.visible(name, item, value):
                continue
            value = value.strip()
            if not value or "\n" in value or len(value) > max_length:
                self.error(f"„{value}“ ist kein gültiger Eintrag (1–{max_length} Zeichen, eine Zeile).", item, name)
            elif value not in values:
                values.append(value)
        return tuple(values)

    def int_list(self, name: str, *, minimum: int, maximum: int, labels: tuple[str, ...] = ()) -> tuple[int, ...]:
        """Numbers from minimum to maximum; `labels` names each number (Stadtbezirke) for the
        error, which then lists them and suggests the number whose label was meant."""
        items = self._items(name, required=False)
        values: set[int] = set()
        for item in items or ():
            text = item.value if isinstance(item, yaml.ScalarNode) else ""
            if not text.strip().isdigit() or not minimum <= int(text) <= maximum:
                self.error(f"„{text}“ ist keine Zahl von {minimum} bis {maximum}.{_labelled(text, minimum, labels)}",
                           item, name)
                continue
            values.add(int(text))
        return tuple(sorted(values))

    def mapping_list(self, name: str, known: set[str], *, max_items: int) -> list[Fields]:
        """A list of groups (`changes: [{date: …, note: …}]`); their fields are named `name[1].field`."""
        items = self._items(name, required=False)
        if items is None:
            return []
        if len(items) > max_items:
            self.error(f"Die Liste hat {len(items)} Einträge; erlaubt sind höchstens {max_items}.", self.nodes[name],
                       name)
            return []
        groups = []
        for number, item in enumerate(items, 1):
            if not isinstance(item, yaml.MappingNode):
                self.error("Erwartet wird je Eintrag eine Gruppe von Feldern (z. B. „- date: …“ mit „note: …“ "
                           "darunter).", item, name)
                continue
            groups.append(Fields(item, self.path, known, self.errors, prefix=f"{self.prefix}{name}[{number}].",
                                 seen=self._seen, line_offset=self._line_offset, lines=self._lines))
        return groups

    def mapping(self, name: str, known: set[str], *, required: bool = False) -> Fields | None:
        node = self.node(name, required)
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error("Erwartet wird eine Gruppe von Feldern (eingerückt darunter).", node, name)
            return None
        return Fields(node, self.path, known, self.errors, prefix=f"{self.prefix}{name}.",
                      seen=self._seen, line_offset=self._line_offset, lines=self._lines)
