"""The WhatsApp task on the desk in Chromium: the text in a read-only field with a copy button that
JavaScript reveals (the clipboard then holds the text), the picture with its alt text, no WCAG
violation, and the confirmation from the desk recorded once."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import format_violations
from tests.desk_support import BEN, as_person
from tests.publishing_support import STORY_ID, commit_and_push, due_story
from tests.publishing_support import publish as publish_run
from tests.social.support import receipt, settings
from tests.support import REPO


def test_an_editor_copies_the_whatsapp_text_and_confirms_the_post_from_the_desk(site, page, context, axe):
    from newsroom.build.runner import build
    from newsroom.desk.actions import confirm_manual
    from newsroom.publishing.pipeline import ledger_from_settings
    from newsroom.servers.desk_server import DeskServer, serve

    due_story(site, channels="\n  whatsapp: true", image="fotos/rhein.jpg")
    commit_and_push(site)
    publish_run(site, environ={})
    site.repo.git.pull("--ff-only", "origin", "main")
    as_person(site, BEN)
    overrides = site.overrides()
    build(REPO / "pelicanconf.py", overrides)

    def confirm(key, channel):
        values = settings(**overrides)
        _record, made = confirm_manual(values, ledger_from_settings(values), key, channel)
        build(REPO / "pelicanconf.py", overrides)
        return "Als von Hand erledigt eingetragen." if made else "Schon als erledigt eingetragen."

    server = DeskServer(site.root / "preview", lambda *args: "", confirm=confirm)
    serve(server)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
        page.goto(server.url + "desk/index.html")
        field = page.get_by_label("Text für WhatsApp-Kanal (schreibgeschützt: markieren und kopieren)")
        expect(field).to_have_attribute("readonly", "")
        text = receipt(site)["channels"]["whatsapp"]["detail"]["text"]
        expect(field).to_have_value(text)
        expect(page.get_by_role("img", name="Blick über den Rhein")).to_be_visible()
        violations = axe(page)
        assert not violations, format_violations(violations)
        page.get_by_role("button", name="Text kopieren").click()
        expect(page.get_by_role("status").first).to_have_text("Kopiert.")
        assert page.evaluate("navigator.clipboard.readText()") == text
        page.get_by_role("button", name=f"Erledigt – als gesendet eintragen: WhatsApp-Kanal, {STORY_ID}").click()
        expect(page.get_by_role("status")).to_have_text("Als von Hand erledigt eingetragen.")
        assert receipt(site)["channels"]["whatsapp"]["status"] == "sent"
        page.get_by_role("link", name="Zurück zum Desk").click()
        expect(page.get_by_role("button", name="Text kopieren")).to_have_count(0)
    finally:
        server.shutdown()
        server.server_close()
