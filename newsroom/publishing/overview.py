"""The overview for the Chef vom Dienst, as terminal lines: per story its status, time,
channels, and what is due, sent (with link), failed or unclear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsroom.dates import BERLIN, german_datetime
from newsroom.publishing.followups import is_follow_up
from newsroom.publishing.plan import STATE_LABELS, Plan
from newsroom.publishing.records import MANUAL, UNCLEAR, language_of_key

OLDER_SHOWN = 20
CRISIS_LABEL = "Krisenmeldung"  # what marks a crisis message's send (a priority entry) everywhere
# A translation's sends are labelled with its language, named in German (the code where not listed).
LANGUAGE_NAMES = {"en": "Englisch", "fr": "Französisch", "es": "Spanisch", "it": "Italienisch",
                  "nl": "Niederländisch", "pl": "Polnisch", "tr": "Türkisch", "ja": "Japanisch", "ar": "Arabisch", "uk": "Ukrainisch",
                  "ru": "Russisch", "zh": "Chinesisch"}


def when(ts: float) -> str:
    return german_datetime(datetime.fromtimestamp(ts, BERLIN))


def state_label(entry) -> str:
    """The entry's state in German, as the terminal, status.txt/json and the overview show it."""
    record = entry.record
    if record is not None and entry.state == record.status:
        return record.label()
    return STATE_LABELS.get(entry.state, entry.state)


def unclear_hint(story_id: str, channel: str) -> str:
    return (f"Klären: „invoke publish --story {story_id} --channel {channel} --send-unclear“ sendet genau an diese "
            f"Empfänger noch einmal; „invoke publish --story {story_id} --channel {channel} --unclear-checked“ "
            "sendet nichts und trägt sie als geprüft ein (z. B. nach Blick ins Protokoll des Mailservers).")


def unknown_hint(story_id: str, channel: str) -> str:
    return (f"Nicht angekommen: „invoke publish --story {story_id} --channel {channel}“ sendet einmal. Angekommen: "
            f"„invoke publish --story {story_id} --channel {channel} --done“ trägt es als gesendet ein, ohne zu senden.")


def manual_hint(story_id: str, channel: str) -> str:
    return f"Erledigt? Dann eintragen: „invoke publish --story {story_id} --channel {channel} --done“."


def language_label(key: str) -> str:
    """„Englisch“ for the sends of a story's English translation (`<key>.en`, also its withdrawal); else empty."""
    language = language_of_key(key)
    return LANGUAGE_NAMES.get(language, language) if language else ""


def story_label(entry) -> str:
    """What the overview calls a story or follow-up: online, geplant, Berichtigung, Rücknahme …, with the
    language of a translation's sends („online, Englisch“)."""
    if entry.priority:
        return CRISIS_LABEL
    if is_follow_up(entry.story_id):
        label = entry.title.split(":", 1)[0]
    else:
        label = {"draft": "Entwurf", "planned": "in Planung", "withdrawn": "zurückgezogen"}.get(
            entry.story_status) or ("geplant" if entry.state == "scheduled" else "online")
    language = language_label(entry.story_id)
    return f"{label}, {language}" if language else label


def left_out_label(reason: str) -> str:
    return f"nicht gesendet: {reason}"


def left_out_lines(plan: Plan, story_id: str) -> list[str]:
    """The channels a sendable leaves out (Instagram without a picture …), under its sends."""
    return [f"    {name:<10} {left_out_label(reason)}" for name, reason in plan.left_out.get(story_id, ())]


def channel_line(entry) -> str:
    record = entry.record
    label = state_label(entry)
    extra = ""
    if record is not None and record.url and record.status == "sent":
        extra = f" → {record.url}"
    elif record is not None and record.error and entry.state in ("failed", "unknown", "retry", "resend", UNCLEAR,
                                                                 MANUAL):
        extra = f" ({record.error})"
    if entry.note:
        extra += f" – {entry.note}"
    if entry.state == UNCLEAR:
        extra += f"\n               {unclear_hint(entry.story_id, entry.channel)}"
    elif entry.state == MANUAL:
        extra += f"\n               {manual_hint(entry.story_id, entry.channel)}"
    return f"    {entry.channel:<10} {label}{extra}"


@dataclass(frozen=True)
class Broken:
    """A story file with problems, as the overview lists it ("fehlerhaft")."""

    source: str
    draft: bool  # a draft is never published: the rest of the site went out without it
    messages: tuple[str, ...]

    @property
    def label(self) -> str:
        return "fehlerhaft (Entwurf, wird nicht veröffentlicht)" if self.draft else "fehlerhaft – Build angehalten"


def broken_files(drafts=(), blocking=()) -> list[Broken]:
    """Problems grouped by file: those that stopped the build first, then the drafts'."""
    grouped: dict[tuple[bool, str], list[str]] = {}
    for draft, errors in ((False, blocking), (True, drafts)):
        for error in errors:
            line = f"Zeile {error.line}: " if error.line else ""
            field = f"Feld „{error.field}“: " if error.field else ""
            grouped.setdefault((draft, error.path), []).append(f"{line}{field}{error.message}")
    return [Broken(source, draft, tuple(messages)) for (draft, source), messages in grouped.items()]


def broken_lines(broken: list[Broken]) -> list[str]:
    lines = []
    for item in broken:
        lines.append(f"  {item.source}  [{item.label}]")
        lines.extend(f"    {message}" for message in item.messages)
    return lines


def status_lines(plan: Plan | None, where: str, broken: list[Broken] = ()) -> list[str]:
    lines = [f"Versandübersicht (Protokoll: {where})"]
    if any(not item.draft for item in broken):
        lines.append("  BUILD ABGEBROCHEN: online bleibt die zuletzt erfolgreiche Fassung; nichts wird gesendet.")
    if broken:
        lines.append(f"  Fehlerhafte Meldungen ({len(broken)}):")
        lines.extend(broken_lines(broken))
    if plan is None:
        return lines
    lines.extend(f"  {notice}" for notice in plan.notices)
    grouped = plan.by_story()
    if not grouped:
        lines.append("  Keine Meldungen mit Kanälen im Zeitraum.")
    for story_id, entries in grouped.items():
        first = entries[0]
        lines.append(f"  {when(first.ts)}  {first.title}  [{story_label(first)}, id {story_id}]")
        lines.extend(channel_line(e) for e in entries)
        lines.extend(left_out_lines(plan, story_id))
    if plan.older_unsent:
        lines.append(f"  {len(plan.older_unsent)} ältere Meldung(en) mit Kanälen wurden nie gesendet und werden "
                     "nicht automatisch gesendet (Zeitfenster überschritten). Gezielt senden mit "
                     "„invoke publish --story ID [--channel NAME]“:")
        for story_id, source, ts in plan.older_unsent[:OLDER_SHOWN]:
            lines.append(f"    {when(ts)}  {story_id}  {source}")
        if len(plan.older_unsent) > OLDER_SHOWN:
            lines.append(f"    … und {len(plan.older_unsent) - OLDER_SHOWN} weitere.")
    return lines


def summary_lines(report) -> list[str]:
    """After a publish run: one line per send attempted, then the totals."""
    outcomes = report.outcomes
    if not outcomes:
        return ["Nichts fällig: kein Versand nötig."]
    words = {"sent": "gesendet", UNCLEAR: "UNKLAR (Empfänger)", "failed": "FEHLGESCHLAGEN",
             "retry": "verschoben (nächster Lauf)",
             "unknown": "UNKLAR – bitte prüfen", "blocked": "NICHT GESENDET", "ready": "würde gesendet",
             "held": "ZURÜCKGEHALTEN", "cancelled": "abgebrochen (Meldung zurückgezogen)",
             "manual": "VON HAND ERLEDIGEN"}
    lines = []
    for o in outcomes:
        link = f" → {o.delivery.url}" if o.delivery and o.delivery.url else ""
        message = f": {o.message}" if o.message else ""
        lines.append(f"  {o.story_id}/{o.channel}: {words.get(o.status, o.status)}{link}{message}")
        if o.status == "ready" and o.post is not None:
            lines.extend(f"      │ {line}" for line in o.post.text.splitlines())
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    lines.append("Zusammenfassung: " + ", ".join(f"{n} {words.get(s, s)}" for s, n in sorted(counts.items())))
    return lines


def unclear_lines(report) -> list[str]:
    """Loud, after every run while sends with unclear recipients are unresolved."""
    found = report.unclear
    if not found:
        return []
    sends = "einem Versand" if len(found) == 1 else f"{len(found)} Versänden"
    lines = [f"ACHTUNG: Bei {sends} ist unklar, ob alle Empfänger die Mail bekamen. "
             "Kein automatischer Lauf sendet ihnen noch einmal, und jeder Lauf endet mit Fehler, bis das "
             "geklärt ist:"]
    for story_id, channel, count in found:
        lines.append(f"  {story_id}/{channel}: unklar ({count} Empfänger). {unclear_hint(story_id, channel)}")
    return lines
