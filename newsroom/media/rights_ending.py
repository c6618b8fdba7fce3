"""Usage rights that end: the media whose `rechte_bis` is near, for `invoke check` and the desk.

A medium is shown up to and including its `rechte_bis` day (Berlin time); from the day after it
leaves the portal, the feeds and output/, and stories show its `ersatz` or no picture
(MediaLibrary.shown). Warnings start MEDIA_RIGHTS_WARN_DAYS before.
"""

from __future__ import annotations

from datetime import date


def ending_soon(items, today: date, warn_days: int) -> list[tuple[object, int]]:
    """(item, whole days left; 0: its last day) of the media whose rights end within `warn_days`,
    soonest first."""
    found = []
    for item in items:
        if item.rights_until and not item.expired(today):
            days = (date.fromisoformat(item.rights_until) - today).days
            if days <= warn_days:
                found.append((item, days))
    return sorted(found, key=lambda pair: (pair[1], pair[0].path))


def warning(item, days: int) -> str:
    """The German warning `invoke check` prints and the desk shows."""
    end = date.fromisoformat(item.rights_until).strftime("%d.%m.%Y")
    left = "heute" if days == 0 else "in 1 Tag" if days == 1 else f"in {days} Tagen"
    then = (f"danach zeigt die Website stattdessen {item.replacement}." if item.replacement else
            "danach verschwindet das Foto aus Medienportal, Meldungen und Feeds.")
    return f"Medien: Die Nutzungsrechte an {item.path} enden mit dem {end} ({left}); {then}"
