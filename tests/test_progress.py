"""Progress lines: drawn for a person at a terminal, silent in CI and in log files."""

from __future__ import annotations

import io

from newsroom import progress
from newsroom.progress import Progress, wanted
from tests.support import Site


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_at_a_terminal_and_never_in_ci():
    assert wanted(Terminal(), {}) is True
    assert wanted(Terminal(), {"CI": "true"}) is False
    assert wanted(io.StringIO(), {}) is False  # a pipe or a log file


def test_the_line_counts_in_german_and_ends_with_a_line_break():
    screen = Terminal()
    with Progress("Ausliefern", 2500, "Dateien", stream=screen, enabled=True) as bar:
        for _ in range(2500):
            bar.advance()
    text = screen.getvalue()
    assert text.startswith("\rAusliefern: ") and "2.500 von 2.500 Dateien" in text and text.endswith("\n")
    quiet = Terminal()
    with Progress("Ausliefern", 3, "Dateien", stream=quiet, enabled=False) as bar:
        bar.advance(5)
    assert quiet.getvalue() == "" and bar.done == 3


def test_a_continued_run_counts_from_where_it_stopped():
    # A press run that continues after a crash: 1,000 of 1,500 mailed already.
    screen = Terminal()
    with Progress("PM 7/2026", 1500, "Empfängern", done=1000, stream=screen, enabled=True) as bar:
        for _ in range(500):
            bar.advance()
    assert screen.getvalue().split("\r")[-1].startswith("PM 7/2026: 1.500 von 1.500 Empfängern (")
    assert bar.done == 1500


def test_a_large_build_shows_reading_and_writing(site: Site, monkeypatch, capsys):
    from newsroom.build import output

    monkeypatch.setattr(progress, "wanted", lambda *args, **kwargs: True)  # as if at a terminal
    monkeypatch.setattr(output, "PARALLEL_WEIGHT", 10)  # pages render in forked workers from 10 on
    for n in range(70):  # more than the loader parses in one process
        site.story(f"2026/m{n:03}.md", id=f"m{n:011x}", title=f"Meldung Nummer {n}",
                   date=f"2026-11-{1 + n % 20:02} 10:00")
    site.build(BUILD_WORKERS=2)
    err = capsys.readouterr().err
    assert "Meldungen lesen: 70 von 70 Meldungen" in err
    assert "Seiten schreiben: " in err


def test_media_renditions_show_their_progress(tmp_path, monkeypatch, capsys):
    from newsroom.media.renditions import RenditionCache

    monkeypatch.setattr(progress, "wanted", lambda *args, **kwargs: True)  # as if at a terminal
    source = tmp_path / "foto.jpg"
    source.write_bytes(b"not drawn here")

    def draw(path):  # a drawing that writes one tiny rendition per photo
        yield "320.webp", b"webp", 320, 200, "webp"

    jobs = [(f"{n:064x}", "web", source, f"foto{n}.jpg", draw) for n in range(3)]
    made, errors = RenditionCache(tmp_path / "cache").make_all(jobs, 2)
    assert len(made) == 3 and errors == []
    assert "Medien umrechnen: 3 von 3 Fotos" in capsys.readouterr().err
