"""The crisis message as the build, the site, the sends and the CAP feed see it.

Read from content/krise.yml (newsroom/crisis/reader.py). Times are Europe/Berlin like a
story's; `end` is exclusive: from that minute on there is no banner and the all-clear is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LEVELS = ("Information", "Warnung", "Gefahr")
# Said when the file gives no `all_clear` of its own.
DEFAULT_ALL_CLEAR = "Entwarnung: Die Lage ist beendet. Es besteht keine Gefahr mehr."


@dataclass(frozen=True)
class CrisisUpdate:
    date: datetime
    text: str
    key: str  # the update's time to the minute (202612070530): names its sends, like Correction.key


@dataclass(frozen=True)
class Crisis:
    id: str
    level: str  # one of LEVELS
    title: str
    text: str
    start: datetime
    end: datetime | None
    all_clear: str
    story: str | None  # a published story's id
    channels: tuple[str, ...]
    image: str | None  # below content/media
    video: str | None
    updates: tuple[CrisisUpdate, ...]  # oldest first
    source: str  # the file, relative to the project (content/krise.yml)
    digest: str  # sha256 of the file's bytes: the version an approval names
    story_url: str = ""  # site path of `story` (aktuelles/2026/12/…/)
    story_title: str = ""

    @property
    def level_slug(self) -> str:
        """'warnung': the banner's CSS modifier (krise--warnung)."""
        return self.level.lower()

    def active(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)

    def ended(self, now: datetime) -> bool:
        return self.end is not None and self.end <= now

    def latest_update(self, now: datetime) -> CrisisUpdate | None:
        """The newest update dated no later than `now`."""
        due = [update for update in self.updates if update.date <= now]
        return due[-1] if due else None

    def updates_until(self, now: datetime) -> tuple[CrisisUpdate, ...]:
        """The updates dated no later than `now`, newest first (the emergency page's list)."""
        return tuple(reversed([update for update in self.updates if update.date <= now]))

    def shown(self, now: datetime) -> tuple | None:
        """What a page shows of the crisis at `now` (None when it is not active): the inputs of the
        pages that show it (SiteWriter.page), so an update redraws them and nothing else."""
        if not self.active(now):
            return None
        return (self.id, self.level, self.title, self.text, self.start.isoformat(),
                self.end.isoformat() if self.end else None, self.story_url, self.story_title,
                tuple((update.key, update.text) for update in self.updates_until(now)))


def active_crisis(crisis: Crisis | None, now: datetime) -> Crisis | None:
    """The crisis if it is active at `now`, else None."""
    return crisis if crisis is not None and crisis.active(now) else None
