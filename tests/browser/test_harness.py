"""The checkers themselves can fail: each one catches a known fault in a page made for it."""

from __future__ import annotations

BROKEN = """<!DOCTYPE html>
<html><head><title>Kaputt</title></head>
<body><img src="x.png"><a href="#"></a><p style="color:#777;background:#888">Grau auf Grau</p>
<div><li>Listenpunkt ohne Liste</li></div></body></html>
"""


def test_axe_finds_violations(page, tmp_path, serve_folder, axe):
    (tmp_path / "index.html").write_text(BROKEN, encoding="utf-8")
    page.goto(serve_folder(tmp_path))
    found = {v["id"] for v in axe(page)}
    assert {"html-has-lang", "image-alt", "link-name", "color-contrast", "listitem"} <= found


def test_vnu_finds_errors(tmp_path, vnu):
    (tmp_path / "kaputt.html").write_text(BROKEN.replace("<title>Kaputt</title>", ""), encoding="utf-8")
    errors = vnu(tmp_path)
    assert any("alt" in e for e in errors), errors
    assert any("title" in e for e in errors), errors


def test_keyboard_check_finds_hidden_focus(page, tmp_path, serve_folder):
    from tests.browser.test_keyboard import tab_through

    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="de"><title>T</title><style>a:focus-visible { outline: 3px solid }</style>'
        '<a href="#a">Eins</a>'
        '<a href="#b" style="outline:none">Zwei</a>', encoding="utf-8")
    page.goto(serve_folder(tmp_path))
    reached = tab_through(page)
    assert [(r["outline"] or r["ring"]) for r in reached] == [True, False]
