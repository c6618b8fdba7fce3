"""WCAG 2.1 A/AA (axe-core in Chromium) on every page type, and valid HTML everywhere (vnu)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations
from tests.browser.pages import PAGE_TYPES


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_type_has_no_wcag_violations(page, demo_url, axe, path):
    page.goto(demo_url + path)
    violations = axe(page)
    assert not violations, f"{path or 'home'}:\n{format_violations(violations)}"


def test_every_generated_html_page_is_valid(demo_output, vnu):
    """The site and the build's channel previews for the Chef vom Dienst (preview/, beside it)."""
    preview = demo_output.parent / "preview"
    assert len(list(demo_output.rglob("*.html"))) > 100  # the whole demo site, not a sample
    assert (preview / "index.html").is_file()
    errors = vnu(demo_output, preview)
    assert not errors, "\n".join(e.replace(f"file:{demo_output.parent}/", "") for e in errors[:50])
