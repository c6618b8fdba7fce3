"""The NINA API's JSON (its documented shapes, github.com/bundesAPI/nina-api openapi.yaml) into
`Warning`s. Everything in it is foreign text: markup is dropped, entities decoded, control,
direction and invisible characters removed (newsroom/content/characters.py), lengths capped;
the templates escape what is left. A value of the wrong type counts as absent."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime

from newsroom.content.characters import INVISIBLE
from newsroom.errors import WarningsUnavailable
from newsroom.warnings.model import Warning, official_page, provider_label, severity_label

_TAG = re.compile(r"<[^>]*>?")
# Ids as the dashboard gives them ("mow.DE-NW-…", "dwdmap.2.49.0.0.276.0.DWD.PVW…"); anything
# else is no id of the warning system, and the official page would be a guess.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")
HEADLINE_LIMIT = 200


def clean_text(value, limit: int = HEADLINE_LIMIT) -> str:
    """Plain one-line text of a foreign string; '' for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    text = html.unescape(_TAG.sub(" ", value))
    text = INVISIBLE.sub("", _TAG.sub(" ", text))  # markup that was escaped once, too
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def moment(value) -> datetime | None:
    """An ISO 8601 time with offset, else None (a time without zone says nothing certain)."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _get(data, *keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def dashboard(answer) -> tuple[list[Warning], list[str]]:
    """The warnings of a dashboard answer (ARSOverviewResult: a list of {id, payload{…data{headline,
    provider, severity, msgType}}, i18nTitle, sent, …}) and a German note per entry left out.
    An answer that is not such a list raises WarningsUnavailable: the last state stays."""
    if not isinstance(answer, list):
        raise WarningsUnavailable("Die Übersicht der NINA-Schnittstelle ist keine Liste von Warnungen.")
    found, skipped = [], []
    for number, item in enumerate(answer, 1):
        warning_id = _get(item, "payload", "id") or _get(item, "id")
        if not isinstance(warning_id, str) or not _ID.fullmatch(warning_id):
            skipped.append(f"Eintrag {number}: keine gültige id.")
            continue
        data = _get(item, "payload", "data")
        if _get(data, "msgType") == "Cancel":
            continue  # the warning was withdrawn
        headline = clean_text(_get(data, "headline")) or clean_text(_get(item, "i18nTitle", "de"))
        if not headline:
            skipped.append(f"Eintrag {number} ({warning_id}): keine Überschrift.")
            continue
        provider, severity = _get(data, "provider"), _get(data, "severity")
        found.append(Warning(
            id=warning_id, source=provider_label(provider if isinstance(provider, str) else ""),
            severity=severity_label(severity if isinstance(severity, str) else ""), headline=headline,
            sent=moment(_get(item, "sent")), onset=moment(_get(item, "startDate")),
            expires=moment(_get(item, "expiresDate")), link=official_page(warning_id)))
    return found, skipped


def with_details(warning: Warning, answer) -> Warning | None:
    """The warning completed from its details (the Warning schema: CAP-like {identifier, sender,
    sent, status, msgType, info:[{language, severity, headline, onset, effective, expires …}]}):
    the German info block, else the first. Whatever is missing or malformed keeps the dashboard's;
    None when the details say the warning was cancelled or is no real one (status not Actual)."""
    if _get(answer, "msgType") == "Cancel" or _get(answer, "status") in ("Exercise", "Test", "Draft"):
        return None
    infos = _get(answer, "info")
    if not isinstance(infos, list) or not infos:
        return warning
    infos = [info for info in infos if isinstance(info, dict)]
    info = next((i for i in infos if str(i.get("language", "")).lower().startswith("de")), infos[0] if infos else None)
    if info is None:
        return warning
    severity = info.get("severity")
    return replace(
        warning,
        headline=clean_text(info.get("headline")) or warning.headline,
        severity=severity_label(severity) if isinstance(severity, str) and severity else warning.severity,
        sent=moment(_get(answer, "sent")) or warning.sent,
        onset=moment(info.get("onset")) or moment(info.get("effective")) or warning.onset,
        expires=moment(info.get("expires")) or warning.expires)
