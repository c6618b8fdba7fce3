"""favicon.ico drawn from the theme's SVG logo: the icon browsers ask the site root for.

Pillow reads no SVG, and a rasteriser library would be a dependency for one file; the logo uses
only rectangles and paths of lines and cubic curves, so those are drawn here (four times the
largest size, then scaled down). A logo with anything else, or none, gives a plain square in the
city's red rather than a half-drawn logo. The same logo and Pillow give the same bytes.
"""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

from PIL import Image, ImageColor, ImageDraw

SIZES = (16, 32, 48)
CITY_RED = "#d1001c"
_MASTER = 4 * max(SIZES)
_SVG = "{http://www.w3.org/2000/svg}"
_TOKEN = re.compile(r"[MmLlHhVvCcSsZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4}
_CURVE_STEPS = 16


def favicon(svg: bytes | None) -> bytes:
    """The ICO file (16, 32 and 48 pixels) of the logo `svg`; a red square without one."""
    try:
        master = _draw(svg) if svg else None
    except (ValueError, ElementTree.ParseError):  # something this drawing does not know
        master = None
    if master is None:
        master = Image.new("RGBA", (_MASTER, _MASTER), CITY_RED)
    buffer = io.BytesIO()
    master.save(buffer, format="ICO", sizes=[(size, size) for size in SIZES])
    return buffer.getvalue()


def _draw(svg: bytes) -> Image.Image:
    root = ElementTree.fromstring(svg)
    if root.tag != f"{_SVG}svg":
        raise ValueError(root.tag)
    view = [float(v) for v in root.get("viewBox", "").replace(",", " ").split()]
    if len(view) != 4 or view[2] <= 0 or view[3] <= 0:
        raise ValueError("viewBox")
    scale = _MASTER / max(view[2], view[3])
    image = Image.new("RGBA", (_MASTER, _MASTER), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def point(x: float, y: float) -> tuple[float, float]:
        return ((x - view[0]) * scale, (y - view[1]) * scale)

    for element in root:
        if element.get("transform") or element.get("style"):
            raise ValueError("transform or style")
        tag = element.tag.removeprefix(_SVG)
        if tag in ("title", "desc"):
            continue
        if tag == "rect":
            _rect(draw, element, point, scale)
        elif tag == "path":
            _path(draw, element, point, scale)
        else:
            raise ValueError(tag)
    return image


def _paint(value: str | None, default: str | None):
    value = default if value is None else value
    if value is None or value == "none":
        return None
    return ImageColor.getrgb(value)  # ValueError for what it does not know


def _number(element, name: str, default: float = 0.0) -> float:
    return float(element.get(name, default))  # ValueError for units or percentages


def _rect(draw, element, point, scale: float) -> None:
    fill = _paint(element.get("fill"), "black")
    if fill is None:
        return
    x, y = _number(element, "x"), _number(element, "y")
    left, top = point(x, y)
    right, bottom = point(x + _number(element, "width"), y + _number(element, "height"))
    radius = _number(element, "rx", _number(element, "ry")) * scale
    draw.rounded_rectangle((left, top, right - 1, bottom - 1), radius=radius, fill=fill)


def _path(draw, element, point, scale: float) -> None:
    fill = _paint(element.get("fill"), "black")
    stroke = _paint(element.get("stroke"), None)
    width = round(_number(element, "stroke-width", 1.0) * scale)
    round_caps = element.get("stroke-linecap") == "round"
    for points, closed in _subpaths(element.get("d", "")):
        scaled = [point(x, y) for x, y in points]
        if fill is not None and len(scaled) > 2:
            draw.polygon(scaled, fill=fill)
        if stroke is not None and width > 0:
            draw.line(scaled + scaled[:1] if closed else scaled, fill=stroke, width=width, joint="curve")
            if round_caps and not closed:
                for x, y in (scaled[0], scaled[-1]):
                    draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=stroke)


def _subpaths(d: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """The path's subpaths as polylines (curves cut into short lines), each with whether it is closed."""
    tokens = _TOKEN.findall(d)
    subpaths: list[tuple[list[tuple[float, float]], bool]] = []
    points: list[tuple[float, float]] = []
    x = y = 0.0
    control = None  # the last curve's second control point, mirrored by S
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i][0].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if points:
                    subpaths.append((points, True))
                    x, y = points[0]
                points, control = [], None
                continue
        if not command or command in "Zz":
            raise ValueError(d)
        kind, relative = command.upper(), command.islower()
        count = _ARITY[kind]
        values = [float(t) for t in tokens[i:i + count]]
        if len(values) < count or any(t[0].isalpha() for t in tokens[i:i + count]):
            raise ValueError(d)
        i += count
        ox, oy = (x, y) if relative else (0.0, 0.0)
        if kind == "M":
            if len(points) > 1:
                subpaths.append((points, False))
            x, y = ox + values[0], oy + values[1]
            points, control = [(x, y)], None
            command = "l" if relative else "L"  # more pairs after a move draw lines
            continue
        if not points:
            points = [(x, y)]
        if kind in ("C", "S"):
            if kind == "C":
                first = (ox + values[0], oy + values[1])
                rest = values[2:]
            else:
                first = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                rest = values
            second, end = (ox + rest[0], oy + rest[1]), (ox + rest[2], oy + rest[3])
            points.extend(_cubic((x, y), first, second, end))
            (x, y), control = end, second
            continue
        if kind == "L":
            x, y = ox + values[0], oy + values[1]
        elif kind == "H":
            x = ox + values[0]
        else:
            y = oy + values[0]
        points.append((x, y))
        control = None
    if len(points) > 1:
        subpaths.append((points, False))
    return subpaths


def _cubic(start, first, second, end) -> list[tuple[float, float]]:
    result = []
    for step in range(1, _CURVE_STEPS + 1):
        t = step / _CURVE_STEPS
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        result.append((a * start[0] + b * first[0] + c * second[0] + d * end[0],
                       a * start[1] + b * first[1] + c * second[1] + d * end[1]))
    return result
