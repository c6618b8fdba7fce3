"""The README is the manual: short, every link in it and in docs/ leads somewhere, every task is named."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from invoke import Collection

import tasks
from tests.support import REPO

README = REPO / "README.md"
MAX_LINES = 400
# [text](target) and [text](target "title"); images too. Reference-style links are not used.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")


def documents() -> list[Path]:
    return [README, *sorted((REPO / "docs").glob("*.md"))]


def links(path: Path) -> list[str]:
    text = CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    return LINK.findall(text)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    result = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = "".join(ch for ch in heading.lower().replace("`", "")
                       if ch in " -_" or unicodedata.category(ch)[0] in "LN").replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def test_the_readme_has_at_most_400_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; at most {MAX_LINES}"


@pytest.mark.parametrize("document", documents(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_leads_to_an_existing_file_and_anchor(document: Path):
    broken = []
    for target in links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto:, and the stories' own story:/media: schemes in examples
        path, _, anchor = target.partition("#")
        file = (document.parent / path).resolve() if path else document
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert not broken, f"{document.relative_to(REPO)}: links to nothing: {broken}"


def test_the_readme_names_every_task():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in Collection.from_module(tasks).task_names
               if not re.search(rf"`invoke {re.escape(name)}(?![\w-])", text)]
    assert not missing, f"README.md does not name: {missing}"
