"""No symbolic link below content/ is read or published: stories, pages, media, descriptions
and folders that are links stop check and build with a German error naming the path, and the
live site stays as it was."""

import os

import pytest

from newsroom.errors import ContentErrors
from tests.support import PHOTO, Site, invoke, project_copy, snapshot, story_text

LINKED = "Diese Datei oder dieser Ordner ist eine Verknüpfung (Symlink) auf „{target}“. Verknüpfungen sind in " \
         "content/ nicht erlaubt: Bitte die Datei selbst ablegen oder die Verknüpfung löschen."
SECRET = "GEHEIM-7f3a"  # text of the files outside the repository


@pytest.fixture
def outside(tmp_path):
    """Files outside the repository a link could point to."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "story.md").write_text(story_text(id="eeeeeeeeeeee", title=f"Meldung {SECRET}"), encoding="utf-8")
    (folder / "page.md").write_text(f"---\ntitle: Seite {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(PHOTO + SECRET.encode())
    (folder / "photo.jpg.yml").write_text(f"alt: {SECRET}\ncredit: {SECRET}\n", encoding="utf-8")
    (folder / "album").mkdir()
    (folder / "album/bild.jpg").write_bytes(PHOTO + SECRET.encode())
    (folder / "album/bild.jpg.yml").write_text(f"alt: {SECRET}\ncredit: {SECRET}\n", encoding="utf-8")
    (folder / "year").mkdir()
    (folder / "year/story.md").write_text(story_text(id="dddddddddddd", title=f"Jahr {SECRET}"), encoding="utf-8")
    return folder


def link(site: Site, relative: str, target) -> str:
    path = site.content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    return f"content/{relative}"


def errors_of(site) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


CASES = {  # name → (link below content/, its target: outside/<name>, or a path inside content/)
    "story": ("stories/2026/extern.md", "story.md"),
    "story folder": ("stories/2027", "year"),
    "page": ("pages/impressum.md", "page.md"),
    "media file": ("media/fotos/geheim.jpg", "photo.jpg"),
    "media folder": ("media/extern", "album"),
    "description": ("media/fotos/rhein.jpg.yml", "photo.jpg.yml"),
    "link inside the repository": ("media/fotos/kopie.jpg", "inside:media/fotos/rhein.jpg"),
    "stories folder": ("stories", "year"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_symlink_below_content_stops_check_and_build_and_nothing_is_written(site, outside, name):
    relative, target = CASES[name]
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    before = snapshot(site.output)
    if target.startswith("inside:"):
        target = site.content / target[len("inside:"):]
    else:
        target = outside / target
    if relative == "stories":  # the whole folder: move the real one out of the way first
        (site.content / "stories").rename(site.root / "stories-real")
    if relative.endswith(".yml"):
        (site.content / relative).unlink()
    shown = link(site, relative, target)
    expected = f"{shown}: {LINKED.format(target=target)}"
    assert expected in errors_of(site)
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert expected in [str(e) for e in caught.value.errors]
    assert snapshot(site.output) == before  # nothing written, the live site unchanged
    assert not any(SECRET.encode() in path.read_bytes() for path in site.output.rglob("*") if path.is_file())


def test_a_story_referring_to_a_linked_image_names_the_link(site, outside):
    link(site, "media/fotos/geheim.jpg", outside / "photo.jpg")
    link(site, "media/fotos/geheim.jpg.yml", outside / "photo.jpg.yml")
    site.story(image="fotos/geheim.jpg")
    errors = errors_of(site)
    assert ("content/stories/2026/radwege.md:15: Feld „image“: „fotos/geheim.jpg“ führt über eine Verknüpfung "
            "(Symlink) „fotos/geheim.jpg“; Verknüpfungen sind in content/media/ nicht erlaubt.") in errors
    assert f"content/media/fotos/geheim.jpg: {LINKED.format(target=outside / 'photo.jpg')}" in errors


def test_invoke_check_refuses_a_linked_story_in_a_real_process(tmp_path, outside):
    project = project_copy(tmp_path / "project")
    Site(project)
    (project / "content/stories/2026").mkdir(parents=True)
    os.symlink(outside / "story.md", project / "content/stories/2026/extern.md")
    result = invoke(project, "check", "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert f"FEHLER content/stories/2026/extern.md: {LINKED.format(target=outside / 'story.md')}" in result.stderr
    assert SECRET not in result.stdout + result.stderr
