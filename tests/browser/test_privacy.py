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


def test_recorder_sees_third_party_requests(page, serve_folder, tmp_path, network):
    """The check above can fail: a page that loads a foreign script is caught (and blocked).
    A page without the site's policy, which would refuse the script before any request."""
    (tmp_path / "index.html").write_text('<!DOCTYPE html><html lang="de"><title>T</title><p>Seite</p>',
                                         encoding="utf-8")
    demo_url = serve_folder(tmp_path)
    page.goto(demo_url)
    page.evaluate("""() => { const s = document.createElement('script');
                             s.src = 'https://www.youtube-nocookie.com/iframe_api'; document.head.append(s); }""")
    page.wait_for_load_state("networkidle")
    assert [r.url for r in network.foreign(demo_url)] == ["https://www.youtube-nocookie.com/iframe_api"]
