"""The Jinja environment of one folder of mail templates in the theme (theme/templates/<folder>/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape


@cache
def mail_templates(theme: str, folder: str) -> Environment:
    """HTML autoescaped, text as written; made once per theme and folder."""
    return Environment(loader=FileSystemLoader(str(Path(theme) / "templates" / folder)),
                       autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)
