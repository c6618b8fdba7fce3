"""favicon.ico from the theme's logo (newsroom/favicon.py): the same bytes every time, a plain
square in the city's red where the logo cannot be drawn."""

import io

import pytest
from PIL import Image

from newsroom.favicon import favicon
from tests.support import REPO

LOGO = (REPO / "theme/static/img/logo.svg").read_bytes()


def frame(data: bytes, size: int) -> Image.Image:
    icon = Image.open(io.BytesIO(data))
    icon.size = (size, size)  # Pillow's way to pick a size of an ICO
    return icon.convert("RGBA")


def test_the_same_logo_gives_the_same_bytes():
    assert favicon(LOGO) == favicon(LOGO)


@pytest.mark.parametrize("svg", [
    None,
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle r="2"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="50%" height="4"/></svg>',
    b"<svg",
], ids=["no logo", "circle", "percentages", "broken"])
def test_a_logo_it_cannot_draw_gives_a_red_square(svg):
    pixels = frame(favicon(svg), 16)
    assert {pixels.getpixel((x, y)) for x in range(16) for y in range(16)} == {(209, 0, 28, 255)}
