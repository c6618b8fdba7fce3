"""The record of sends: one small YAML file per story, kept in the content repository.

`content/receipts/<story-id>.yml` says, per channel, whether the story was claimed by a
run, sent (with the remote's id and address), failed, or is unknown after a crash; or
sent with some recipients unclear (a press release whose batch was cut off by a crash:
their fate is unknown until the Chef vom Dienst sends to them or marks them checked).
Editors can read it in git; only the publish run writes it. It is named by the story's
key, its first id (a renamed story lists earlier ids in `former_ids`), and names the
story's file, so a story whose id changed is found (lineage.py). A translation's own sends are
recorded beside it as `<story key>.<language>.yml` (newsroom/languages/sends.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from newsroom.errors import PublishError

CLAIMED, SENT, FAILED, RETRY, UNKNOWN, UNCLEAR = "claimed", "sent", "failed", "retry", "unknown", "unclear"
# A send that the story's withdrawal cancelled before it went out; a task the channel's API
# cannot do (the error says what), open until an editor confirms it was done by hand.
CANCELLED, MANUAL = "cancelled", "manual"
STATUSES = (CLAIMED, SENT, FAILED, RETRY, UNKNOWN, UNCLEAR, CANCELLED, MANUAL)
# German words for the overview and the terminal.
LABELS = {CLAIMED: "in Arbeit", SENT: "gesendet", FAILED: "fehlgeschlagen", RETRY: "erneuter Versuch",
          UNKNOWN: "unklar – bitte prüfen", UNCLEAR: "unklar", CANCELLED: "abgebrochen (Meldung zurückgezogen)",
          MANUAL: "von Hand erledigen"}

# libyaml when installed: a press release's record lists thousands of recipient keys.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# `<story key>.<language>`: a translation's sends; its follow-ups add their own mark after it.
_LANGUAGE_KEY = re.compile(r"[^.]+\.([a-z]{2,3})(?=\.|$)")

HEADER = ("# Versandprotokoll – geführt von „invoke publish“. Bitte nicht von Hand ändern:\n"
          "# ein gelöschter Eintrag sendet nichts erneut, ein geänderter kann doppelt senden.\n")


def language_key(story_key: str, language: str) -> str:
    """The record key of a translation's sends."""
    return f"{story_key}.{language}"


def language_of_key(key: str) -> str | None:
    """The language of a translation's record key ('abc.en' → 'en', also 'abc.en.ruecknahme');
    None for the German original's and every other key."""
    match = _LANGUAGE_KEY.match(key)
    return match.group(1) if match else None


@dataclass(frozen=True)
class ChannelRecord:
    status: str
    key: str  # idempotency key of the current attempt; stays the same across a crash
    run: str  # which publish run claimed it (host, process, start)
    claimed: str  # ISO time of the claim
    attempts: int = 1
    finished: str | None = None
    remote_id: str | None = None
    url: str | None = None
    post: str | None = None  # digest of what was sent
    error: str | None = None
    unclear: int | None = None  # recipients whose fate is unknown (their keys are in the detail)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}

    def label(self) -> str:
        """The status in German; an unclear one with its count: "unklar (3 Empfänger)"."""
        if self.status == UNCLEAR:
            return f"unklar ({self.unclear or 0} Empfänger)"
        return LABELS[self.status]


@dataclass(frozen=True)
class Receipt:
    story_id: str  # the story's key: its first id
    channels: dict[str, ChannelRecord] = field(default_factory=dict)
    source: str | None = None  # the story's file when last written, e.g. content/stories/2026/x.md

    def get(self, channel: str) -> ChannelRecord | None:
        return self.channels.get(channel)

    def with_record(self, channel: str, record: ChannelRecord) -> Receipt:
        return replace(self, channels={**self.channels, channel: record})

    def dumps(self) -> str:
        data = {"story": self.story_id, **({"source": self.source} if self.source else {}),
                "channels": {name: self.channels[name].to_dict() for name in sorted(self.channels)}}
        return HEADER + yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                                  default_flow_style=False, width=100)


def parse_receipt(text: str, where: str) -> Receipt:
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise PublishError(f"{where}: Versandprotokoll ist kein gültiges YAML ({exc.problem}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("story"), str):
        raise PublishError(f"{where}: Versandprotokoll ohne „story“.")
    channels = {}
    for name, values in (data.get("channels") or {}).items():
        if not isinstance(values, dict) or values.get("status") not in STATUSES:
            raise PublishError(f"{where}: Kanal „{name}“: unbekannter Status {values!r}.")
        known = {k: v for k, v in values.items() if k in ChannelRecord.__dataclass_fields__}
        try:
            channels[str(name)] = ChannelRecord(**known)
        except TypeError as exc:
            raise PublishError(f"{where}: Kanal „{name}“: unvollständiger Eintrag ({exc}).") from None
    source = data.get("source")
    return Receipt(data["story"], channels, source if isinstance(source, str) else None)


class ReceiptFolder:
    """The receipts as the checkout has them (for previews and the build's overview)."""

    def __init__(self, folder: Path, display_root: Path):
        self.folder = folder
        self.display_root = display_root

    def ids(self) -> set[str]:
        try:
            return {entry.name[:-4] for entry in os.scandir(self.folder) if entry.name.endswith(".yml")}
        except FileNotFoundError:
            return set()

    def receipt(self, story_id: str) -> Receipt | None:
        path = self.folder / f"{story_id}.yml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return parse_receipt(text, os.path.relpath(path, self.display_root))
