"""No request leaves the site's own host while a visitor looks at any page type."""

from __future__ import annotations

import pytest

from tests.browser.pages import PAGE_TYPES


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_type_requests_only_the_own_host(page, demo_url, network, path):
    page.goto(demo_url + path, wait_until="networkidle")
    assert network.requests, "the recorder saw nothing"
    assert network.requests[0].url == demo_url + path
    assert not network.foreign(demo_url), [r.url for r in network.foreign(demo_url)]


def test_recorder_sees_third_party_requests(page, demo_url, network):
    """The check above can fail: a page that loads a foreign script is caught (and blocked)."""
    page.goto(demo_url)
    page.evaluate("""() => { const s = document.createElement('script');
                             s.src = 'https://www.youtube-nocookie.com/iframe_api'; document.head.append(s); }""")
    page.wait_for_load_state("networkidle")
    assert [r.url for r in network.foreign(demo_url)] == ["https://www.youtube-nocookie.com/iframe_api"]
