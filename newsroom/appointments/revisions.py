"""What git knows about an appointment file, as the calendar and the feed need it.

The calendar's SEQUENCE must rise whenever a subscriber's copy of an appointment is out of date
(RFC 5545, 3.8.7.4). Git counts the commits that changed the file (newsroom.content.history,
renames followed): the first commit is version 0, each later one adds 1. That rises with every
committed change of time, place or status, and also with any other change of the file, which the
RFC allows; it needs nothing stored besides the repository, so a cold build on any clone gives the
same number. DTSTAMP and LAST-MODIFIED are the last commit's time, never the build's clock: an
unchanged appointment gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsroom.dates import BERLIN


@dataclass(frozen=True)
class Revision:
    sequence: int = 0
    created: datetime | None = None  # first commit
    changed: datetime | None = None  # last commit that changed the file


def revision_of(dates: tuple | None) -> Revision:
    """From GitHistory.by_source's (created, updated, editors, commits); without git, version 0."""
    if not dates:
        return Revision()
    created, updated, _editors, commits = dates
    return Revision(max(commits - 1, 0), datetime.fromtimestamp(created, BERLIN),
                    datetime.fromtimestamp(updated, BERLIN))


def fixed_moment(settings: dict) -> datetime:
    """The date for what git cannot date (a file not yet committed): the day of the feeds' tag
    URIs (FEED_ID_DATE), fixed, so a build never writes its own clock."""
    parts = [int(p) for p in str(settings["FEED_ID_DATE"]).split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2], tzinfo=BERLIN)
