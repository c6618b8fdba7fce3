"""The desk in Chromium: a second person approves a story from the desk (`invoke desk`), and the
desk then shows it approved; the approval is a commit on the origin."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import format_violations
from tests.desk_support import approvals_on_origin, desk_server, desk_site


def test_a_second_person_approves_from_the_desk(site, page, axe):
    server = desk_server(desk_site(site))
    try:
        page.goto(server.url + "desk/index.html")
        day = page.locator("li.day", has=page.locator('time[datetime="2026-11-26"]'))
        expect(day.locator(".approval-missing")).to_have_text("nicht freigegeben")
        violations = axe(page)
        assert not violations, format_violations(violations)
        day.get_by_role("button", name="Diese Fassung freigeben: Neue Radwege am Rheinufer").click()
        expect(page.get_by_role("status")).to_have_text(
            "Freigegeben von cvd-b (lokal): content/stories/2026/radwege.md.")
        page.get_by_role("link", name="Zurück zum Desk").click()
        expect(day.locator(".approval-approved")).to_have_text("freigegeben (lokal)")
        expect(day.get_by_role("button")).to_have_count(0)
        assert len(approvals_on_origin(site)) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_the_author_is_told_why_the_desk_does_not_take_their_approval(site, page):
    server = desk_server(desk_site(site, ("Test Redaktion", "redaktion@example.org")))
    try:
        page.goto(server.url + "desk/index.html")
        page.get_by_role("button", name="Diese Fassung freigeben: Neue Radwege am Rheinufer").click()
        expect(page.get_by_role("status")).to_contain_text("steht nicht in desk/approvers.yml")
        assert approvals_on_origin(site) == []
    finally:
        server.shutdown()
        server.server_close()
