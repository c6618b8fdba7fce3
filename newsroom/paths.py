"""Paths that editors write (lead images, media links) may never leave their folder."""

from __future__ import annotations

import posixpath
from pathlib import Path


class OutsidePath(ValueError):
    """The reference points outside the allowed folder; the message is German."""


def resolve_inside(base: Path, reference: str, *, base_label: str) -> Path:
    """`base / reference`, refused if absolute, if `..` climbs out, or if a symlink leads out."""
    if not reference or reference.startswith(("/", "\\")) or ":" in reference.split("/", 1)[0][1:2]:
        raise OutsidePath(f"„{reference}“ ist kein Pfad innerhalb von {base_label}.")
    normalized = posixpath.normpath(reference.replace("\\", "/"))
    if normalized == ".." or normalized.startswith("../"):
        raise OutsidePath(f"„{reference}“ verweist auf eine Datei außerhalb von {base_label}.")
    target = base / normalized
    real_base = base.resolve()
    if not target.resolve().is_relative_to(real_base):
        raise OutsidePath(f"„{reference}“ verweist (über einen Link) auf eine Datei außerhalb von {base_label}.")
    return target
