"""Crops of a lead image for the channels: an exact aspect ratio around the picture's focus point.

A photo's description may name its focus, `focus: [0.5, 0.3]`: the fraction of the width from
the left edge and the fraction of the height from the top edge, of the picture as shown (EXIF
orientation applied); without one, the centre. A crop is the largest window of the wanted ratio
the picture holds, centred on the focus as far as the picture's edges allow, scaled down to the
wanted width. A picture narrower than that window needs is never enlarged: its crop keeps the
ratio at the picture's own size, and the platform scales it for display.

Each channel takes the crop of its purpose (CHANNEL_CROPS); SOCIAL_CROPS names the purposes'
ratios and widths. The link card (`card`) is also every story page's og:image.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from newsroom.errors import ConfigurationError

CENTRE = (0.5, 0.5)
PAGE_PURPOSE = "card"  # the story page's og:image: Facebook's and LinkedIn's link cards are 1.91:1
# What the preview and the desk call a crop (German).
CROP_LABELS = {"instagram": "Instagram-Beitrag", "card": "Linkkarte", "wide": "Querformat", "story": "Story"}


@dataclass(frozen=True)
class Crop:
    purpose: str
    ratio: tuple[float, float]  # width : height
    width: int  # pixels, when the picture is large enough

    @property
    def height(self) -> int:
        return max(1, round(self.width * self.ratio[1] / self.ratio[0]))


def parse_ratio(text: str) -> tuple[float, float]:
    """'16:9' → (16.0, 9.0); the settings' check (newsroom.settings.Ratio) has refused anything else."""
    width, height = text.split(":")
    return float(width), float(height)


def crop_window(size: tuple[int, int], ratio: tuple[float, float],
                focus: tuple[float, float] = CENTRE) -> tuple[int, int, int, int]:
    """(left, top, right, bottom): the largest window of `ratio` inside a picture of `size`,
    centred on `focus` (fractions of width and height) as far as the edges allow."""
    width, height = size
    if width * ratio[1] > height * ratio[0]:  # wider than the ratio: the full height
        h = height
        w = min(width, max(1, round(height * ratio[0] / ratio[1])))
    else:
        w = width
        h = min(height, max(1, round(width * ratio[1] / ratio[0])))
    left = min(max(round(focus[0] * width - w / 2), 0), width - w)
    top = min(max(round(focus[1] * height - h / 2), 0), height - h)
    return left, top, left + w, top + h


def output_size(window: tuple[int, int, int, int], crop: Crop) -> tuple[int, int]:
    """The crop's pixel size: exactly crop.width × crop.height, or the window's own size
    (same ratio) when the picture is too small for that (never enlarged)."""
    w = window[2] - window[0]
    if w >= crop.width:
        return crop.width, crop.height
    return w, max(1, round(w * crop.height / crop.width))


def decode_width(size: tuple[int, int], crops: Iterable[Crop], focus: tuple[float, float]) -> int:
    """How wide the whole picture must be decoded so that every crop is drawn at full sharpness."""
    needed = 1
    for crop in crops:
        left, _top, right, _bottom = crop_window(size, (crop.width, crop.height), focus)
        needed = max(needed, math.ceil(crop.width * size[0] / (right - left)))
    return min(needed, size[0])


def crops_from_settings(settings: dict) -> dict[str, Crop]:
    """purpose → Crop, from SOCIAL_CROPS (Instagram's ratio from INSTAGRAM_CROP)."""
    crops = {}
    for purpose, (ratio, width) in settings["SOCIAL_CROPS"].items():
        if purpose == "instagram":
            ratio = settings["INSTAGRAM_CROP"]
        crops[purpose] = Crop(purpose, parse_ratio(ratio), width)
    if PAGE_PURPOSE not in crops:
        raise ConfigurationError(f"SOCIAL_CROPS: Der Zuschnitt „{PAGE_PURPOSE}“ fehlt; er ist das Vorschaubild "
                                 "jeder Meldungsseite (og:image).")
    unknown = sorted({p for p in settings["CHANNEL_CROPS"].values() if p not in crops})
    if unknown:
        raise ConfigurationError(f"CHANNEL_CROPS: Zuschnitt „{unknown[0]}“ gibt es nicht in SOCIAL_CROPS "
                                 f"(möglich: {', '.join(crops)}).")
    return crops


def purposes_for(channels: Iterable[str], settings: dict) -> set[str]:
    """The crops a story with these channels needs: each channel's, and the page's link card."""
    chosen = settings["CHANNEL_CROPS"]
    return {PAGE_PURPOSE} | {chosen[name] for name in channels if name in chosen}
