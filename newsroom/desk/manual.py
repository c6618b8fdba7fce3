"""Manual tasks on the desk: what an editor posts by hand where a channel has no API for it
(the WhatsApp channel), with the text as the claim recorded it and the picture to download.

The text is the record's (what was approved and claimed, `detail.text`); the picture is the
channel's crop as this checkout's build made it, copied beside the desk (desk/bilder/), since
the desk's policy shows images from beside it only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from newsroom.atomic import write_if_changed
from newsroom.errors import NewsroomError
from newsroom.publishing.records import MANUAL

logger = logging.getLogger("newsroom.desk")
FOLDER = "bilder"  # below the desk folder


@dataclass(frozen=True)
class CopyTask:
    """A post to make by hand: its text, and its picture (a file beside the desk) with the alt text."""

    key: str  # the record's key and channel: what the confirmation names
    channel: str
    text: str
    image: str | None = None  # below the desk folder, e.g. bilder/a1b2c3d4e5f6-whatsapp.jpg
    image_url: str | None = None  # the picture on the live site
    alt: str = ""

    @property
    def field_id(self) -> str:
        return re.sub(r"[^A-Za-z0-9-]+", "-", f"text-{self.key}-{self.channel}")


def copy_tasks(items, adapters: dict, make_release, folder: Path) -> dict[str, CopyTask]:
    """`key/channel` → the copy task of every open manual first send among the week's items whose
    record holds the text to post; its picture is rendered again and copied into `folder`/bilder."""
    tasks: dict[str, CopyTask] = {}
    used: set[str] = set()
    for item in items:
        for entry in item.entries:
            record = entry.record
            if entry.state != MANUAL or record is None or not record.detail.get("text") or \
                    item.card.status == "withdrawn":  # not to be posted any more: the desk says so instead
                continue
            image, alt = None, str(record.detail.get("alt") or "")
            adapter = adapters.get(entry.channel)
            if adapter is not None and make_release is not None:
                try:
                    post = adapter.render(make_release(item.card))
                except (NewsroomError, KeyError, OSError, ValueError) as exc:
                    logger.warning("Desk: Bild für %s/%s nicht bereit (%s).", entry.record_key, entry.channel, exc)
                    post = None
                if post is not None and post.image is not None and Path(post.image).is_file():
                    name = f"{entry.record_key}-{entry.channel}{Path(post.image).suffix.lower()}"
                    _place(Path(post.image), folder / FOLDER / name)
                    image, alt = f"{FOLDER}/{name}", alt or post.alt
                    used.add(name)
            tasks[f"{entry.record_key}/{entry.channel}"] = CopyTask(
                entry.record_key, entry.channel, str(record.detail["text"]), image,
                record.detail.get("image_url"), alt)
    _prune(folder / FOLDER, used)
    return tasks


def _place(source: Path, target: Path) -> None:
    write_if_changed(target, source.read_bytes())


def _prune(folder: Path, used: set[str]) -> None:
    """Pictures of tasks confirmed since go."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name not in used and path.is_file():
            path.unlink()
