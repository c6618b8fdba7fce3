"""`invoke rename-id OLD NEW`: change a story's id on purpose and keep what was sent under it.

The story gets `id: NEW` and `former_ids` gains OLD (oldest first). The first former id
stays the story's key in the record of sends (newsroom/publishing/lineage.py): its
record, the press number, recipient hashes and Message-IDs stay those of the original
id, so nothing is sent again and later corrections find the same recipients. Also for
an id already changed by hand: the story that holds NEW gets OLD as a former id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from newsroom.atomic import atomic_write
from newsroom.content import frontmatter
from newsroom.content.reader import ID_PATTERN
from newsroom.errors import ContentError, NewsroomError


@dataclass(frozen=True)
class StoryIds:
    path: Path
    id: str | None
    former: tuple[str, ...]
    text: str
    front: yaml.MappingNode


@dataclass(frozen=True)
class Renamed:
    path: Path
    former: tuple[str, ...]
    linking: tuple[Path, ...]  # other stories that still link to the old id


def rename(settings: dict, old: str, new: str) -> Renamed:
    if not ID_PATTERN.fullmatch(new):
        raise NewsroomError(f"„{new}“ ist keine gültige id. Erlaubt: 6–64 Zeichen a–z, 0–9 und Bindestrich.")
    if old == new:
        raise NewsroomError("Alte und neue id sind gleich.")
    content = Path(settings["PATH"])
    receipts = content / settings["PUBLISH_RECEIPTS_DIR"]
    stories = [s for s in map(_read, sorted((content / settings["STORIES_DIR"]).rglob("*.md"))) if s]
    holding_old = [s for s in stories if s.id == old]
    holding_new = [s for s in stories if s.id == new]
    if holding_old:
        story = holding_old[0]
        if holding_new:
            raise NewsroomError(f"Die id „{new}“ hat schon {holding_new[0].path}.")
    elif holding_new and (receipts / f"{old}.yml").is_file():
        story = holding_new[0]  # changed by hand: the record is still under the old id
    else:
        raise NewsroomError(f"Keine Meldung hat die id „{old}“, und unter ihr ist nichts verzeichnet (fehlt ein "
                            "„git pull“?).")
    for other in stories:
        if other is not story and new in other.former:
            raise NewsroomError(f"„{new}“ ist eine frühere id von {other.path}; bitte eine andere wählen.")
    if new not in story.former and (receipts / f"{new}.yml").is_file():
        raise NewsroomError(f"Unter „{new}“ sind schon Sendungen einer anderen Meldung verzeichnet "
                            f"({receipts / f'{new}.yml'}); bitte eine andere id wählen.")
    # The first id stays first: it is the key of the record.
    former = tuple(i for i in dict.fromkeys((*story.former, old)) if i != new)
    atomic_write(story.path, _rewritten(story, new, former).encode("utf-8"))
    linking = tuple(s.path for s in stories if s is not story and _links_to(s, old))
    return Renamed(story.path, former, linking)


def _read(path: Path) -> StoryIds | None:
    raw = path.read_bytes()
    try:
        parts = frontmatter.split(raw, str(path))
    except ContentError:
        return None
    pairs = {key.value: value for key, value in parts.front.value}
    story_id = pairs.get("id")
    former = pairs.get("former_ids")
    return StoryIds(path, story_id.value if isinstance(story_id, yaml.ScalarNode) else None,
                    tuple(n.value for n in former.value if isinstance(n, yaml.ScalarNode))
                    if isinstance(former, yaml.SequenceNode) else (),
                    raw.decode("utf-8"), parts.front)


def _rewritten(story: StoryIds, new: str, former: tuple[str, ...]) -> str:
    """The file with `id: NEW` and `former_ids` right below it; every other line as it was."""
    lines = story.text.split("\n")
    spans = {key.value: (key, value) for key, value in story.front.value}
    id_key, _value = spans["id"]
    id_line = id_key.start_mark.line + 1  # the front matter starts on the file's second line
    dropped: set[int] = set()
    if "former_ids" in spans:
        key, value = spans["former_ids"]
        end = value.end_mark.line + (1 if value.end_mark.column else 0)
        dropped = set(range(key.start_mark.line + 1, end + 1))
    written = []
    for index, line in enumerate(lines):
        if index == id_line:
            written.append(f"id: {_scalar(new)}")
            if former:
                written.append(f"former_ids: [{', '.join(map(_scalar, former))}]")
        elif index not in dropped:
            written.append(line)
    return "\n".join(written)


def _scalar(value: str) -> str:
    """An id as YAML text: quoted where YAML would read a number (`123456`, `1e10`)."""
    return value if isinstance(yaml.safe_load(value), str) else json.dumps(value)


def _links_to(story: StoryIds, old: str) -> bool:
    fields = dict((key.value, value) for key, value in story.front.value)
    related = fields.get("related")
    listed = isinstance(related, yaml.SequenceNode) and any(getattr(n, "value", None) == old for n in related.value)
    # A translation (newsroom/languages) names its original by `translation_of`.
    translated = getattr(fields.get("translation_of"), "value", None) == old
    return listed or translated or f"story:{old}" in story.text
