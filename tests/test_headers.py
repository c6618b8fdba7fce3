"""The Content-Security-Policy of every generated page (newsroom/deploy/headers.py): present early in
<head>, the right one for the site, the admin and the previews, and nothing inline it would refuse."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsroom.build.runner import load_settings
from newsroom.deploy.headers import admin_policy, desk_policy, preview_policy, site_policy
from newsroom.errors import ConfigurationError
from tests.browser.conftest import build_site
from tests.support import REPO

DATA_SCRIPTS = {"application/ld+json", "application/json"}  # data blocks, never run; the policy does not apply to them


class PageScan(HTMLParser):
    """What the policy cares about in one page: its meta policy, where it stands, and every inline
    script, style element, style attribute, event handler and javascript: address."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.policies: list[str] = []
        self.before_policy: list[str] = []  # elements in <head> before the policy other than <meta charset>
        self.inline: list[str] = []
        self._in_head = False
        self._script_open = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "meta" and (attributes.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(attributes.get("content") or "")
        elif self._in_head and not self.policies and not (tag == "meta" and "charset" in attributes):
            self.before_policy.append(tag)
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_SCRIPTS:
            self.inline.append("<script> without src")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.inline.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def scan(path: Path) -> PageScan:
    parser = PageScan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The repository's demo content built once; the previews land beside output/ (in preview/)."""
    return build_site(REPO / "content", tmp_path_factory.mktemp("headers")).parent


@pytest.fixture(scope="module")
def settings() -> dict:
    return load_settings(REPO / "pelicanconf.py")


def test_every_generated_page_carries_its_policy_first_and_nothing_inline(demo, settings):
    expected = {"site": site_policy(settings).meta(), "admin": admin_policy(settings).meta(),
                "preview": preview_policy().meta(), "desk": desk_policy().meta(),
                "draft": site_policy(settings).meta()}  # drafts look as their story page will (invoke serve)
    pages = sorted((demo / "output").rglob("*.html")) + sorted((demo / "preview").rglob("*.html"))
    kinds = {"site": 0, "admin": 0, "preview": 0, "desk": 0, "draft": 0}
    problems = []
    for path in pages:
        relative = path.relative_to(demo).as_posix()
        kind = ("desk" if relative.startswith("preview/desk/") else
                "draft" if relative.startswith("preview/entwurf/") else
                "preview" if relative.startswith("preview/") else
                "admin" if relative.startswith(f"output/{settings['ADMIN_PATH']}/") else "site")
        kinds[kind] += 1
        page = scan(path)
        if page.policies != [expected[kind]]:
            problems.append(f"{relative}: policy {page.policies!r}, expected the {kind}'s")
        if page.before_policy:
            problems.append(f"{relative}: {page.before_policy} before the policy")
        if page.inline:
            problems.append(f"{relative}: {sorted(set(page.inline))}")
    assert problems == []
    # Every kind was there to be checked: the site's pages, the admin, the overview and story previews, drafts.
    assert kinds["site"] > 100 and kinds["admin"] == 1 and kinds["preview"] > 1 and kinds["desk"] >= 1, kinds
    assert kinds["draft"] >= 2, kinds  # the drafts' list and a page per demo draft
    assert (demo / "preview" / "vorschau.css").is_file()


def test_the_scan_finds_what_the_policy_would_refuse(tmp_path):
    """The check above can fail: each kind of inline code and a late policy are reported."""
    page = tmp_path / "seite.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="a.css">'
                    '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
                    '<style>p {}</style><script>1</script><script type="application/ld+json">{}</script></head>'
                    '<body><p style="color: red" onclick="x()"><a href="javascript:x()">x</a></p></body></html>',
                    encoding="utf-8")
    found = scan(page)
    assert found.before_policy == ["link"]
    assert found.inline == ["<style>", "<script> without src", "<p style=…>", "<p onclick=…>",
                            "<a href=javascript:…>"]


def test_the_site_policy_allows_only_the_site_pagefind_and_the_youtube_player(settings):
    policy = site_policy(settings)
    header = policy.header()
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert policy.sources("default-src") == ("'self'",)
    assert policy.sources("script-src") == ("'self'", "'wasm-unsafe-eval'")
    assert policy.sources("style-src") == ("'self'",)
    assert policy.sources("frame-src") == ("https://www.youtube-nocookie.com",)
    assert policy.sources("object-src") == ("'none'",)
    # The feedback form hands its message to the mail program; the page "Abonnieren" posts to the service.
    assert policy.sources("form-action") == ("'self'", "mailto:", "http://127.0.0.1:8010")
    assert policy.sources("frame-ancestors") == ("'none'",)
    assert "frame-ancestors" not in policy.meta()  # a <meta> policy cannot carry it; the server sends it


def test_another_form_target_comes_through_the_setting(settings):
    policy = site_policy({**settings, "CSP_FORM_ACTION": ["https://newsletter.example.org"]})
    assert policy.sources("form-action") == ("'self'", "mailto:", "http://127.0.0.1:8010",
                                             "https://newsletter.example.org")


@pytest.mark.parametrize("service, expected", [
    ("https://abo.duesseldorf.de/abo/", ("'self'", "mailto:", "https://abo.duesseldorf.de")),
    ("https://www.duesseldorf.de/abo/", ("'self'", "mailto:")),  # the site's own origin: 'self' covers it
])
def test_the_subscription_service_is_a_form_target(settings, service, expected):
    policy = site_policy({**settings, "SITEURL": "https://www.duesseldorf.de", "SUBSCRIPTIONS_URL": service})
    assert policy.sources("form-action") == expected


@pytest.mark.parametrize("key, value", [("CSP_FORM_ACTION", ["https://x.example.org; script-src *"]),
                                        ("CSP_FORM_ACTION", ["'unsafe-inline'"]),
                                        ("CSP_FRAME_SOURCES", ['https://a.example.org" onload="x'])])
def test_a_source_that_would_widen_or_break_the_policy_is_refused_in_german(settings, key, value):
    with pytest.raises(ConfigurationError, match=f"Einstellung {key}"):
        site_policy({**settings, key: value})


def test_the_live_admin_talks_to_gitlab_and_the_local_one_to_decap_server(settings):
    production = load_settings(REPO / "publishconf.py")
    assert admin_policy(production).sources("connect-src") == ("'self'", "blob:", "https://gitlab.duesseldorf.de")
    assert admin_policy(settings).sources("connect-src") == (
        "'self'", "blob:", "https://gitlab.duesseldorf.de", "http://localhost:8081")
    local = admin_policy({**settings, "ADMIN_LOCAL_BACKEND_URL": "http://localhost:9000/api/v1"})
    assert local.sources("connect-src")[-1] == "http://localhost:9000"
    assert admin_policy(production).sources("frame-ancestors") == ("'self'",)
